"""The PostgreSQL engine (spec 5.2 reworked; 5.3: MongoDB's behaviour everywhere).

One table per data set (see `tables.py` and migrations/001_initial.sql), a catalog of data sets
with their caps, data versions and registry documents. psycopg 3 through one connection pool,
opened on first use so the apps start before the database answers; the first connection also
brings the schema up to date (`migrate.py`). Every write is one transaction: the batch, the cap,
the data-version bump.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

import psycopg
from psycopg import sql
from psycopg.types.json import set_json_loads
from psycopg_pool import ConnectionPool, PoolTimeout

from backdrop.core.errors import StorageError, StorageUnavailable, TooManyRows
from backdrop.core.query import Query
from backdrop.core.storage.base import Dispatch, Document, Record, Row, Storage
from backdrop.core.storage.postgres import codec, documents, outbox
from backdrop.core.storage.postgres.aggregate import (
    NeedsPrecise,
    fast_rows,
    fast_statement,
    group_statement,
    to_rows,
)
from backdrop.core.storage.postgres.migrate import migrate
from backdrop.core.storage.postgres.sql import find_statement, numeric_sort
from backdrop.core.storage.postgres.tables import (
    BUMP_VERSION,
    CREATE_STAGING,
    merge,
    stage,
    table,
    table_name,
    trim,
    upsert,
)
from backdrop.core.timeutils import now

logger = logging.getLogger(__name__)

Connection = psycopg.Connection[tuple[Any, ...]]
_STREAM_ROWS = 2000
CAPPED_SIZE = "SELECT capped_size FROM backdrop.data_sets WHERE name = %s"


class _MissingTable(StorageError):
    """The data set has no table (never created, or dropped meanwhile)."""


@contextlib.contextmanager
def _driver_errors() -> Iterator[None]:
    """Turn every psycopg failure into StorageError at the engine's edge."""
    try:
        yield
    except psycopg.errors.UndefinedTable as exc:
        raise _MissingTable("data set table missing") from exc
    except (PoolTimeout, psycopg.OperationalError) as exc:
        raise StorageUnavailable("PostgreSQL is unavailable") from exc
    except psycopg.Error as exc:
        raise StorageError(f"PostgreSQL failed: {type(exc).__name__}") from exc


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
    conn.execute(CREATE_STAGING)
    conn.commit()


def _within(rows: list[tuple[Any, ...]], max_rows: int | None) -> list[tuple[Any, ...]]:
    if max_rows is not None and len(rows) > max_rows:
        raise TooManyRows(max_rows)
    return rows


