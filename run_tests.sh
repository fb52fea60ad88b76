#!/usr/bin/env bash
# Lint, type-check and test everything: ruff, mypy, pytest, behave. Creates/updates .venv first.
# The tests start the services they need (the embedded database on a free port, in a temporary
# directory, and transform workers) and stop them afterwards; the brokers the transformer tests
# use (Redis, RabbitMQ) are started first if they are down.
set -euo pipefail
cd "$(dirname "$0")"
tools/bootstrap.sh requirements_for_tests.txt
export PATH="$PWD/.venv/bin:$PATH"

echo "== ruff" && ruff check . && ruff format --check .
echo "== mypy" && mypy
echo "== brokers" && tools/start-brokers.sh
echo "== pytest" && pytest -q "$@"
echo "== behave" && behave --format progress features
