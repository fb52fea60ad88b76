"""Grouped queries (spec 2.4.3) as one SQL statement: GROUP BY the group fields and the period
bucket, counting records and, per collected field, present values, their numeric sum (booleans
as 0/1), the non-numeric ones, and the distinct values when a set is wanted.

Two forms, each returned with the layout of its rows (layout.py). `fast_statement` is what
plain SQL would do: group on the fields' text (`->>`), sum with a JSONB-to-numeric cast, which
PostgreSQL refuses (SQLSTATE 22023) for any value that is not a number (JSON null too up to
PostgreSQL 16; from 17 on the cast makes null NULL, so there a guard turns it into a string).
Grouping on text is twice as fast as on JSONB values but cannot tell `"1"` from `1`, so when a
group's text could be something other than a string, the same statement runs again on the JSONB
values. Only when a summed value is not a number, or a sum has a fraction (MongoDB adds doubles,
and so must we), does `precise_statement` run: it types every value so that booleans add as 0/1
and strings or nulls are counted (and refused upstream with a 400). `grouped_rows` takes these
steps.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

from backdrop.core.query import Needs, Query
from backdrop.core.storage.base import Row
from backdrop.core.storage.postgres.layout import (
    Keys,
    KeysNotOnlyStrings,
    Layout,
    NotIntegerSums,
    Record,
    Sums,
    decode,
)
from backdrop.core.storage.postgres.sql import (
    Clause,
    bucketed,
    json_value,
    period_start,
    selection,
)

# {value} is a collected field's JSONB value, {kind} its jsonb_typeof, both computed once per
# record in the inner query.
_NUMBER = sql.SQL(
    "CASE {kind} WHEN 'number' THEN ({value})::numeric"
    " WHEN 'boolean' THEN ({value})::boolean::int END"
)
_FLOAT = sql.SQL(
    "CASE {kind} WHEN 'number' THEN ({value})::float8"
    " WHEN 'boolean' THEN ({value})::boolean::int END"
)


@dataclass(frozen=True, slots=True)
class Grouped:
    """A grouped statement, the parameters its placeholders take, and its rows' layout."""

    text: sql.SQL | sql.Composed
    params: list[Any]
    layout: Layout


Fetch = Callable[[Grouped], Sequence[Record]]  # runs a statement, returns its rows


def casts_null(server_version: int) -> bool:
    """Does this server's JSONB-to-numeric cast make JSON null NULL (PostgreSQL 17 and newer)
    rather than refuse it? `conn.info.server_version` tells."""
    return server_version >= 170000


def grouped_rows(
    fetch: Fetch,
    table: sql.Composable,
    query: Query,
    *,
    limit: int | None = None,
    guard_nulls: bool = True,
) -> list[Row]:
    """`Storage.run`'s rows, from the first statement that can give them (module docstring):
    the plain one (`_plainly`), else, when a summed value is not an integer, the typed one
    (`_typed`). `limit` caps the rows each statement returns; `guard_nulls` is `casts_null`
    of the server."""
    try:
        return _plainly(fetch, table, query, limit, guard_nulls)
    except (psycopg.errors.InvalidParameterValue, NotIntegerSums):
        return _typed(fetch, table, query, limit)


def _plainly(fetch: Fetch, table: sql.Composable, query: Query, limit: int | None,
             guard_nulls: bool) -> list[Row]:  # fmt: skip
    """Plain SQL grouped on the fields' text, or on their JSONB values when a text may stand
    for something other than a string."""
    statement = functools.partial(
        fast_statement, table, query, limit=limit, guard_nulls=guard_nulls
    )
    try:
        return _decoded(fetch, statement(keys=Keys.TEXT if query.group_by else Keys.JSON))
    except KeysNotOnlyStrings:
        return _decoded(fetch, statement(keys=Keys.JSON))


def _typed(fetch: Fetch, table: sql.Composable, query: Query, limit: int | None) -> list[Row]:
    """Every value typed; without double-precision sums when one of those overflows (the
    exact sums then give the infinities MongoDB's doubles would)."""
    try:
        return _decoded(fetch, precise_statement(table, query, limit=limit))
    except psycopg.errors.NumericValueOutOfRange:
        return _decoded(fetch, precise_statement(table, query, limit=limit, doubles=False))


def _decoded(fetch: Fetch, statement: Grouped) -> list[Row]:
    return decode(statement.layout, fetch(statement))


def _fast_columns(value: sql.Composable, needs: Needs, guard_nulls: bool) -> list[sql.Composable]:
    """A field's columns in `fast_statement`, as `Layout` orders them (`Sums.TEXT`), of its
    JSONB `value`."""
    columns: list[sql.Composable] = []
    if needs.count:
        columns.append(sql.SQL("count({})").format(value))
    if needs.sums:
        # As text: a fraction shows as a "." and an integer converts fast (no Decimal). The cast
        # refuses JSON null up to PostgreSQL 16; from 17 on it gives NULL, which sum would skip,
        # so there null becomes a JSON string, which it refuses (that comparison costs a fifth
        # of the statement, so it is left out where the cast refuses null by itself).
        summed = (
            sql.SQL("CASE WHEN {value} = 'null' THEN '\"null\"' ELSE {value} END")
            if guard_nulls
            else sql.SQL("{value}")
        )
        columns.append(sql.SQL("sum(({})::numeric)::text").format(summed.format(value=value)))
    if needs.values:
        columns.append(_distinct(value))
    return columns


