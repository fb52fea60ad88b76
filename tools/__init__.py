"""Measurement and probe scripts for development, run from the checkout's root as modules
(`.venv/bin/python -m tools.NAME --help`), so that `backdrop`, `bench` and `tests.support`
import without path changes. Not part of the installed package."""
