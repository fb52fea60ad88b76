"""The PostgreSQL engine (spec 5.2 reworked; 5.3: MongoDB's behaviour everywhere).

One table per data set (see `tables.py` and migrations/001_initial.sql), a catalog of data sets
with their caps, data versions, registry documents and the transform outbox. psycopg 3 through
one connection pool, opened on first use so the apps start before the database answers; the
first connection also brings the schema up to date (`migrate.py`); a database that is down costs
a call at most its timeout (`connections.py`). Every write is one transaction (the batch, the
cap, the data-version bump, the outbox entry), run again when it conflicts with a concurrent
one; driver errors become Backdrop errors by kind at one seam (`errors.py`).
"""

from __future__ import annotations

import contextlib
import copy
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar, Unpack

import psycopg
from psycopg import sql

from backdrop.core.data_set_config import is_data_set_name
from backdrop.core.errors import StorageError, TooManyRows, ValueNotStorable
from backdrop.core.query import Query
from backdrop.core.storage.base import Dispatch, Document, Record, Row, Storage
from backdrop.core.storage.postgres import codec, documents, outbox
from backdrop.core.storage.postgres.aggregate import Fetch, Grouped, casts_null, grouped_rows
from backdrop.core.storage.postgres.connections import (
    Connection,
    Connections,
    Pinned,
    PoolOptions,
)
from backdrop.core.storage.postgres.errors import MissingTable
from backdrop.core.storage.postgres.sql import find_statement, numeric_sort
from backdrop.core.storage.postgres.tables import (
    BUMP_VERSION,
    merge,
    stage,
    table,
    table_name,
    trim,
    upsert,
)
from backdrop.core.timeutils import now

T = TypeVar("T")
_STREAM_ROWS = 2000
CAPPED_SIZE = "SELECT capped_size FROM backdrop.data_sets WHERE name = %s"


def _fetcher(conn: Connection, max_rows: int | None) -> Fetch:
    """What runs a grouped statement on `conn`: its rows, or TooManyRows past `max_rows`."""

    def fetch(statement: Grouped) -> list[tuple[Any, ...]]:
        rows = conn.execute(statement.text, statement.params).fetchall()
        if max_rows is not None and len(rows) > max_rows:
            raise TooManyRows(max_rows)
        return rows

    return fetch


