"""A real transform worker for tests: `celery -A backdrop.transformers.worker worker` in a child
process, with its environment pointing at the test database, config service and broker.

It becomes ready within a deadline (its "worker ready" log line), logs JSON lines to a file
the tests can read, and is stopped (warm shutdown, then kill) afterwards.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from backdrop.core.config import Settings
from backdrop.transformers.celery_app import create_celery
from tests.support.processes import stop

T = TypeVar("T")


def worker_command() -> list[str]:
    """What `./start-app.sh worker` runs, lighter: one pool process, no cluster chatter."""
    return [
        sys.executable, "-m", "celery", "-A", "backdrop.transformers.worker", "worker",
        "--concurrency=1", "--without-gossip", "--without-mingle", "--loglevel=INFO",
    ]  # fmt: skip


def worker_environment(settings: Settings, *, oauth_token: str | None) -> dict[str, str]:
    """The environment variables of DESIGN.md for `settings`; nothing else of ours leaks in."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("STAGECRAFT_URL", "BROKER_URL", "DATABASE_URL", "STAGECRAFT_OAUTH_TOKEN")
    }
    env.update(
        DATABASE_URL=settings.database_url,
        BACKDROP_DATA_DIR=str(settings.data_dir),
        LOG_LEVEL="INFO",
        BACKDROP_WORKER_METRICS_PORT="0",  # no shared default port between test workers
    )
    if settings.stagecraft_url:
        env["STAGECRAFT_URL"] = settings.stagecraft_url
    if settings.broker_url:
        env["BROKER_URL"] = settings.broker_url
    if oauth_token:
        env["STAGECRAFT_OAUTH_TOKEN"] = oauth_token
    return env


class WorkerLog:
    """The worker's JSON log lines, read back from its file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def lines(self) -> list[dict[str, Any]]:
        found = []
        for text in self.path.read_text(encoding="utf-8", errors="replace").splitlines():
            with contextlib.suppress(ValueError):
                line = json.loads(text)
                if isinstance(line, dict):
                    found.append(line)
        return found

    def matching(self, message: str, **facts: Any) -> list[dict[str, Any]]:
        return [
            line
            for line in self.lines()
            if line.get("message") == message
            and all(line.get(key) == value for key, value in facts.items())
        ]


def purge(settings: Settings) -> int:
    """Drop what waits in the broker's default queue; returns how many messages that was."""
    app = create_celery(settings)
    try:
        return int(app.control.purge())
    finally:
        app.close()


@contextlib.contextmanager
def running_worker(
    settings: Settings,
    log_path: Path,
    *,
    oauth_token: str | None = None,
    timeout: float = 60,
    fresh_queue: bool = True,
) -> Iterator[WorkerLog]:
    """A worker process for `settings`; yields its log once it is ready to consume. With
    `fresh_queue`, what earlier runs left in the broker is dropped first; without, the
    worker consumes what is queued already."""
    if fresh_queue:
        purge(settings)
    log = WorkerLog(log_path)
    with log_path.open("wb") as sink:
        proc = subprocess.Popen(
            worker_command(),
            env=worker_environment(settings, oauth_token=oauth_token),
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        poll(
            lambda: log.matching("worker ready"),
            timeout=timeout,
            alive=lambda: proc.poll() is None,
            what=f"worker ready (see {log_path})",
        )
        yield log
    finally:
        stop(proc)


def poll(
    probe: Callable[[], T],
    *,
    timeout: float = 60,
    interval: float = 0.1,
    alive: Callable[[], bool] | None = None,
    what: str = "condition",
) -> T:
    """Call `probe` until it returns something truthy; raise after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if result:
            return result
        if alive is not None and not alive():
            raise RuntimeError(f"the process died while waiting for {what}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"no {what} within {timeout}s")
        time.sleep(interval)


def env_url(name: str, default: str) -> str:
    """A test service URL from the environment, else the local default."""
    return os.environ.get(name) or default


def redis_url(db: int) -> str:
    """Redis for tests: `BACKDROP_TEST_REDIS_URL` (no database number) + `/<db>`."""
    return f"{env_url('BACKDROP_TEST_REDIS_URL', 'redis://127.0.0.1:6379').rstrip('/')}/{db}"


def amqp_url() -> str:
    return env_url("BACKDROP_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")


def with_broker(
    settings: Settings, broker_url: str | None, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    """The apps' settings on another broker, with a data directory of their own."""
    return dataclasses.replace(
        settings, broker_url=broker_url, data_dir=tmp_path_factory.mktemp("worker-data")
    )
