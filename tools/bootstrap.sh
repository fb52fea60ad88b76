#!/usr/bin/env bash
# Create .venv if missing and install REQUIREMENTS_FILE plus the project, skipping the install
# when nothing it depends on changed since the last run. Usage: tools/bootstrap.sh FILE
set -euo pipefail
cd "$(dirname "$0")/.."
requirements=${1:-requirements.txt}

if [ ! -x .venv/bin/python ]; then
  python=${PYTHON:-$(command -v python3.11 || command -v python3)}
  "$python" -m venv .venv
fi
stamp=.venv/.backdrop-installed
wanted=$(cat requirements.txt "$requirements" pyproject.toml | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ] || [ ! -x .venv/bin/backdrop ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -r "$requirements"
  .venv/bin/python -m pip install --quiet --no-deps -e .
  echo "$wanted" > "$stamp"
fi
