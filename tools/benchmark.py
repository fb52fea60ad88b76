#!/usr/bin/env python3
"""Backdrop's benchmark: `.venv/bin/python tools/benchmark.py --help` is the same as
`.venv/bin/python -m bench --help` run from the checkout's root (the benchmark is the `bench/`
development package, which the product's wheel does not hold)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

if __name__ == "__main__":
    root = str(Path(__file__).resolve().parents[1])
    paths = [root, *filter(None, [os.environ.get("PYTHONPATH")])]
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
    os.execve(sys.executable, [sys.executable, "-m", "bench", *sys.argv[1:]], environment)
