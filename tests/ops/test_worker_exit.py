"""gunicorn workers close their app on the way out (`worker_exit` in gunicorn_config.py): a
SIGTERM to the master stops each worker, and each says it closed its app."""

from __future__ import annotations

import json
from pathlib import Path

import requests

from tests.support.start_app import Stack, start, terminate


def test_each_stopping_worker_closes_its_app(tmp_path: Path, stack: Stack) -> None:
    env = {**stack.env, "BACKDROP_DATA_DIR": str(tmp_path / "data")}
    processes = [start(name, name, env, tmp_path) for name in ("read", "write")]
    for process in processes:  # the database and (write) the broker answered: all opened
        assert requests.get(f"{process.url}/_status/ready", timeout=10).status_code == 200
    for process in processes:
        terminate(process)
    for process in processes:
        lines = [json.loads(line) for line in process.lines()]
        booted = [line for line in lines if str(line["message"]).startswith("Booting worker")]
        closed = [line for line in lines if line["message"] == "app closed"]
        assert booted, lines
        assert [line["app"] for line in closed] == [f"backdrop.{process.name}.app"] * len(booted)
        assert not [line for line in lines if "worker exit" in str(line["message"])], lines
