"""`CREATE DATABASE` for `backdrop db copy --to postgresql://…/NAME` when NAME does not exist.

libpq reports a missing database only in its message text, so the check asks the server's
catalogue instead: through the `postgres` maintenance database of the same server.
"""

from __future__ import annotations

import math
from urllib.parse import unquote, urlsplit, urlunsplit

import psycopg
from psycopg import sql

from backdrop.core.errors import DatabaseMissing, StorageUnavailable

MAINTENANCE_DATABASE = "postgres"


def ensure_database(url: str, timeout: float) -> bool:
    """True when the database was created now, False when it was there already."""
    connect_timeout = max(1, math.ceil(timeout))  # libpq takes whole seconds
    try:
        psycopg.connect(url, connect_timeout=connect_timeout).close()
        return False
    except psycopg.OperationalError:
        pass  # missing, refused or unreachable: the catalogue tells which
    parts = urlsplit(url)
    name = unquote(parts.path.lstrip("/"))
    if not name:
        return False
    maintenance = urlunsplit(parts._replace(path=f"/{MAINTENANCE_DATABASE}"))
    try:
        with psycopg.connect(maintenance, connect_timeout=connect_timeout, autocommit=True) as conn:
            if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
                raise StorageUnavailable("PostgreSQL is unavailable")  # there, yet refused us
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.errors.InsufficientPrivilege as exc:
        raise DatabaseMissing(
            f'database "{name}" does not exist, and this user may not create it'
        ) from exc
    except psycopg.OperationalError as exc:
        raise StorageUnavailable("PostgreSQL is unavailable") from exc
    return True
