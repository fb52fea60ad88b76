"""The PostgreSQL twin: each query's answer as the plain SQL a DBA would write (`BenchQuery.sql`)
over the data set kept as a `(ts timestamptz, doc jsonb)` table indexed on `ts`, run by psycopg."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import psycopg
from psycopg import sql

from backdrop.core.query import Query
from backdrop.core.query_parser import parse_query
from backdrop.core.storage.postgres import codec
from backdrop.core.storage.postgres.aggregate import casts_null, fast_statement
from backdrop.core.storage.postgres.layout import Keys
from backdrop.core.storage.postgres.sql import find_statement, numeric_sort
from backdrop.core.storage.postgres.tables import (
    CREATE_STAGING,
    stage,
    table,
    table_name,
    upsert,
)
from backdrop.core.timeutils import now
from bench.queries import BenchQuery
from bench.twins import Statement


def statement_text(conn: psycopg.Connection[Any], data_set: str, query: Query) -> str:
    """The SQL the engine runs first for `query` (the one that answers when every summed or
    sorted value is an integer and every group value a string, as in the benchmark's data),
    with its parameters inlined (for psql too)."""
    if query.is_raw:
        numeric = numeric_sort(query) and bool(query.limit)
        found = find_statement(table(data_set), query, numeric=numeric)
        return psycopg.ClientCursor(conn).mogrify(found.text, found.params)
    keys = Keys.TEXT if query.group_by else Keys.JSON
    guard = casts_null(conn.info.server_version)
    grouped = fast_statement(table(data_set), query, keys=keys, guard_nulls=guard)
    return psycopg.ClientCursor(conn).mogrify(grouped.text, grouped.params)


def bench_query(query: BenchQuery) -> Query:
    args: dict[str, list[str]] = {}
    for key, value in query.params:
        args.setdefault(key, []).append(value)
    return parse_query(args, raw_queries_allowed=True)


class PostgresTwin:
    """psycopg against the data set's table."""

    label = "plain SQL"

    def __init__(self, url: str, data_set: str) -> None:
        self._conn = psycopg.connect(
            url, autocommit=True, options="-c TimeZone=UTC -c work_mem=64MB -c jit=off"
        )
        self._data_set = data_set
        self._scratch = f"{data_set}_raw_load"
        self._plain = sql.Identifier("public", f"{data_set}_plain")
        self._plain_made = False

    def start_load(self) -> None:
        self.end_load()
        self._conn.execute("SELECT backdrop.create_records_table(%s)", [table_name(self._scratch)])
        self._conn.execute(CREATE_STAGING)

    def upsert(self, records: Sequence[dict[str, Any]]) -> None:
        rows = codec.rows(records, codec.to_millis(now()))
        with self._conn.transaction():  # the fastest batched upsert: COPY, then one INSERT
            stage(self._conn, rows)
            self._conn.execute(upsert(self._scratch))

    def end_load(self) -> None:
        self._conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(table(self._scratch)))

    def query(self, query: BenchQuery) -> Callable[[], object]:
        self._make_plain()
        text = sql.SQL(query.sql).format(table=self._plain).as_string(self._conn)
        return lambda: self._conn.execute(text.encode()).fetchall()

    def statement(self, query: BenchQuery) -> Statement:
        text = statement_text(self._conn, self._data_set, bench_query(query))
        return Statement(text, lambda: self._conn.execute(text.encode()).fetchall())

    def _make_plain(self) -> None:
        """The DBA's table, once the data set is loaded: the same records in the same order,
        `_timestamp` as `ts`, the rest (with `_id`) as `doc`. Both tables are vacuumed, as
        they would be at rest (index-only scans need the visibility map)."""
        if self._plain_made:
            return
        self._conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(self._plain))
        self._conn.execute(
            sql.SQL(
                "CREATE TABLE {plain} AS SELECT _timestamp AS ts,"
                " record || jsonb_build_object('_id', id) AS doc FROM {records} ORDER BY seq"
            ).format(plain=self._plain, records=table(self._data_set))
        )
        self._conn.execute(sql.SQL("CREATE INDEX ON {} (ts)").format(self._plain))
        for relation in (self._plain, table(self._data_set)):
            self._conn.execute(sql.SQL("VACUUM ANALYZE {}").format(relation))
        self._plain_made = True

    def close(self) -> None:
        if self._plain_made:
            self._conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(self._plain))
        self._conn.close()