def _precise_columns(index: int, needs: Needs, *, doubles: bool) -> list[sql.Composable]:
    """A field's columns in `precise_statement`, as `Layout` orders them (`Sums.TYPED`); only
    the aggregates the requested reducers need (each costs a pass over the values)."""
    value, kind = sql.Identifier(f"c{index}"), sql.Identifier(f"k{index}")
    columns: list[sql.Composable] = []
    if needs.count:
        columns.append(sql.SQL("count({})").format(value))
    if needs.sums:
        double_sum = sql.SQL("sum({})").format(_FLOAT.format(value=value, kind=kind))
        columns += [
            sql.SQL("sum({})").format(_NUMBER.format(value=value, kind=kind)),
            double_sum if doubles else sql.SQL("NULL::float8"),
            sql.SQL("count(*) FILTER (WHERE {} NOT IN ('number', 'boolean'))").format(kind),
        ]
    if needs.values:
        columns.append(_distinct(value))
    return columns


def _distinct(value: sql.Composable) -> sql.Composable:
    return sql.SQL("jsonb_agg(DISTINCT {value}) FILTER (WHERE {value} IS NOT NULL)").format(
        value=value
    )


def _limited(statement: sql.SQL | sql.Composed, limit: int | None) -> sql.SQL | sql.Composed:
    return statement + sql.SQL(" LIMIT {}").format(sql.Literal(limit)) if limit else statement


def fast_statement(
    table: sql.Composable,
    query: Query,
    *,
    keys: Keys,
    limit: int | None = None,
    guard_nulls: bool = True,
) -> Grouped:
    """The statement for `Storage.run` when every summed value is a number (else it raises
    22023), grouping on the fields' text or JSONB values (`keys`); `guard_nulls` for a
    server that `casts_null`. The inner query selects each
    record's group values, collected values and bucket (`sql.bucketed`); the outer one groups
    them. Groups whose key is missing or JSON null come back too: `decode` drops them."""
    layout = Layout.of(query, keys=keys, sums=Sums.TEXT)
    columns: list[sql.Composable] = [
        sql.SQL("{} AS {}").format(_key(name, keys), sql.Identifier(f"g{index}"))
        for index, name in enumerate(query.group_by)
    ]
    columns += [
        sql.SQL("{} AS {}").format(json_value(needs.field), sql.Identifier(f"c{index}"))
        for index, needs in enumerate(layout.needs)
    ]
    group_keys = [sql.Identifier(f"g{index}") for index in range(len(query.group_by))]
    if query.period is not None:
        records = bucketed(table, query, query.period, columns)
        group_keys.append(sql.Identifier("bucket"))
    else:
        where = selection(query)
        records = Clause(
            sql.SQL("SELECT {} FROM {} WHERE {}").format(
                sql.SQL(", ").join(columns or [sql.SQL("1 AS one")]), table, where.text
            ),
            where.params,
        )
    outer: list[sql.Composable] = [*group_keys, sql.SQL("count(*)")]
    for index, needs in enumerate(layout.needs):
        outer += _fast_columns(sql.Identifier(f"c{index}"), needs, guard_nulls)
    statement = sql.SQL("SELECT {} FROM ({}) AS records").format(
        sql.SQL(", ").join(outer), records.text
    )
    if group_keys:
        statement += sql.SQL(" GROUP BY {}").format(sql.SQL(", ").join(group_keys))
    return Grouped(_limited(statement, limit), records.params, layout)


def _key(name: str, keys: Keys) -> sql.Composable:
    """A group field's value as `keys` says."""
    if keys is Keys.TEXT:
        return sql.SQL("record ->> {}").format(sql.Literal(name))
    return json_value(name)


def precise_statement(
    table: sql.Composable, query: Query, *, limit: int | None = None, doubles: bool = True
) -> Grouped:
    """The statement for `Storage.run` whatever the values' types. The inner query (kept apart
    by `OFFSET 0`) extracts each field once per record; the outer one groups.

    PostgreSQL refuses a double-precision sum that overflows (SQLSTATE 22003) where MongoDB's
    is infinite: without `doubles` the double sum is left out (NULL) and the decoder converts
    the exact one."""
    layout = Layout.of(query, keys=Keys.JSON, sums=Sums.TYPED)
    inner: list[sql.Composable] = [
        sql.SQL("{} AS {}").format(json_value(name), sql.Identifier(f"g{index}"))
        for index, name in enumerate(query.group_by)
    ]
    group_keys = [sql.Identifier(f"g{index}") for index in range(len(query.group_by))]
    if query.period is not None:
        inner.append(sql.SQL("{} AS p").format(period_start(query.period)))
        group_keys.append(sql.Identifier("p"))
    outer: list[sql.Composable] = [*group_keys, sql.SQL("count(*)")]
    for index, needs in enumerate(layout.needs):
        value = json_value(needs.field)
        inner.append(sql.SQL("{} AS {}").format(value, sql.Identifier(f"c{index}")))
        inner.append(sql.SQL("jsonb_typeof({}) AS {}").format(value, sql.Identifier(f"k{index}")))
        outer += _precise_columns(index, needs, doubles=doubles)
    where = selection(query, present=query.group_by)
    statement = sql.SQL(
        "SELECT {outer} FROM (SELECT {inner} FROM {table} WHERE {where} OFFSET 0) AS selected"
        " {having} {group}"
    ).format(
        outer=sql.SQL(", ").join(outer),
        inner=sql.SQL(", ").join(inner or [sql.SQL("1 AS one")]),
        table=table,
        where=where.text,
        having=sql.SQL("WHERE p IS NOT NULL" if query.period is not None else ""),
        group=(
            sql.SQL("GROUP BY {}").format(sql.SQL(", ").join(group_keys))
            if group_keys
            else sql.SQL("")
        ),
    )
    return Grouped(_limited(statement, limit), where.params, layout)
