#!/usr/bin/env bash
# Lint, type-check and test everything: ruff, mypy, the package (installed into a fresh venv),
# pytest, behave. Creates/updates .venv first.
# The tests start the services they need (the embedded database on a free port, in a temporary
# directory, and transform workers) and stop them afterwards; the brokers the transformer tests
# use (Redis, RabbitMQ) are started first if they are down. When no PostgreSQL answers on
# 127.0.0.1:5432 (or BACKDROP_TEST_POSTGRES=embedded), the embedded server is started here
# (tools/test_postgres.sh); the tests create throw-away databases on it.
# The browser tests drive Debian's Chromium, installed when missing (tools/test_browser.sh).
set -euo pipefail
cd "$(dirname "$0")"
tools/bootstrap.sh requirements_for_tests.txt
export PATH="$PWD/.venv/bin:$PATH"
# shellcheck source=tools/test_postgres.sh
source tools/test_postgres.sh
ensure_test_postgres
# shellcheck source=tools/test_browser.sh
source tools/test_browser.sh
ensure_test_browser

echo "== ruff" && ruff check . && ruff format --check .
echo "== mypy" && mypy
echo "== brokers" && tools/start-brokers.sh
# The package check and the behave runs mostly wait (pip, HTTP): they run beside pytest, each
# into its own log, shown after pytest; any failure fails the run.
logs=$(mktemp -d)
trap 'rm -rf "$logs"; stop_test_postgres' EXIT
tools/check_package.sh >"$logs/package" 2>&1 &
package=$!
behave_all() {
  for engine in mongodb postgres; do
    echo "== behave ($engine)" && behave --format progress -D "engine=$engine" features || return 1
  done
}
behave_all >"$logs/behave" 2>&1 &
features=$!
echo "== pytest" && pytest -q -n 4 --dist loadfile "$@" || status=$?
for job in package:$package behave:$features; do
  if wait "${job#*:}"; then echo "== ${job%%:*}: passed"; else echo "== ${job%%:*}: FAILED"; status=1; fi
  tail -n 25 "$logs/${job%%:*}"
done
exit "${status:-0}"
