#!/usr/bin/env python3
"""Backdrop's benchmark: `.venv/bin/python tools/benchmark.py --help` (same as `backdrop bench`)."""

from backdrop.bench.command import bench

if __name__ == "__main__":
    bench()
