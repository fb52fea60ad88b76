"""The read and write apps as production runs them, for fault tests: `tests.support.processes.app`
starts `start-app.sh read|write` (gunicorn) and waits for `/_status`; here, what a test needs to
kill its worker and see the master start another."""

from __future__ import annotations

import contextlib
from pathlib import Path

import requests


def workers(master: int) -> list[int]:
    """The worker processes of the gunicorn master `master`."""
    pids: list[int] = []
    for task in Path(f"/proc/{master}/task").iterdir():
        with contextlib.suppress(OSError):
            pids += [int(pid) for pid in (task / "children").read_text().split()]
    return pids


def serving(url: str, master: int) -> bool:
    """A worker is up and answers `/_status`."""
    with contextlib.suppress(requests.RequestException):
        return bool(workers(master)) and requests.get(f"{url}/_status", timeout=2).ok
    return False
