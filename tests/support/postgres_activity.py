"""What a PostgreSQL database's other sessions are doing, for lock and deadlock tests and the
write measurements: polled from `pg_stat_activity` and `pg_stat_database`."""

from __future__ import annotations

import time

import psycopg

_OTHERS = (
    "SELECT count(*) FROM pg_stat_activity"
    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
)
_WAITING = _OTHERS + " AND wait_event_type = 'Lock'"


def _count(conn: psycopg.Connection[tuple[object, ...]], statement: str) -> int:
    found = conn.execute(statement).fetchone()
    return int(str(found[0])) if found else 0


def _wait(url: str, statement: str, wanted: bool, seconds: float) -> bool:
    """Poll `statement` (a count) until it is non-zero (`wanted`) or zero (not `wanted`);
    whether that happened within `seconds`."""
    with psycopg.connect(url, autocommit=True) as conn:
        deadline = time.monotonic() + seconds
        while (_count(conn, statement) > 0) != wanted:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
    return True


def wait_until_blocked(url: str) -> None:
    """Until another session of the database waits for a lock (10 s at most)."""
    if not _wait(url, _WAITING, True, 10):
        raise TimeoutError("no session waited for a lock")


def deadlocks(url: str) -> int:
    """The database's deadlock count, once every other session has gone (a session reports its
    counters when idle now and then, and when it exits at the latest); 10 s at most."""
    _wait(url, _OTHERS, False, 10)
    with psycopg.connect(url, autocommit=True) as conn:
        return _count(
            conn, "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()"
        )
