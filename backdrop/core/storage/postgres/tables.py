"""The per-data-set record tables: their names and the statements that write them.

Each data set's records live in `backdrop.<table>` (layout: migrations/001_initial.sql, object
names: 003_object_names.sql). The table name is derived from the data set name alone, so no
statement needs a lookup first: `r_<name>` for short lower-case names, else `h_<cleaned
prefix>_<16 hex of SHA-1>` (the two forms cannot collide). A table's key, indexes and sequence
are `i_<table>_pkey|ts|seq` and `s_<table>`, names no table can have; all fit PostgreSQL's 63
bytes.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import psycopg
from psycopg import sql

from backdrop.core.data_set_config import is_data_set_name
from backdrop.core.periods import Period
from backdrop.core.storage.postgres.codec import (
    DATE_COLUMNS,
    dumps_fields,
    negative_zeros_key,
    storable,
    to_millis,
)
from backdrop.core.storage.postgres.errors import UnusableName

_PLAIN = re.compile(r"[a-z0-9_]{1,45}")
_UNSAFE = re.compile(r"[^a-z0-9_]+")


def table_name(data_set: str) -> str:
    """The name of the table holding a data set's records (without the schema).

    Raises UnusableName for a name core refuses (`is_data_set_name`) or one PostgreSQL cannot
    hold: callers check names before they get here, and the engine does not rely on it.
    """
    if not (storable(data_set) and is_data_set_name(data_set)):
        raise UnusableName("Not a data set name")
    if _PLAIN.fullmatch(data_set):
        return f"r_{data_set}"
    digest = hashlib.sha1(data_set.encode("utf-8")).hexdigest()[:16]
    return f"h_{_UNSAFE.sub('_', data_set.lower())[:28]}_{digest}"


def table(data_set: str) -> sql.Identifier:
    """`backdrop.<table>` for a data set."""
    return sql.Identifier("backdrop", table_name(data_set))


_COLUMNS = [sql.Identifier(name) for name in ("id", *DATE_COLUMNS, "record")]
_COLUMN_LIST = sql.SQL(", ").join(_COLUMNS)
_STAGING = sql.Identifier("backdrop_staging")

# Each connection's own staging table for batch writes: COPY is several times faster than any
# INSERT with parameters, and `INSERT … SELECT … ON CONFLICT` then upserts the batch at once.
# `position` is the record's place in the batch as posted.
CREATE_STAGING = sql.SQL(
    "CREATE TEMP TABLE IF NOT EXISTS {staging}"
    ' (position integer, id text COLLATE "C", {dates}, record jsonb) ON COMMIT DELETE ROWS'
).format(
    staging=_STAGING,
    dates=sql.SQL(", ").join(
        sql.SQL("{} timestamptz").format(sql.Identifier(name)) for name in DATE_COLUMNS
    ),
)
COPY_STAGING = sql.SQL("COPY {staging} (position, {columns}) FROM STDIN (FORMAT BINARY)").format(
    staging=_STAGING, columns=_COLUMN_LIST
)
_STAGING_TYPES = ["int4", "text", *("timestamptz" for _ in DATE_COLUMNS), "jsonb"]


def stage(conn: psycopg.Connection[Any], rows: Iterable[Sequence[Any]]) -> None:
    """COPY a batch of `codec.rows` into the connection's staging table, in binary (2.5x
    faster than text), each with its position in the batch, ready for `upsert`."""
    with conn.cursor().copy(COPY_STAGING) as copy:
        copy.set_types(_STAGING_TYPES)
        for position, row in enumerate(rows):
            copy.write_row((position, *row))


def _staged(name: str, *, derive: bool) -> sql.Composable:
    """A staged column; with `derive`, a period key is derived from `_timestamp` here, in the
    database (spec 3.5: weeks start on Monday, all in UTC)."""
    period = next((period for period in Period if period.key == name), None)
    if period is None or not derive:
        return sql.Identifier(name)
    return sql.SQL("COALESCE({column}, date_trunc({unit}, _timestamp, 'UTC'))").format(
        column=sql.Identifier(name), unit=sql.Literal(period.value)
    )


def upsert(data_set: str, *, derive: bool = True) -> sql.Composed:
    """Move the staged batch (`codec.rows`, copied in with COPY_STAGING) into the data set: a
    record whose `_id` is stored replaces it in place (its insertion position, `seq`, is kept).
    `derive` adds the period keys of records that have none; an import keeps them as given.

    Rows are written in `_id` order, so writers of the same ids lock them in the same order
    and never deadlock on each other; new rows take their `seq` (the insertion order raw reads
    follow) in the order they were posted: the inner query numbers them by `position` (the
    identity's sequence, found once per statement), the outer one sorts them by `_id`."""
    relation = table_name(data_set)
    return sql.SQL(
        "INSERT INTO {table} (seq, {columns}) SELECT seq, {staged} FROM ("
        " SELECT nextval((SELECT pg_get_serial_sequence({qualified}, 'seq')::regclass)) AS seq,"
        " * FROM {staging} ORDER BY position) AS numbered"
        " ORDER BY id ON CONFLICT (id) DO UPDATE SET {updates}"
    ).format(
        table=sql.Identifier("backdrop", relation),
        qualified=sql.Literal(f"backdrop.{relation}"),
        columns=_COLUMN_LIST,
        staged=sql.SQL(", ").join(
            _staged(name, derive=derive) for name in ("id", *DATE_COLUMNS, "record")
        ),
        staging=_STAGING,
        updates=sql.SQL(", ").join(
            sql.SQL("{name} = EXCLUDED.{name}").format(name=name) for name in _COLUMNS[1:]
        ),
    )


def trim(data_set: str) -> sql.Composed:
    """Keep a capped data set within its `capped_size` bytes: the newest records whose sizes
    (`pg_column_size` of the row) add up to at most the cap stay, older ones are deleted; the
    newest record always stays. A one-time filter skips uncapped data sets without a scan.
    Parameter: the data set name."""
    return sql.SQL(
        "WITH cap AS (SELECT capped_size FROM backdrop.data_sets"
        " WHERE name = %s AND capped_size > 0)"
        " DELETE FROM {table} AS target USING ("
        " SELECT seq FROM ("
        " SELECT seq, sum(pg_column_size(r.*)) OVER newest AS kept,"
        " row_number() OVER newest AS position"
        " FROM {table} AS r WHERE EXISTS (SELECT FROM cap)"
        " WINDOW newest AS (ORDER BY seq DESC)) AS sized"
        " WHERE position > 1 AND kept > (SELECT capped_size FROM cap)) AS old"
        " WHERE target.seq = old.seq"
    ).format(table=table(data_set))


BUMP_VERSION = sql.SQL(
    "INSERT INTO backdrop.data_versions (data_set, version) VALUES (%s, gen_random_uuid()::text)"
    " ON CONFLICT (data_set) DO UPDATE SET version = EXCLUDED.version"
)


def merge(data_set: str, fields: Mapping[str, Any]) -> tuple[sql.Composed, list[Any]]:
    """An UPDATE merging `fields` into one record (MongoDB `$set`), and its parameters but the
    last, the record's `_id`. A datetime field goes to its typed column; any other value of a
    datetime field goes into the JSONB (its column is cleared), as `codec.split` stores it.
    What the JSONB kept about a field's old value (its negative zeros) goes with it."""
    typed: dict[str, Any] = {}
    rest: dict[str, Any] = {}
    for name, value in fields.items():
        if name in DATE_COLUMNS:
            typed[name] = to_millis(value) if isinstance(value, datetime) else None
            if not isinstance(value, datetime):
                rest[name] = value
        else:
            rest[name] = value
    assignments = [
        sql.SQL("record = (record - %s::text[]) || %s::jsonb"),
        *(sql.SQL("{} = %s").format(sql.Identifier(name)) for name in typed),
    ]
    statement = sql.SQL("UPDATE {table} SET {assignments} WHERE id = %s").format(
        table=table(data_set), assignments=sql.SQL(", ").join(assignments)
    )
    dropped = [*typed, *(negative_zeros_key(name) for name in fields)]
    return statement, [dropped, dumps_fields(rest), *typed.values()]
