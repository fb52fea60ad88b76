"""Processes for the tests, the benchmark and the tools: free ports, waiting until a server
answers, stopping it, and the apps as production runs them (`start-app.sh` of this checkout).

One place, so that a test, a tool and a benchmark run start and stop servers the same way.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import psycopg
import requests
from pymongo import MongoClient
from pymongo.errors import PyMongoError

from backdrop.core.storage.postgres import server

START_APP = Path(__file__).resolve().parents[2] / "start-app.sh"


def free_port() -> int:
    """A port nobody listens on right now (bind to 0, read it back)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(probe: Callable[[], bool], proc: subprocess.Popen[bytes] | None, timeout: float,
          what: str) -> None:  # fmt: skip
    """Poll `probe` until it holds; raise if `proc` dies or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before {what}")
        if probe():
            return
        time.sleep(0.1)
    raise TimeoutError(f"no {what} within {timeout}s")


def wait_for_port(port: int, proc: subprocess.Popen[bytes] | None, timeout: float = 60) -> None:
    """Poll until something accepts connections on `port`; raise if `proc` dies or time runs out."""

    def listens() -> bool:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return True
        return False

    _wait(listens, proc, timeout, f"listening on port {port}")


def wait_for_mongodb(url: str, proc: subprocess.Popen[bytes] | None, timeout: float = 60) -> None:
    """Poll until the MongoDB-wire server at `url` answers a ping: a server that has just
    started can accept connections and reset them while it still opens its files."""

    def pings() -> bool:
        client: MongoClient[dict[str, object]] = MongoClient(
            url, serverSelectionTimeoutMS=500, connectTimeoutMS=500
        )
        try:
            client.admin.command("ping")
        except PyMongoError:
            return False
        finally:
            client.close()
        return True

    _wait(pings, proc, timeout, f"answer from {url}")


def wait_for_http(url: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    """Poll until `url` answers 2xx; raise if `proc` dies or time runs out."""

    def answers() -> bool:
        with contextlib.suppress(requests.RequestException):
            return requests.get(url, timeout=1).ok
        return False

    _wait(answers, proc, timeout, f"answer from {url}")


def stop(proc: subprocess.Popen[bytes], timeout: float = 30) -> None:
    """Terminate a server, killing it if it does not exit within `timeout` s. A server that
    leads its own process group (as `start_app` makes them) is signalled with its whole group,
    so gunicorn's workers go too."""

    def send(sig: signal.Signals) -> None:
        with contextlib.suppress(ProcessLookupError):
            if os.getpgid(proc.pid) == proc.pid:
                os.killpg(proc.pid, sig)
            else:
                proc.send_signal(sig)

    if proc.poll() is not None:
        return
    send(signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        send(signal.SIGKILL)
        proc.wait()


def start_app(args: list[str], env: Mapping[str, str]) -> subprocess.Popen[bytes]:
    """`start-app.sh ARGS` with `env` added to ours, in a process group of its own, quiet."""
    return subprocess.Popen(
        [str(START_APP), *args],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


@dataclass(frozen=True, slots=True)
class App:
    """A running app: its URL and its gunicorn master's pid."""

    url: str
    pid: int


@contextlib.contextmanager
def app(kind: str, env: Mapping[str, str]) -> Iterator[App]:
    """`start-app.sh read|write PORT` on a free port with `env`, ready once `/_status`
    answers; yields its URL and pid, and stops it afterwards."""
    port = free_port()
    proc = start_app([kind, str(port)], {**env, "LOG_LEVEL": "WARNING"})
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for_http(url + "/_status", proc)
        yield App(url, proc.pid)
    finally:
        stop(proc)


@contextlib.contextmanager
def embedded_database(data_dir: Path, engine: str = "mongodb") -> Iterator[str]:
    """`DATABASE_ENGINE=ENGINE start-app.sh db PORT` (the engine's embedded database) on a free
    port with its files under `data_dir`; yields its URL once it answers, and stops it
    afterwards. PostgreSQL answers once its `backdrop` database exists, after it listens."""
    port = free_port()
    env = {"BACKDROP_DATA_DIR": str(data_dir), "DATABASE_ENGINE": engine}
    proc = start_app(["db", str(port)], env)
    try:
        if engine == "postgres":
            url = server.url(port)
            _wait(lambda: _connects(url), proc, 60, f"connection to {url}")
        else:
            url = (
                f"mongodb://127.0.0.1:{port}/backdrop_bench?directConnection=true&retryWrites=false"
            )
            wait_for_mongodb(url, proc)
        yield url
    finally:
        stop(proc)


def _connects(url: str) -> bool:
    try:
        psycopg.connect(url, connect_timeout=2).close()
    except psycopg.OperationalError:
        return False
    return True
