# Sourced by run_tests.sh: make sure a PostgreSQL server answers for the tests, and export
# BACKDROP_TEST_POSTGRES_URL (the server's maintenance database; each test run creates and drops
# its own throw-away database there).
#   1. $BACKDROP_TEST_POSTGRES_URL already set: used as it is.
#   2. something answers on 127.0.0.1:5432: postgresql://postgres@127.0.0.1:5432/postgres.
#   3. a Debian cluster exists (pg_lsclusters): started with pg_ctlcluster.
#   4. otherwise: initdb + pg_ctl into a temporary directory on a free port, stopped on exit
#      (as root, the server runs as the postgres user).

_pg_ready() { pg_isready -q -h 127.0.0.1 -p "$1" 2>/dev/null; }

_pg_bin() {
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  if [ -z "$found" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get install -y -q postgresql >&2
    found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  fi
  echo "$found"
}

_pg_wait() {
  for _ in $(seq 1 60); do _pg_ready "$1" && return 0; sleep 0.5; done
  echo "PostgreSQL did not start on port $1" >&2
  return 1
}

_pg_temporary() {
  local bin dir port as=""
  bin=$(_pg_bin)
  [ -n "$bin" ] || { echo "no PostgreSQL binaries found" >&2; return 1; }
  dir=$(mktemp -d /tmp/backdrop-pg.XXXXXX)
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  if [ "$(id -u)" = 0 ]; then
    chown postgres "$dir"
    as="runuser -u postgres --"
  fi
  $as "$bin/initdb" -D "$dir/data" -U postgres -A trust --no-sync >/dev/null
  $as "$bin/pg_ctl" -s -D "$dir/data" -l "$dir/log" -o "-h 127.0.0.1 -p $port -k $dir" start >&2
  # shellcheck disable=SC2064
  trap "$as $bin/pg_ctl -s -D $dir/data -m fast stop >&2; rm -rf $dir" EXIT
  _pg_wait "$port"
  export BACKDROP_TEST_POSTGRES_URL="postgresql://postgres@127.0.0.1:$port/postgres"
}

ensure_test_postgres() {
  [ -n "${BACKDROP_TEST_POSTGRES_URL:-}" ] && return 0
  if ! _pg_ready 5432 && command -v pg_lsclusters >/dev/null; then
    local cluster
    cluster=$(pg_lsclusters -h 2>/dev/null | awk '$3 == 5432 {print $1, $2; exit}')
    if [ -n "$cluster" ]; then
      # shellcheck disable=SC2086
      pg_ctlcluster $cluster start >&2 || true
      _pg_wait 5432 || true
    fi
  fi
  if _pg_ready 5432; then
    export BACKDROP_TEST_POSTGRES_URL="postgresql://postgres@127.0.0.1:5432/postgres"
  else
    _pg_temporary
  fi
}
