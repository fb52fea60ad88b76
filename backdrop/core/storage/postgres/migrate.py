"""Versioned SQL migrations, applied in order, once, by whichever process gets there first.

`migrations/NNN_name.sql` ship with the package. Each runs in the one transaction that records
it in `backdrop.schema_migrations`; every migration is written to be idempotent too. The read
app, the write app, the worker and `backdrop db migrate` may start together: a session-level
advisory lock serialises them, and a process that finds everything applied takes no lock. The
migrations run in a transaction begun after the lock is held, because only a new transaction is
sure to see the catalog the previous holder committed (an advisory lock does not refresh it).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

import psycopg

logger = logging.getLogger(__name__)

_LOCK_KEY = 0x6261636B64726F70  # "backdrop"
_FILE_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")
_BOOTSTRAP = """
CREATE SCHEMA IF NOT EXISTS backdrop;
CREATE TABLE IF NOT EXISTS backdrop.schema_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
);
"""


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    text: str


def migrations() -> list[Migration]:
    """Every migration shipped with this version of Backdrop, oldest first."""
    folder = resources.files("backdrop.core.storage.postgres") / "migrations"
    found = []
    for entry in folder.iterdir():
        match = _FILE_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    return sorted(found, key=lambda migration: migration.version)


def _applied(conn: psycopg.Connection[tuple[object, ...]]) -> set[int]:
    exists = conn.execute("SELECT to_regclass('backdrop.schema_migrations')").fetchone()
    if exists is None or exists[0] is None:
        return set()
    rows = conn.execute("SELECT version FROM backdrop.schema_migrations").fetchall()
    return {int(str(row[0])) for row in rows}


def migrate(
    conn: psycopg.Connection[tuple[object, ...]], wanted: Sequence[Migration] | None = None
) -> list[str]:
    """Apply the missing migrations (of `wanted`, by default every one shipped); the names of
    those this call applied ([] when none).

    Commits on success; raises the driver's error (nothing applied) on failure.
    """
    wanted = migrations() if wanted is None else wanted
    with conn.transaction():
        if {migration.version for migration in wanted} <= _applied(conn):
            return []
    applied: list[str] = []
    with conn.transaction():
        conn.execute("SELECT pg_advisory_lock(%s)", [_LOCK_KEY])
    try:
        with conn.transaction():
            conn.execute(_BOOTSTRAP)
            done = _applied(conn)
            for migration in wanted:
                if migration.version in done:
                    continue
                conn.execute(migration.text.encode("utf-8"))
                conn.execute(
                    "INSERT INTO backdrop.schema_migrations (version, name) VALUES (%s, %s)",
                    [migration.version, migration.name],
                )
                applied.append(f"{migration.version:03d}_{migration.name}")
    finally:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_unlock(%s)", [_LOCK_KEY])
    if applied:
        logger.info("database migrated", extra={"migrations": applied})
    return applied
