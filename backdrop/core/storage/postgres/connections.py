"""The engine's connections: one `psycopg_pool.ConnectionPool`, the first-use migration, the
circuit breaker and the retry of conflicting transactions, behind one door (`connection`).

A database that cannot be reached costs a request at most `timeout` seconds, never a queue:

- the pool hands out a connection within `timeout` or raises PoolTimeout; libpq gives up on a
  connection attempt after `connect_timeout` (the timeout, 2 s at least: libpq's minimum), so a
  listener that accepts and never answers is abandoned too;
- after a failure to reach the database the breaker answers for it for `COOLDOWN` seconds, then
  lets one probe through; a pool that is only busy (every connection lent out) is no such
  failure (`PoolBusy`);
- the pool gives up a failing background connection attempt after one retry, at once, instead
  of backing off for minutes (psycopg_pool's default, during which no other attempt starts): it
  connects again as soon as a request asks, so a database that returns after any outage is used
  at the next probe (or, after one that accepted connections and never answered, once the
  attempts hanging on it have given up: two libpq connect timeouts at most);
- each connection is checked when it leaves the pool, without a round trip, so one broken by a
  database restart is replaced at once instead of failing a request (`_pooled`; psycopg_pool's
  own `check` would sleep a second before trying the next one);
- the first use opens the pool and migrates the schema under a lock that nobody waits for
  longer than `timeout`;
- a hot standby (`DATABASE_READ_URL`) is served as it is: it gets no staging table and no
  migration (it replays the primary's), and answers 503 until it has the primary's schema;
- `pinned()` lends one connection for a series of statements that see the database's states
  in order (each statement a snapshot at least as new as the one before, even behind a load
  balancer over several standbys): the response cache's version and answer come from one.
"""

from __future__ import annotations

import contextlib
import logging
import math
import random
import select
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypedDict, TypeVar

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg.types.json import set_json_loads
from psycopg_pool import ConnectionPool, PoolTimeout

from backdrop.core.breaker import CircuitBreaker
from backdrop.core.errors import StorageBusy, StorageUnavailable
from backdrop.core.storage.postgres import codec
from backdrop.core.storage.postgres.errors import UNAVAILABLE, Conflict, PostgresSeam
from backdrop.core.storage.postgres.migrate import migrate
from backdrop.core.storage.postgres.tables import CREATE_STAGING

logger = logging.getLogger(__name__)

Connection = psycopg.Connection[tuple[Any, ...]]
T = TypeVar("T")

COOLDOWN = 1.0  # seconds the breaker stays open before it lets a probe through
_MIN_CONNECT_TIMEOUT = 2  # libpq treats anything lower (but 0, "forever") as 2 s


@dataclass(frozen=True, slots=True)
class Retry:
    """How often a transaction that deadlocked or failed to serialise runs again: up to
    `attempts` runs in all, waiting a random time below `base_delay * 2**n` seconds before
    the n-th rerun (full jitter, so the writers that collided do not collide again)."""

    attempts: int = 5
    base_delay: float = 0.02

    def delay(self, attempt: int) -> float:
        return random.uniform(0, self.base_delay * 2**attempt)


class PoolOptions(TypedDict, total=False):
    """How a pool of connections is sized and retries conflicting transactions (the defaults:
    `Connections`)."""

    max_connections: int
    retry: Retry


def conninfo(url: str, timeout: float) -> str:
    """The URL with libpq's `connect_timeout` from `timeout`, unless the URL sets one."""
    if "connect_timeout" in conninfo_to_dict(url):
        return url
    return make_conninfo(url, connect_timeout=max(_MIN_CONNECT_TIMEOUT, math.ceil(timeout)))


def _closed_by_server(conn: Connection) -> bool:
    """Has the server closed this idle pooled connection (restarted, stopped, or it ended the
    session)? An idle connection has nothing to read unless the server sent something: its
    goodbye (an error, then end of file), or, rarely, a notice; either way a new connection is
    the safe choice. One `poll()`, where psycopg_pool's `check_connection` costs a round trip
    (+40% on the smallest calls)."""
    poller = select.poll()
    poller.register(conn.fileno(), select.POLLIN)
    return bool(poller.poll(0))


def _configure(conn: Connection) -> None:
    """Every pooled connection: UTC datetimes, JSONB through `codec.loads`, plans per call,
    memory enough for grouping in a hash table (the planner cannot know how few distinct values
    a JSONB field has, and with the default 4 MB it sorts on disk instead), and no JIT: it saves
    nothing on these statements, and costs 100+ ms to compile whenever a large table makes a
    statement look expensive."""
    conn.prepare_threshold = None
    set_json_loads(codec.loads, conn)
    conn.execute("SET TIME ZONE 'UTC'")
    conn.execute("SET work_mem = '64MB'")
    conn.execute("SET jit = off")
    if not _standby(conn):  # a standby takes no writes, not even to a temporary table
        conn.execute(CREATE_STAGING)
    conn.commit()


def _standby(conn: Connection) -> bool:
    found = conn.execute("SELECT pg_is_in_recovery()").fetchone()
    return bool(found and found[0])


def _left(deadline: float) -> float:
    """Seconds until `deadline`; a little more than none once it has passed, so a ready
    connection is still taken (psycopg_pool refuses any wait of 0 at once)."""
    return max(deadline - time.monotonic(), 0.001)


class PoolBusy(StorageUnavailable):
    """No pooled connection came free in time, while the database answers the others."""


