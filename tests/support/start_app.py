"""The real processes as an operator runs them: `./start-app.sh read|write|worker PORT`, with
the documented environment only, their stdout and stderr in files the tests read."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

from backdrop.core.config import Settings
from tests.support.processes import free_port, stop, wait_for_port
from tests.support.tokens import ADMIN_TOKEN

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Process:
    """One started process and the files its output went to."""

    name: str
    proc: subprocess.Popen[bytes]
    port: int
    stdout: Path
    stderr: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def lines(self) -> list[str]:
        return [
            line
            for path in (self.stdout, self.stderr)
            for line in path.read_text(encoding="utf-8", errors="replace").splitlines()
        ]


def environment(database_url: str, data_dir: Path, **extra: str) -> dict[str, str]:
    """The documented variables only; nothing of the test run's own leaks in."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "BACKDROP_", "STAGECRAFT_", "PROMETHEUS_", "STATSD_"))
        and key not in ("LOG_LEVEL", "BROKER_URL", "WEB_CONCURRENCY", "GOVUK_STATSD_PREFIX")
    }
    env.update(
        DATABASE_URL=database_url,
        BACKDROP_DATA_DIR=str(data_dir),
        LOG_LEVEL="INFO",
        WEB_CONCURRENCY="2",
        STAGECRAFT_COLLECTION_ENDPOINT_TOKEN="ops-admin-token",
    )
    env.update(extra)
    return env


def start(name: str, app: str, env: dict[str, str], logs: Path, *, wait: bool = True) -> Process:
    port = free_port()
    stdout, stderr = logs / f"{name}.out", logs / f"{name}.err"
    with stdout.open("wb") as out, stderr.open("wb") as err:
        proc = subprocess.Popen(
            [str(ROOT / "start-app.sh"), app, str(port)],
            env=env,
            stdout=out,
            stderr=err,
            start_new_session=True,
        )
    if wait:
        try:
            wait_for_port(port, proc, timeout=60)
        except (RuntimeError, TimeoutError):
            stop(proc)
            raise
    return Process(name, proc, port, stdout, stderr)


def terminate(process: Process) -> None:
    """SIGTERM, as a process manager stops it, then wait (kill after 20 s)."""
    if process.proc.poll() is None:
        process.proc.send_signal(signal.SIGTERM)
    stop(process.proc)


@dataclass(frozen=True)
class Stack:
    read: Process
    write: Process
    worker: Process
    env: dict[str, str]
    statsd: socket.socket  # a real UDP socket: the statsd daemon the processes send to


def process_env(settings: Settings, database_url: str) -> dict[str, str]:
    """The environment of an app process as an operator sets it: only the database URL, the
    data directory and the admin token; every other setting is the default. One worker, so
    its memory is the app's."""
    return {
        "DATABASE_URL": database_url,
        "BACKDROP_DATA_DIR": str(settings.data_dir),
        "STAGECRAFT_COLLECTION_ENDPOINT_TOKEN": ADMIN_TOKEN,
        "STAGECRAFT_URL": "",
        "BROKER_URL": "",
        "WEB_CONCURRENCY": "1",
    }
