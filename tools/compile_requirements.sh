#!/usr/bin/env bash
# Regenerate requirements.txt (every runtime package, pinned) from pyproject.toml's dependencies
# and its `dev` extra, keeping the pins already there unless a dependency needs another version.
# Pass --upgrade (or --upgrade-package NAME) to move pins on. Needs requirements_for_tests.txt
# installed (pip-tools). tests/package/test_requirements.py checks the two files agree.
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/pip-compile --quiet --extra dev --strip-extras --allow-unsafe \
  --no-emit-index-url --no-emit-find-links --no-emit-trusted-host \
  --output-file requirements.txt "$@" pyproject.toml
