"""Real servers for tests: the embedded database, the apps, a Stagecraft stand-in.

Shared by pytest fixtures and behave's environment. Every server runs on a free port with its
files in a temporary directory, becomes ready within a deadline, and is stopped afterwards.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from flask import Flask
from psycopg import sql
from pymongo import MongoClient
from werkzeug.serving import BaseWSGIServer, make_server

from tests.support.processes import free_port, stop, wait_for_mongodb


def db_command(port: int, data_dir: Path) -> list[str]:
    """What `./start-app.sh db` runs: every commit synced to disk (README, "Durability")."""
    return [
        sys.executable, "-m", "secantus", "--host", "127.0.0.1", "--port", str(port),
        "--storage-path", str(data_dir), "--log-level", "WARNING", "--sync-on-commit",
    ]  # fmt: skip


@contextlib.contextmanager
def embedded_mongodb(data_dir: Path) -> Iterator[str]:
    """An embedded SecantusDB server; yields its URL (database `backdrop_test`)."""
    existing = os.environ.get("BACKDROP_TEST_MONGODB_URL")
    if existing:
        yield existing
        return
    port = free_port()
    proc = subprocess.Popen(db_command(port, data_dir), stdout=subprocess.DEVNULL)
    try:
        url = f"mongodb://127.0.0.1:{port}/backdrop_test?directConnection=true&retryWrites=false"
        wait_for_mongodb(url, proc)
        yield url
    finally:
        stop(proc)


POSTGRES_SERVER_VARIABLE = "BACKDROP_TEST_POSTGRES_URL"
DEFAULT_POSTGRES_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"


@contextlib.contextmanager
def throwaway_postgres() -> Iterator[str]:
    """A new, empty database on the PostgreSQL server named by $BACKDROP_TEST_POSTGRES_URL
    (default: the local server); yields its URL and drops it afterwards."""
    server = os.environ.get(POSTGRES_SERVER_VARIABLE) or DEFAULT_POSTGRES_SERVER
    name = f"backdrop_test_{uuid.uuid4().hex[:12]}"
    database = sql.Identifier(name)
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(database))
    try:
        yield urlunsplit(urlsplit(server)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(database))


@contextlib.contextmanager
def another_mongodb_database(url: str) -> Iterator[str]:
    """The URL of a new, empty database on the same MongoDB server; dropped afterwards."""
    name = f"backdrop_test_{uuid.uuid4().hex[:12]}"
    parts = urlsplit(url)
    yield urlunsplit(parts._replace(path=f"/{name}"))
    client: MongoClient[dict[str, Any]] = MongoClient(url, directConnection=True)
    with client:
        client.drop_database(name)


class LiveServer:
    """A WSGI app served for real by werkzeug in a thread."""

    def __init__(self, app: Flask) -> None:
        self._server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> LiveServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)
