"""The processes a benchmark run measures: the real apps under gunicorn (and the embedded
database when no URL is given), started with `start-app.sh` and stopped at the end."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(url: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url}: process exited with {proc.returncode}")
        with contextlib.suppress(requests.RequestException):
            if requests.get(url, timeout=1).ok:
                return
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout}s")


def _wait_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"port {port}: process exited with {proc.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.2)
    raise TimeoutError(f"nothing listened on {port} within {timeout}s")


@dataclass(frozen=True, slots=True)
class App:
    """A running app: its URL and its gunicorn master's pid."""

    url: str
    pid: int


def _start(args: list[str], env: Mapping[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(ROOT / "start-app.sh"), *args],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@contextlib.contextmanager
def embedded_database(data_dir: Path) -> Iterator[str]:
    """`start-app.sh db` on a free port; yields its URL."""
    port = free_port()
    proc = _start(["db", str(port)], {"BACKDROP_DATA_DIR": str(data_dir)})
    try:
        _wait_port(port, proc)
        yield f"mongodb://127.0.0.1:{port}/backdrop_bench?directConnection=true&retryWrites=false"
    finally:
        _stop(proc)


@contextlib.contextmanager
def app(kind: str, env: Mapping[str, str]) -> Iterator[App]:
    """`start-app.sh read|write` on a free port with `env`; yields its URL and pid."""
    port = free_port()
    proc = _start([kind, str(port)], {**env, "LOG_LEVEL": "WARNING"})
    try:
        url = f"http://127.0.0.1:{port}"
        _wait(url + "/_status", proc)
        yield App(url, proc.pid)
    finally:
        _stop(proc)


def peak_rss_kib(master_pid: int) -> int:
    """The largest peak resident set (VmHWM) among a gunicorn master's worker processes."""
    peaks = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            status = (entry / "status").read_text()
            fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
            if int(fields["PPid"].strip()) == master_pid:
                peaks.append(int(fields["VmHWM"].split()[0]))
    return max(peaks, default=0)
