"""Each gunicorn worker freezes what it holds once it has built its app (`post_worker_init` in
gunicorn_config.py), so a large answer's full collections scan only that answer."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import requests

from tests.support.processes import free_port, stop, wait_for_http

ROOT = Path(__file__).resolve().parents[2]


def test_a_worker_has_frozen_its_objects_before_its_first_request(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "WEB_CONCURRENCY": "1", "BACKDROP_DATA_DIR": str(tmp_path)}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "python:backdrop.gunicorn_config",
         "--bind", f"127.0.0.1:{port}", "tests.ops.frozen_app:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}/"
        wait_for_http(url, proc)
        frozen = int(requests.get(url, timeout=10).text)
    finally:
        stop(proc)
    assert frozen > 10_000  # gunicorn, its config's imports and the app: all frozen
