"""Databases that go away and come back, for outage tests: a server of each engine on a port of
its own that a test stops and starts again, and a listener that accepts connections and never
answers (a hung server). Each is cleaned up by its context manager, even when the test fails."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol

from tests.support.pg_cluster import Cluster
from tests.support.processes import free_port, wait_for_mongodb
from tests.support.servers import db_command


def postgres_url(port: int) -> str:
    return f"postgresql://postgres@127.0.0.1:{port}/postgres"


def mongodb_url(port: int) -> str:
    return f"mongodb://127.0.0.1:{port}/backdrop_test?directConnection=true&retryWrites=false"


class Restartable(Protocol):
    """A database server on a fixed port, stopped until `start()`."""

    url: str

    def start(self) -> None: ...

    def stop(self) -> None: ...


class RestartablePostgres:
    """A throw-away PostgreSQL cluster (embedded binaries, trust auth) on a free port."""

    def __init__(self, directory: Path) -> None:
        self._cluster = Cluster(directory)
        self.port = self._cluster.port
        self.url = postgres_url(self.port)
        self._cluster.initdb()

    def start(self) -> None:
        self._cluster.start()

    def stop(self) -> None:
        """Stop at once, as a crash would (the next start recovers from the log)."""
        self._cluster.stop("immediate")


class RestartableMongo:
    """The embedded SecantusDB server on a free port; `stop()` kills it, as a crash would."""

    def __init__(self, directory: Path) -> None:
        self._dir = directory
        self.port = free_port()
        self.url = mongodb_url(self.port)
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self._proc = subprocess.Popen(db_command(self.port, self._dir), stdout=subprocess.DEVNULL)
        wait_for_mongodb(self.url, self._proc)

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
