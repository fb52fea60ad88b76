#!/usr/bin/env bash
# Everything on the embedded default: the database (27017), read (3038) and write (3039) apps,
# and a transform worker on the embedded broker (files under $BACKDROP_DATA_DIR/broker).
# DATABASE_ENGINE=postgres: the same on the embedded PostgreSQL server (5433) instead.
# Creates .venv and installs what is needed on the first run. Ctrl-C stops all of them.
set -euo pipefail
cd "$(dirname "$0")"
tools/bootstrap.sh requirements.txt
export BACKDROP_DATA_DIR=${BACKDROP_DATA_DIR:-$PWD/var}
exec .venv/bin/honcho start -f Procfile
