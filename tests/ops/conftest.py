"""The real processes as an operator runs them: `./start-app.sh read|write|worker PORT`, with
gunicorn's workers and the worker's pool, on a throw-away PostgreSQL database and the embedded
broker. Their stdout and stderr go to files the tests read."""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Iterator

import pytest

from tests.support.cli import BACKDROP
from tests.support.servers import throwaway_postgres
from tests.support.start_app import Process, Stack, environment, start, terminate
from tests.support.statsd import statsd_listener


@pytest.fixture(scope="package")
def statsd_socket() -> Iterator[socket.socket]:
    with statsd_listener() as sock:
        yield sock


@pytest.fixture(scope="package")
def stack(
    tmp_path_factory: pytest.TempPathFactory, statsd_socket: socket.socket
) -> Iterator[Stack]:
    """Read, write and worker, started by start-app.sh; stopped (SIGTERM) afterwards."""
    logs = tmp_path_factory.mktemp("process-logs")
    with throwaway_postgres() as url:
        env = environment(
            url,
            tmp_path_factory.mktemp("data"),
            STATSD_HOST="127.0.0.1",
            STATSD_PORT=str(statsd_socket.getsockname()[1]),
        )
        subprocess.run([BACKDROP, "db", "migrate"], env=env, check=True, capture_output=True)
        started: list[Process] = []
        try:
            for name in ("read", "write", "worker"):
                started.append(start(name, name, env, logs))
            read, write, worker = started
            yield Stack(read, write, worker, env=env, statsd=statsd_socket)
        finally:
            for process in started:
                terminate(process)
