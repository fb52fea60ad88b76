#!/usr/bin/env bash
# `pip install .` into a fresh virtualenv gives a working `backdrop` (issue 10): the package
# declares its dependencies and ships its data files, and nothing else: no benchmark, tests or
# tools (issue 13). Installs at the versions requirements.txt pins (pip's cache makes it quick),
# then checks the installed files, runs the command and builds both apps. Run by run_tests.sh;
# usage: tools/check_package.sh
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-$(command -v python3.11 || command -v python3)}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

"$python" -m venv "$scratch/venv"
# setuptools builds in ./build and packs whatever it finds there: files of an older tree (a
# module since moved or deleted) would end up in the wheel.
rm -rf build
if ! "$scratch/venv/bin/python" -m pip install --quiet --constraint requirements.txt . \
  >"$scratch/pip.log" 2>&1; then
  cat "$scratch/pip.log" >&2
  exit 1
fi
cd "$scratch"  # away from the source tree: only the installed package may be imported
version=$("$scratch/venv/bin/backdrop" --version)
"$scratch/venv/bin/backdrop" data-set --help >/dev/null
if "$scratch/venv/bin/backdrop" bench --help >/dev/null 2>&1; then
  echo "the installed backdrop command still has a bench command" >&2
  exit 1
fi
"$scratch/venv/bin/python" - <<'PYTHON'
from importlib.metadata import files as installed_files
from importlib.resources import files
from importlib.util import find_spec

from backdrop import __version__
from backdrop.core.config import Settings
from backdrop.read.app import create_app as read_app
from backdrop.write.app import create_app as write_app

# What the wheel installed: the `backdrop` package, its metadata and its script, nothing else.
tops = {path.parts[0] for path in installed_files("backdrop") or ()}
expected = {"backdrop", f"backdrop-{__version__}.dist-info", ".."}  # "..": bin/backdrop
assert tops == expected, sorted(tops - expected)
for development_only in ("bench", "backdrop.bench", "tests", "tools", "features"):
    assert find_spec(development_only) is None, development_only

settings = Settings(data_dir=__import__("pathlib").Path("data"))
for factory in (read_app, write_app):
    client = factory(settings).test_client()
    for path in ("/", "/openapi.json", "/docs", "/docs/assets/docs.js", "/docs/assets/swagger-ui-bundle.js"):
        assert client.get(path).status_code == 200, (factory.__module__, path)
migrations = files("backdrop.core.storage.postgres") / "migrations"
assert any(entry.name.endswith(".sql") for entry in migrations.iterdir())
PYTHON
echo "package ok: $version"
