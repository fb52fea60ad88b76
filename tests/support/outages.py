"""Databases that go away and come back, for outage tests: a server of each engine on a port of
its own that a test stops and starts again, and a listener that accepts connections and never
answers (a hung server). Each is cleaned up by its context manager, even when the test fails."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol

from tests.support.servers import db_command, free_port, wait_for_port

_PG_BIN = Path("/usr/lib/postgresql")


def postgres_url(port: int) -> str:
    return f"postgresql://postgres@127.0.0.1:{port}/postgres"


def mongodb_url(port: int) -> str:
    return f"mongodb://127.0.0.1:{port}/backdrop_test?directConnection=true&retryWrites=false"


class Restartable(Protocol):
    """A database server on a fixed port, stopped until `start()`."""

    url: str

    def start(self) -> None: ...

    def stop(self) -> None: ...


def _postgres_bin() -> Path:
    """The newest installed PostgreSQL's binaries (run_tests.sh installs them if missing)."""
    found = sorted(
        _PG_BIN.glob("*/bin"),
        key=lambda path: [int(part) for part in re.findall(r"\d+", path.parent.name)],
    )
    if not found:
        raise RuntimeError(f"no PostgreSQL binaries under {_PG_BIN}")
    return found[-1]


class RestartablePostgres:
    """A throw-away PostgreSQL cluster (`initdb` in a temporary directory, trust auth) on a
    free port; as root, it runs as the `postgres` user, as PostgreSQL insists."""

    def __init__(self, directory: Path) -> None:
        self._bin = _postgres_bin()
        self._dir = directory
        self._as: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(directory, "postgres")
            self._as = ["runuser", "-u", "postgres", "--"]
        self.port = free_port()
        self.url = postgres_url(self.port)
        self._running = False
        self._run("initdb", "-D", str(directory / "data"), "-U", "postgres", "-A", "trust",
                  "--no-sync")  # fmt: skip

    def _run(self, program: str, *args: str) -> None:
        subprocess.run(
            [*self._as, str(self._bin / program), *args],
            check=True, stdout=subprocess.DEVNULL, timeout=60,
        )  # fmt: skip

    def start(self) -> None:
        options = f"-h 127.0.0.1 -p {self.port} -k {self._dir} -c fsync=off"
        self._run("pg_ctl", "-s", "-w", "-t", "30", "-D", str(self._dir / "data"),
                  "-l", str(self._dir / "log"), "-o", options, "start")  # fmt: skip
        self._running = True

    def stop(self) -> None:
        """Stop at once, as a crash would (the next start recovers from the log)."""
        if self._running:
            self._run("pg_ctl", "-s", "-w", "-D", str(self._dir / "data"), "-m", "immediate",
                      "stop")  # fmt: skip
            self._running = False


class RestartableMongo:
    """The embedded SecantusDB server on a free port; `stop()` kills it, as a crash would."""

    def __init__(self, directory: Path) -> None:
        self._dir = directory
        self.port = free_port()
        self.url = mongodb_url(self.port)
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self._proc = subprocess.Popen(db_command(self.port, self._dir), stdout=subprocess.DEVNULL)
        wait_for_port(self.port, self._proc)

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait(timeout=20)
            self._proc = None


@contextlib.contextmanager
def restartable(make: Callable[[Path], Restartable]) -> Iterator[Restartable]:
    """A stopped server made by `make` (an engine's `restartable`) in a new temporary
    directory; stopped and removed after."""
    directory = Path(tempfile.mkdtemp(prefix="backdrop-outage."))
    try:
        server = make(directory)
        try:
            yield server
        finally:
            server.stop()
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@contextlib.contextmanager
def silent_listener() -> Iterator[int]:
    """A port that accepts connections (the kernel completes them from the backlog) and never
    sends a byte; yields the port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(128)
        yield int(sock.getsockname()[1])