class PostgresStorage(Storage):
    """Storage on PostgreSQL (>= 13) through one connection pool (`connections.py`).

    `timeout` (seconds, `Settings.database_timeout`) bounds how long a call waits to reach the
    database before it raises StorageUnavailable. Lookups of a value PostgreSQL cannot hold
    (NUL, unpaired surrogates, a name no data set can have) find nothing; writes of one raise
    ValueNotStorable.
    """

    def __init__(self, url: str, *, timeout: float, **pool: Unpack[PoolOptions]) -> None:
        self._connections = Connections(url, timeout=timeout, **pool)
        self._source: Connections | Pinned = self._connections  # where statements go

    def close(self) -> None:
        self._connections.close()

    def _connection(
        self, *, reading: bool = False
    ) -> contextlib.AbstractContextManager[Connection]:
        return self._source.connection(reading=reading)

    def _transaction(self, work: Callable[[Connection], T]) -> T:
        return self._source.transaction(work)

    @contextlib.contextmanager
    def monotonic_reads(self) -> Iterator[Storage]:
        """This engine over one pinned connection (`Connections.pinned`)."""
        with self._connections.pinned() as pinned:
            view = copy.copy(self)
            view._source = pinned
            yield view

    def migrate(self) -> list[str]:
        return self._connections.migrate()

    def ping(self) -> None:
        with self._connection(reading=True) as conn:
            conn.execute("SELECT 1")

    # -- data sets -------------------------------------------------------------------------

    def data_set_exists(self, data_set: str) -> bool:
        try:
            with self._connection(reading=True) as conn:
                found = conn.execute(
                    "SELECT 1 FROM backdrop.data_sets WHERE name = %s", [data_set]
                ).fetchone()
        except ValueNotStorable:
            return False
        return found is not None

    def create_data_set(self, data_set: str, capped_size: int | None) -> None:
        if self.data_set_exists(data_set):
            return

        def create(conn: Connection) -> None:
            created = conn.execute(
                "INSERT INTO backdrop.data_sets (name, table_name, capped_size)"
                " VALUES (%s, %s, %s) ON CONFLICT DO NOTHING RETURNING name",
                [data_set, table_name(data_set), capped_size or None],
            ).fetchone()
            # No conflict target: a racing creator of the same name may meet our row on either
            # unique key (name, table_name); it waits for us, then does nothing.
            if created is not None:
                conn.execute("SELECT backdrop.create_records_table(%s)", [table_name(data_set)])

        self._transaction(create)

    def drop_data_set(self, data_set: str) -> bool:
        """Only a data set's own table is ever dropped: its name comes from the catalog row
        this deletes, and every record table is `r_`/`h_` + the name (tables.py)."""
        if not (codec.storable(data_set) and is_data_set_name(data_set)):
            return False

        def drop(conn: Connection) -> bool:
            dropped = conn.execute(
                "DELETE FROM backdrop.data_sets WHERE name = %s RETURNING table_name", [data_set]
            ).fetchone()
            if dropped is None:
                return False
            conn.execute(
                sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier("backdrop", dropped[0]))
            )
            conn.execute(BUMP_VERSION, [data_set])
            return True

        return self._transaction(drop)

    def empty_data_set(self, data_set: str) -> None:
        def empty(conn: Connection) -> None:
            conn.execute(sql.SQL("DELETE FROM {}").format(table(data_set)))
            conn.execute(BUMP_VERSION, [data_set])

        with contextlib.suppress(MissingTable):
            self._transaction(empty)

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
        except MissingTable:
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
        rows = codec.rows(records, codec.to_millis(now()))
        self._write(data_set, rows, saving=True, dispatch=dispatch)

    def import_records(self, data_set: str, records: Sequence[Record]) -> None:
        if records:
            self._write(data_set, codec.rows(records), saving=False)

    def _write(
        self,
        data_set: str,
        rows: Sequence[Sequence[Any]],
        *,
        saving: bool,
        dispatch: Dispatch | None = None,
    ) -> None:
        """One transaction: the batch upsert, the cap, the version bump, the outbox entry; run
        again when it conflicted with a concurrent one. When `saving` (not importing) the period
        keys are derived and the cap applies. The data set is created (uncapped) when it does
        not exist, as MongoDB does on insert."""

        def write(conn: Connection) -> None:
            capped = conn.execute(CAPPED_SIZE, [data_set]).fetchone()
            stage(conn, rows)
            with conn.pipeline():
                conn.execute(upsert(data_set, derive=saving))
                if saving and capped is not None and capped[0]:
                    conn.execute(trim(data_set), [data_set])
                conn.execute(BUMP_VERSION, [data_set])
                if dispatch is not None:
                    outbox.add(conn, dispatch)

        try:
            self._transaction(write)
        except MissingTable:
            self.create_data_set(data_set, None)
            self._transaction(write)

    def patch_record(self, data_set: str, record_id: str, fields: Mapping[str, Any]) -> bool:
        if "_id" in fields:
            raise StorageError("The _id of a record cannot be changed")
        if not codec.storable(record_id):
            return False  # no record has that id

        def patch(conn: Connection) -> bool:
            statement, params = merge(data_set, {**fields, "_updated_at": now()})
            matched = conn.execute(statement, [*params, record_id]).rowcount
            if matched:
                conn.execute(BUMP_VERSION, [data_set])
            return matched > 0

        try:
            return self._transaction(patch)
        except MissingTable:
            return False

    def delete_record(self, data_set: str, record_id: str) -> bool:
        def delete(conn: Connection) -> bool:
            deleted = conn.execute(
                sql.SQL("DELETE FROM {} WHERE id = %s").format(table(data_set)), [record_id]
            ).rowcount
            if deleted:
                conn.execute(BUMP_VERSION, [data_set])
            return deleted > 0

        try:
            return self._transaction(delete)
        except (MissingTable, ValueNotStorable):  # no table, or an id no record can have
            return False

    def find(self, data_set: str, query: Query) -> Iterator[Record]:
        try:
            statement = find_statement(table(data_set), query)
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
        except (MissingTable, ValueNotStorable):  # no table, or a value no record can hold
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
        """The cheapest statement that answers, run in steps (`aggregate.grouped_rows`); each
        returns one row more than `max_rows` at most, so an answer over it is told apart."""
        limit = max_rows + 1 if max_rows is not None else None
        try:
            with self._connection(reading=True) as conn:
                return grouped_rows(
                    _fetcher(conn, max_rows),
                    table(data_set),
                    query,
                    limit=limit,
                    guard_nulls=casts_null(conn.info.server_version),
                )
        except (MissingTable, ValueNotStorable):  # no table, or a value no record can hold
            return []

    def data_version(self, data_set: str) -> str:
        select = "SELECT version FROM backdrop.data_versions WHERE data_set = %s"
        try:
            with self._connection(reading=True) as conn:
                found = conn.execute(select, [data_set]).fetchone()
                if found is None:
                    # Never changed through us (e.g. a copied database): start one.
                    try:
                        conn.execute(
                            "INSERT INTO backdrop.data_versions (data_set, version) VALUES"
                            " (%s, gen_random_uuid()::text) ON CONFLICT (data_set) DO NOTHING",
                            [data_set],
                        )
                    except psycopg.errors.ReadOnlySqlTransaction:
                        # A standby cannot: a version used once, so nothing is cached under it.
                        return f"unversioned-{uuid.uuid4().hex}"
                    found = conn.execute(select, [data_set]).fetchone()
        except ValueNotStorable:  # a name no data set can have never changes
            return ""
        return str(found[0]) if found else ""

    def last_updated(self, data_sets: Sequence[str]) -> dict[str, datetime | None]:
        newest: dict[str, datetime | None] = dict.fromkeys(data_sets)
        names = [name for name in data_sets if codec.storable(name) and is_data_set_name(name)]
        for attempt in range(2):
            try:
                newest.update(self._newest(names))
                return newest
            except MissingTable:  # dropped between the two statements: look again
                if attempt:
                    raise
        return newest

    def _newest(self, data_sets: Sequence[str]) -> dict[str, datetime | None]:
        if not data_sets:
            return {}
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
        self._transaction(lambda conn: outbox.add(conn, dispatch))

    def claim_dispatches(
        self, limit: int, lease_seconds: float, *, min_age: float = 0.0
    ) -> list[Dispatch]:
        return self._transaction(lambda conn: outbox.claim(conn, limit, lease_seconds, min_age))

    def finish_dispatch(self, dispatch_id: str) -> None:
        with self._connection(reading=True) as conn:
            outbox.finish(conn, dispatch_id)

    def count_dispatches(self) -> int:
        with self._connection(reading=True) as conn:
            return outbox.count(conn)

    # -- documents of the built-in registry ----------------------------------------------------

    def get_document(self, kind: str, key: str) -> Document | None:
        try:
            with self._connection(reading=True) as conn:
                return documents.get(conn, kind, key)
        except ValueNotStorable:  # a kind or key no document can have
            return None

    def find_documents(self, kind: str, where: Mapping[str, Any] | None = None) -> list[Document]:
        try:
            with self._connection(reading=True) as conn:
                return documents.find(conn, kind, where or {})
        except ValueNotStorable:  # a kind or value no document can hold
            return []

    def put_document(self, kind: str, key: str, document: Mapping[str, Any]) -> None:
        self._transaction(lambda conn: documents.put(conn, kind, key, document))

    def delete_document(self, kind: str, key: str) -> bool:
        try:
            return self._transaction(lambda conn: documents.delete(conn, kind, key))
        except ValueNotStorable:  # a kind or key no document can have
            return False

    def all_documents(self) -> Iterator[tuple[str, str, Document]]:
        with self._connection() as conn:
            yield from documents.every(conn)
