"""The transform outbox in `backdrop.outbox` (migrations/002_outbox.sql)."""

from __future__ import annotations

from typing import Any

import psycopg

from backdrop.core.storage.base import Dispatch

Connection = psycopg.Connection[tuple[Any, ...]]

_INSERT = (
    "INSERT INTO backdrop.outbox (id, data_set, earliest, latest) VALUES (%s, %s, %s, %s)"
    " ON CONFLICT (id) DO NOTHING"
)
# SKIP LOCKED: claimers running together each take other rows instead of waiting.
_CLAIM = (
    "UPDATE backdrop.outbox SET available_at = now() + make_interval(secs => %s),"
    " attempts = attempts + 1"
    " WHERE id IN (SELECT id FROM backdrop.outbox WHERE available_at <= now()"
    " AND created_at <= now() - make_interval(secs => %s)"
    " ORDER BY created_at, id LIMIT %s FOR UPDATE SKIP LOCKED)"
    " RETURNING id, data_set, earliest, latest, created_at"
)


def add(conn: Connection, dispatch: Dispatch) -> None:
    conn.execute(_INSERT, [dispatch.id, dispatch.data_set, dispatch.earliest, dispatch.latest])


def claim(conn: Connection, limit: int, lease_seconds: float, min_age: float) -> list[Dispatch]:
    rows = conn.execute(_CLAIM, [lease_seconds, min_age, limit]).fetchall()
    rows.sort(key=lambda row: (row[4], row[0]))
    return [Dispatch(str(row[0]), str(row[1]), row[2], row[3]) for row in rows]


def finish(conn: Connection, dispatch_id: str) -> None:
    conn.execute("DELETE FROM backdrop.outbox WHERE id = %s", [dispatch_id])


def count(conn: Connection) -> int:
    found = conn.execute("SELECT count(*) FROM backdrop.outbox").fetchone()
    return int(found[0]) if found else 0
