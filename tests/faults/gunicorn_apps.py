"""The read or write app as production runs it, for fault tests: `start-app.sh read|write`
(gunicorn, one worker) in its own process group, ready when `/_status` answers, stopped at the
end. Its worker can be killed; the master then starts another."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import requests

from tests.support.servers import free_port
from tests.support.worker import poll

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class App:
    """A running app: its URL and its gunicorn master."""

    url: str
    master: subprocess.Popen[bytes]

    def workers(self) -> list[int]:
        """The master's worker processes."""
        pids: list[int] = []
        for task in Path(f"/proc/{self.master.pid}/task").iterdir():
            with contextlib.suppress(OSError):
                pids += [int(pid) for pid in (task / "children").read_text().split()]
        return pids

    def ready(self) -> bool:
        with contextlib.suppress(requests.RequestException):
            return bool(self.workers()) and requests.get(f"{self.url}/_status", timeout=2).ok
        return False


@contextlib.contextmanager
def gunicorn_app(kind: str, env: Mapping[str, str]) -> Iterator[App]:
    """`start-app.sh <kind>` with `env` added to ours; yields once it answers."""
    port = free_port()
    master = subprocess.Popen(
        [str(ROOT / "start-app.sh"), kind, str(port)],
        env={**os.environ, **env, "WEB_CONCURRENCY": "1", "LOG_LEVEL": "WARNING"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    app = App(f"http://127.0.0.1:{port}", master)
    try:
        poll(app.ready, timeout=60, alive=lambda: master.poll() is None, what=f"the {kind} app")
        yield app
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(master.pid, signal.SIGTERM)
        try:
            master.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(master.pid, signal.SIGKILL)
            master.wait()