class PostgresStorage(Storage):
    """Storage on PostgreSQL (>= 13) through one `psycopg_pool.ConnectionPool`."""

    def __init__(self, url: str, *, max_connections: int = 10, timeout: float = 10.0) -> None:
        self._pool = ConnectionPool(
            url,
            min_size=1,
            max_size=max_connections,
            timeout=timeout,
            open=False,
            configure=_configure,
            name="backdrop",
        )
        self._start = threading.Lock()
        self._opened = False
        self._migrated = threading.Event()

    def close(self) -> None:
        with self._start:
            if self._opened:
                self._pool.close()

    @contextlib.contextmanager
    def _connection(self, *, reading: bool = False) -> Iterator[Connection]:
        """A pooled connection in a transaction, committed when the block succeeds; or, for
        `reading`, in autocommit: reads need no transaction, no COMMIT round trip, and a
        refused statement leaves the connection usable without a savepoint."""
        with _driver_errors():
            self._ensure_ready()
            with self._pool.connection() as conn:
                if not reading:
                    yield conn
                    return
                conn.autocommit = True
                try:
                    yield conn
                finally:
                    conn.autocommit = False

    def _ensure_ready(self) -> list[str]:
        """Open the pool and migrate the schema, once per instance; what was applied now."""
        if self._migrated.is_set():
            return []
        with self._start:
            if not self._opened:
                self._pool.open(wait=False)
                self._opened = True
            if self._migrated.is_set():
                return []
            with self._pool.connection() as conn:
                applied = migrate(conn)
            self._migrated.set()
            return applied

    def migrate(self) -> list[str]:
        with _driver_errors():
            applied = self._ensure_ready()
            with self._pool.connection() as conn:
                return applied + migrate(conn)

    def ping(self) -> None:
        with self._connection(reading=True) as conn:
            conn.execute("SELECT 1")

    # -- data sets -------------------------------------------------------------------------

    def data_set_exists(self, data_set: str) -> bool:
        with self._connection(reading=True) as conn:
            found = conn.execute(
                "SELECT 1 FROM backdrop.data_sets WHERE name = %s", [data_set]
            ).fetchone()
        return found is not None

    def create_data_set(self, data_set: str, capped_size: int | None) -> None:
        if self.data_set_exists(data_set):
            return
        with self._connection() as conn:
            created = conn.execute(
                "INSERT INTO backdrop.data_sets (name, table_name, capped_size)"
                " VALUES (%s, %s, %s) ON CONFLICT (name) DO NOTHING RETURNING name",
                [data_set, table_name(data_set), capped_size or None],
            ).fetchone()
            if created is not None:  # a racing creator waited on our row, then did nothing
                conn.execute("SELECT backdrop.create_records_table(%s)", [table_name(data_set)])

    def drop_data_set(self, data_set: str) -> bool:
        with self._connection() as conn:
            dropped = conn.execute(
                "DELETE FROM backdrop.data_sets WHERE name = %s RETURNING name", [data_set]
            ).fetchone()
            if dropped is None:
                return False
            conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(table(data_set)))
            conn.execute(BUMP_VERSION, [data_set])
        return True

    def empty_data_set(self, data_set: str) -> None:
        with contextlib.suppress(_MissingTable), self._connection() as conn:
            conn.execute(sql.SQL("DELETE FROM {}").format(table(data_set)))
            conn.execute(BUMP_VERSION, [data_set])

    def data_sets(self) -> dict[str, int | None]:
        with self._connection(reading=True) as conn:
            rows = conn.execute(
                "SELECT name, capped_size FROM backdrop.data_sets ORDER BY name"
            ).fetchall()
        return {str(name): (int(size) if size else None) for name, size in rows}

    def count_records(self, data_set: str) -> int:
        try:
            with self._connection(reading=True) as conn:
                found = conn.execute(
                    sql.SQL("SELECT count(*) FROM {}").format(table(data_set))
                ).fetchone()
        except _MissingTable:
            return 0
        return int(found[0]) if found else 0

    # -- records ---------------------------------------------------------------------------

    def save(
        self, data_set: str, records: Sequence[Record], *, dispatch: Dispatch | None = None
    ) -> None:
        if not records:
            if dispatch is not None:
                self.add_dispatch(dispatch)
            return
        self._write(data_set, codec.rows(records, codec.to_millis(now())), True, dispatch)

    def import_records(self, data_set: str, records: Sequence[Record]) -> None:
        if records:
            self._write(data_set, codec.rows(records), False)

    def _write(
        self,
        data_set: str,
        rows: Sequence[Sequence[Any]],
        saving: bool,
        dispatch: Dispatch | None = None,
    ) -> None:
        """One transaction: the batch upsert, the cap, the version bump, the outbox entry. When
        `saving` (not importing) the period keys are derived and the cap applies. The data set
        is created (uncapped) when it does not exist, as MongoDB does on insert."""
        for attempt in range(2):
            try:
                with self._connection() as conn:
                    capped = conn.execute(CAPPED_SIZE, [data_set]).fetchone()
                    stage(conn, rows)
                    with conn.pipeline():
                        conn.execute(upsert(data_set, derive=saving))
                        if saving and capped is not None and capped[0]:
                            conn.execute(trim(data_set), [data_set])
                        conn.execute(BUMP_VERSION, [data_set])
                        if dispatch is not None:
                            outbox.add(conn, dispatch)
                return
            except _MissingTable:
                if attempt:
                    raise
                self.create_data_set(data_set, None)

    def patch_record(self, data_set: str, record_id: str, fields: Mapping[str, Any]) -> bool:
        if "_id" in fields:
            raise StorageError("The _id of a record cannot be changed")
        statement, params = merge(data_set, {**fields, "_updated_at": now()})
        try:
            with self._connection() as conn:
                matched = conn.execute(statement, [*params, record_id]).rowcount
                if matched:
                    conn.execute(BUMP_VERSION, [data_set])
        except _MissingTable:
            return False
        return matched > 0

    def delete_record(self, data_set: str, record_id: str) -> bool:
        try:
            with self._connection() as conn:
                deleted = conn.execute(
                    sql.SQL("DELETE FROM {} WHERE id = %s").format(table(data_set)), [record_id]
                ).rowcount
                if deleted:
                    conn.execute(BUMP_VERSION, [data_set])
        except _MissingTable:
            return False
        return deleted > 0

    def find(self, data_set: str, query: Query) -> Iterator[Record]:
        statement = find_statement(table(data_set), query)
        try:
            if query.limit:
                with self._connection(reading=True) as conn:
                    rows = self._sorted_numerically(conn, data_set, query)
                    if rows is None:
                        rows = conn.execute(statement.text, statement.params).fetchall()
                yield from (codec.join(row) for row in rows)
                return
            # A server-side cursor needs a transaction.
            with self._connection() as conn, conn.cursor(name="backdrop_find") as cursor:
                cursor.itersize = _STREAM_ROWS
                cursor.execute(statement.text, statement.params)
                yield from (codec.join(row) for row in cursor)
        except _MissingTable:
            return

    @staticmethod
    def _sorted_numerically(
        conn: Connection, data_set: str, query: Query
    ) -> list[tuple[Any, ...]] | None:
        """A limited read sorted by a field whose values are all numbers, as plain SQL sorts;
        None when some value is not a number (then only the typed order is right)."""
        if not numeric_sort(query):
            return None
        statement = find_statement(table(data_set), query, numeric=True)
        try:
            return conn.execute(statement.text, statement.params).fetchall()
        except psycopg.errors.InvalidParameterValue:
            return None

    def run(self, data_set: str, query: Query, *, max_rows: int | None = None) -> list[Row]:
        limit = max_rows + 1 if max_rows is not None else None
        try:
            with self._connection(reading=True) as conn:
                try:
                    for text_keys in (True, False) if query.group_by else (False,):
                        fast = fast_statement(
                            table(data_set), query, text_keys=text_keys, limit=limit
                        )
                        found = _within(conn.execute(fast.text, fast.params).fetchall(), max_rows)
                        rows = fast_rows(query, found, text_keys=text_keys)
                        if rows is not None:
                            return rows
                except (psycopg.errors.InvalidParameterValue, NeedsPrecise):
                    pass  # a summed value is not an integer: type every value (aggregate.py)
                precise = group_statement(table(data_set), query, limit=limit)
                found = _within(conn.execute(precise.text, precise.params).fetchall(), max_rows)
                return to_rows(query, found)
        except _MissingTable:
            return []

    def data_version(self, data_set: str) -> str:
        select = "SELECT version FROM backdrop.data_versions WHERE data_set = %s"
        with self._connection(reading=True) as conn:
            found = conn.execute(select, [data_set]).fetchone()
            if found is None:
                # Never changed through us (e.g. a copied database): start one.
                conn.execute(
                    "INSERT INTO backdrop.data_versions (data_set, version)"
                    " VALUES (%s, gen_random_uuid()::text) ON CONFLICT (data_set) DO NOTHING",
                    [data_set],
                )
                found = conn.execute(select, [data_set]).fetchone()
        return str(found[0]) if found else ""

    def last_updated(self, data_sets: Sequence[str]) -> dict[str, datetime | None]:
        newest: dict[str, datetime | None] = dict.fromkeys(data_sets)
        for attempt in range(2):
            try:
                newest.update(self._newest(data_sets))
                return newest
            except _MissingTable:  # dropped between the two statements: look again
                if attempt:
                    raise
        return newest

    def _newest(self, data_sets: Sequence[str]) -> dict[str, datetime | None]:
        with self._connection(reading=True) as conn:
            names = [
                str(row[0])
                for row in conn.execute(
                    "SELECT name FROM backdrop.data_sets WHERE name = ANY(%s)", [list(data_sets)]
                )
            ]
            if not names:
                return {}
            newest = sql.SQL(
                "SELECT %s::text, COALESCE((SELECT max(_timestamp) FROM {table}),"
                " (SELECT max(_updated_at) FROM {table}))"
            )
            statement = sql.SQL(" UNION ALL ").join(newest.format(table=table(n)) for n in names)
            return {str(name): moment for name, moment in conn.execute(statement, names)}

    # -- the transform outbox ------------------------------------------------------------------

    def add_dispatch(self, dispatch: Dispatch) -> None:
        with self._connection() as conn:
            outbox.add(conn, dispatch)

    def claim_dispatches(
        self, limit: int, lease_seconds: float, *, min_age: float = 0.0
    ) -> list[Dispatch]:
        with self._connection() as conn:
            return outbox.claim(conn, limit, lease_seconds, min_age)

    def finish_dispatch(self, dispatch_id: str) -> None:
        with self._connection(reading=True) as conn:
            outbox.finish(conn, dispatch_id)

    def count_dispatches(self) -> int:
        with self._connection(reading=True) as conn:
            return outbox.count(conn)

    # -- documents of the built-in registry ----------------------------------------------------

    def get_document(self, kind: str, key: str) -> Document | None:
        with self._connection(reading=True) as conn:
            return documents.get(conn, kind, key)

    def find_documents(self, kind: str, where: Mapping[str, Any] | None = None) -> list[Document]:
        with self._connection(reading=True) as conn:
            return documents.find(conn, kind, where or {})

    def put_document(self, kind: str, key: str, document: Mapping[str, Any]) -> None:
        with self._connection() as conn:
            documents.put(conn, kind, key, document)

    def delete_document(self, kind: str, key: str) -> bool:
        with self._connection() as conn:
            return documents.delete(conn, kind, key)

    def all_documents(self) -> Iterator[tuple[str, str, Document]]:
        with self._connection() as conn:
            yield from documents.every(conn)