class Connections:
    """Pooled connections to one database, shared by threads (module docstring)."""

    def __init__(
        self,
        url: str,
        *,
        timeout: float,
        max_connections: int = 10,
        retry: Retry | None = None,
    ) -> None:
        self._timeout = timeout
        self._retry = retry or Retry()
        self._pool = ConnectionPool(
            conninfo(url, timeout),
            min_size=1,
            max_size=max_connections,
            timeout=timeout,
            reconnect_timeout=0,
            open=False,
            configure=_configure,
            name="backdrop",
        )
        self._seam = PostgresSeam(CircuitBreaker(COOLDOWN))
        self._start = threading.Lock()
        self._opened = False
        self._migrated = threading.Event()
        self._lent: set[int] = set()  # connections taken from the pool, not yet given back

    def close(self) -> None:
        with self._start:
            if self._opened:
                self._pool.close()

    @contextlib.contextmanager
    def connection(self, *, reading: bool = False) -> Iterator[Connection]:
        """A pooled connection in a transaction, committed when the block succeeds; or, for
        `reading`, in autocommit: reads need no transaction, no COMMIT round trip, and a
        refused statement leaves the connection usable without a savepoint.

        Raises StorageUnavailable at once while the breaker is open; every driver error comes
        out translated (errors.py)."""
        with self._seam.guard("connection"):
            deadline = time.monotonic() + self._timeout
            self._ensure_ready(deadline)
            with self._pooled(deadline) as conn:
                if not reading:
                    yield conn
                    return
                conn.autocommit = True
                try:
                    yield conn
                finally:
                    conn.autocommit = False

    @contextlib.contextmanager
    def _pooled(self, deadline: float) -> Iterator[Connection]:
        """A live connection from the pool by `deadline`, in a transaction committed when the
        block succeeds (as `ConnectionPool.connection`); ones the server closed meanwhile are
        closed, so the pool replaces them, and the next is taken at once."""
        conn = self._take(deadline)
        while _closed_by_server(conn):
            conn.close()
            self._give_back(conn)
            conn = self._take(deadline)
        try:
            with conn:
                yield conn
        finally:
            self._give_back(conn)

    def _take(self, deadline: float) -> Connection:
        """A connection by `deadline`. When there is none to be had while others are lent out,
        the database answers and the pool is merely busy: PoolBusy, a 503 that leaves the
        breaker closed (opening it would refuse every request for a busy moment)."""
        try:
            conn = self._pool.getconn(timeout=_left(deadline))
        except PoolTimeout as exc:
            if not self._lent:
                raise
            logger.warning("database pool busy", extra={"lent": len(self._lent)})
            raise PoolBusy(UNAVAILABLE) from exc
        self._lent.add(id(conn))
        return conn

    def _give_back(self, conn: Connection) -> None:
        self._lent.discard(id(conn))
        self._pool.putconn(conn)

    @contextlib.contextmanager
    def pinned(self) -> Iterator[Pinned]:
        """One pooled connection for a series of statements, each its own snapshot (autocommit)
        and none older than the one before: one session on one server (module docstring)."""
        with self.connection(reading=True) as conn:
            yield Pinned(conn, self._seam)

    def transaction(self, work: Callable[[Connection], T]) -> T:
        """`work` in one transaction, run again from the start when it deadlocked or failed to
        serialise against a concurrent one (nothing of a failed run is kept); StorageBusy once
        `Retry.attempts` runs all conflicted."""
        attempt = 1
        while True:
            try:
                with self.connection() as conn:
                    return work(conn)
            except Conflict as exc:
                if attempt >= self._retry.attempts:
                    raise StorageBusy(str(exc)) from exc.__cause__
            time.sleep(self._retry.delay(attempt))
            attempt += 1

    def migrate(self) -> list[str]:
        """Apply the missing migrations now; the names of those applied (by this call or by
        this instance's first use, if that happened just now)."""
        with self._seam.guard("migrate"):
            deadline = time.monotonic() + self._timeout
            applied = self._ensure_ready(deadline)
            with self._pooled(deadline) as conn:
                return applied + migrate(conn)

    def _ensure_ready(self, deadline: float) -> list[str]:
        """Open the pool and migrate the schema, once per instance; what was applied now.

        Whoever comes first does it under `_start`; nobody waits for the lock, nor for a
        connection, past the call's `deadline` (then the database counts as unavailable)."""
        if self._migrated.is_set():
            return []
        if not self._start.acquire(timeout=_left(deadline)):
            raise StorageUnavailable(UNAVAILABLE)
        try:
            if not self._opened:
                self._pool.open(wait=False)
                self._opened = True
            if self._migrated.is_set():
                return []
            with self._pooled(deadline) as conn:
                try:
                    applied = migrate(conn)
                except psycopg.errors.ReadOnlySqlTransaction as exc:
                    # A standby that has not yet replayed the primary's migrations.
                    raise StorageUnavailable(UNAVAILABLE) from exc
            self._migrated.set()
            return applied
        finally:
            self._start.release()


class Pinned:
    """A connection lent by `Connections.pinned`, with the same two doors as `Connections`:
    statements run in autocommit unless a transaction is asked for; errors are translated."""

    def __init__(self, conn: Connection, seam: PostgresSeam) -> None:
        self._conn = conn
        self._seam = seam

    @contextlib.contextmanager
    def connection(self, *, reading: bool = False) -> Iterator[Connection]:
        with self._seam.guard("pinned connection", admitted=True):
            if reading:
                yield self._conn
                return
            with self._conn.transaction():
                yield self._conn

    def transaction(self, work: Callable[[Connection], T]) -> T:
        """`work` in one transaction, once: a pinned series is for reads, which never conflict."""
        with self.connection() as conn:
            return work(conn)
