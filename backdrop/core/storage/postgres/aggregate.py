"""Grouped queries (spec 2.4.3) as one SQL statement: GROUP BY the group fields and the period
bucket, counting records and, per collected field, present values, their numeric sum (booleans
as 0/1), the non-numeric ones, and the distinct values when a set is wanted.

Two forms. `fast_statement` is what plain SQL would do: group on the fields' text (`->>`), sum
with a JSONB-to-numeric cast, which PostgreSQL refuses (SQLSTATE 22023) for any value that is not
a number. Grouping on text is twice as fast as on JSONB values but cannot tell `"1"` from `1`, so
when a group's text could be something other than a string, the same statement runs again on
the JSONB values. Only when a summed value is not a number, or a sum has a fraction (MongoDB adds
doubles, and so must we), does `group_statement`, the precise form, run: it types every value
so that booleans add as 0/1 and strings or nulls are counted (and refused upstream with a 400).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from psycopg import sql

from backdrop.core.limits import MAX_INTEGER, MIN_INTEGER
from backdrop.core.query import Query
from backdrop.core.storage.base import Collected, Row
from backdrop.core.storage.postgres.sql import Clause, json_value, period_start, selection

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


def _needs(query: Query, name: str) -> tuple[bool, bool, bool]:
    """What the reducers asked of a field need: (count, sums and non-numbers, values)."""
    methods = {collect.method for collect in query.collect if collect.field == name}
    return (
        bool(methods & {"count", "mean"}),
        bool(methods & {"sum", "mean"}),
        bool(methods & {"set", "default"}),
    )


def _collect_columns(
    index: int, needs: tuple[bool, bool, bool], *, doubles: bool
) -> list[sql.Composable]:
    """Only the aggregates the requested reducers need (each costs a pass over the values)."""
    value, kind = sql.Identifier(f"c{index}"), sql.Identifier(f"k{index}")
    count, sums, values = needs
    columns: list[sql.Composable] = []
    if count:
        columns.append(sql.SQL("count({})").format(value))
    if sums:
        double_sum = sql.SQL("sum({})").format(_FLOAT.format(value=value, kind=kind))
        columns += [
            sql.SQL("sum({})").format(_NUMBER.format(value=value, kind=kind)),
            double_sum if doubles else sql.SQL("NULL::float8"),
            sql.SQL("count(*) FILTER (WHERE {} NOT IN ('number', 'boolean'))").format(kind),
        ]
    if values:
        columns.append(
            sql.SQL("jsonb_agg(DISTINCT {value}) FILTER (WHERE {value} IS NOT NULL)").format(
                value=value
            )
        )
    return columns


def _fast_columns(name: str, needs: tuple[bool, bool, bool]) -> list[sql.Composable]:
    value = json_value(name)
    count, sums, values = needs
    columns: list[sql.Composable] = []
    if count:
        columns.append(sql.SQL("count({})").format(value))
    if sums:
        # As text: a fraction shows as a "." and an integer converts fast (no Decimal). JSON
        # null becomes a string, which the cast refuses: PostgreSQL 17+ casts null to NULL.
        columns.append(
            sql.SQL(
                "sum((CASE WHEN {value} = 'null' THEN '\"null\"' ELSE {value} END)::numeric)::text"
            ).format(value=value)
        )
    if values:
        columns.append(
            sql.SQL("jsonb_agg(DISTINCT {value}) FILTER (WHERE {value} IS NOT NULL)").format(
                value=value
            )
        )
    return columns


def _limited(statement: sql.Composed, limit: int | None) -> sql.Composed:
    return statement + sql.SQL(" LIMIT {}").format(sql.Literal(limit)) if limit else statement


def fast_statement(
    table: sql.Composable, query: Query, *, text_keys: bool, limit: int | None = None
) -> Clause:
    """The statement for `Storage.run` when every summed value is a number (else it raises
    22023), grouping on the fields' text or JSONB values. Groups whose key is missing or JSON
    null come back too: `fast_rows` drops them."""
    keys: list[sql.Composable] = [
        sql.SQL("record ->> {}").format(sql.Literal(name)) if text_keys else json_value(name)
        for name in query.group_by
    ]
    if query.period is not None:
        keys.append(period_start(query.period))
    columns: list[sql.Composable] = [*keys, sql.SQL("count(*)")]
    for name in query.collected_fields:
        columns += _fast_columns(name, _needs(query, name))
    where = selection(query)
    statement = sql.SQL("SELECT {columns} FROM {table} WHERE {where}").format(
        columns=sql.SQL(", ").join(columns), table=table, where=where.text
    )
    if keys:
        positions = [sql.Literal(position) for position in range(1, len(keys) + 1)]
        statement += sql.SQL(" GROUP BY {}").format(sql.SQL(", ").join(positions))
    return Clause(_limited(statement, limit), where.params)


def fast_rows(
    query: Query, records: Sequence[tuple[Any, ...]], *, text_keys: bool
) -> list[Row] | None:
    """`fast_statement`'s rows as `Row`s, without the groups MongoDB would not form; None when
    a text key may stand for a non-string. Raises NeedsPrecise when a sum has a fraction."""
    groups = len(query.group_by)
    width = groups + (query.period is not None)
    needs = [(name, *_needs(query, name)) for name in query.collected_fields]
    strings: set[str] = set()  # text keys already seen to be strings
    has_period = query.period is not None
    rows = []
    for record in records:
        keys = record[:width]
        if None in keys:
            continue  # a group field missing or null, or no period: not grouped (spec 2.4.3)
        group = keys[:groups]
        if text_keys:
            for key in group:
                if key not in strings:
                    if _NOT_ONLY_A_STRING.fullmatch(key):
                        return None
                    strings.add(key)
        if not needs:
            rows.append(Row(group, keys[groups] if has_period else None, record[width], _NONE))
            continue
        position = width + 1
        collected = {}
        for name, count, sums, values in needs:
            found: list[Any] = [0, 0, 0, ()]
            if count:
                found[0] = int(record[position])
                position += 1
            if sums:
                total = record[position]
                if total is not None and "." in total:
                    raise NeedsPrecise()
                found[1] = _integer(int(total)) if total is not None else 0
                position += 1
            if values:
                found[3] = tuple(record[position] or ())
                position += 1
            collected[name] = Collected(*found)
        rows.append(Row(group, keys[groups] if has_period else None, record[width], collected))
    return rows


_NONE: dict[str, Collected] = {}  # the collected values of a query that collects nothing


def group_statement(
    table: sql.Composable, query: Query, *, limit: int | None = None, doubles: bool = True
) -> Clause:
    """The statement for `Storage.run`. The inner query (kept apart by `OFFSET 0`) extracts each
    field once per record; the outer one groups. Each row holds the group values, the period start,
    `_count`, then per collected field what its reducers need: count; exact sum, double sum,
    non-numeric count; distinct values.

    PostgreSQL refuses a double-precision sum that overflows (SQLSTATE 22003) where MongoDB's
    is infinite: without `doubles` the double sum is left out (NULL) and `_total` converts the
    exact one."""
    inner: list[sql.Composable] = [
        sql.SQL("{} AS {}").format(json_value(name), sql.Identifier(f"g{index}"))
        for index, name in enumerate(query.group_by)
    ]
    keys = [sql.Identifier(f"g{index}") for index in range(len(query.group_by))]
    if query.period is not None:
        inner.append(sql.SQL("{} AS p").format(period_start(query.period)))
        keys.append(sql.Identifier("p"))
    outer: list[sql.Composable] = [*keys, sql.SQL("count(*)")]
    for index, name in enumerate(query.collected_fields):
        inner.append(sql.SQL("{} AS {}").format(json_value(name), sql.Identifier(f"c{index}")))
        inner.append(
            sql.SQL("jsonb_typeof({}) AS {}").format(json_value(name), sql.Identifier(f"k{index}"))
        )
        outer += _collect_columns(index, _needs(query, name), doubles=doubles)
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
        group=sql.SQL("GROUP BY {}").format(sql.SQL(", ").join(keys)) if keys else sql.SQL(""),
    )
    return Clause(_limited(statement, limit), where.params)


class NeedsPrecise(Exception):
    """Only `group_statement` can answer this query (a sum has a fraction)."""


# The text (`->>`) of a JSON number, boolean, object or array: such a text key may not be a string.
_NOT_ONLY_A_STRING = re.compile(
    r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|true|false|[\[{].*", re.S
)


def _has_fraction(exact: Decimal | None) -> bool:
    exponent = exact.as_tuple().exponent if exact is not None else 0
    return isinstance(exponent, int) and exponent < 0


def _integer(exact: int | Decimal) -> int | float:
    """An integer sum as MongoDB gives it: a 64-bit integer while it fits, else a double (its
    long sum overflows into one; a sum beyond any double is infinite: `float(Decimal)` gives
    that, where `float(int)` would raise)."""
    if MIN_INTEGER <= exact <= MAX_INTEGER:
        return int(exact)
    return float(Decimal(exact))


def _total(exact: Decimal | None, floating: float | None) -> int | float:
    """What MongoDB's `$sum` gives: the exact integer sum when every value is an integer (or
    boolean), else the sum in double precision, rounded as adding doubles rounds (or, when
    that overflowed and `floating` is None, the exact sum as the nearest double, infinity
    beyond the largest)."""
    if exact is None:
        return 0
    if _has_fraction(exact):  # some value was written with a fraction
        return float(exact if floating is None else floating)
    return _integer(exact)


def _collected(
    record: Sequence[Any], position: int, needs: tuple[bool, bool, bool]
) -> tuple[Collected, int]:
    count, sums, values = needs
    found: dict[str, Any] = {}
    if count:
        found["count"] = int(record[position])
        position += 1
    if sums:
        found["total"] = _total(record[position], record[position + 1])
        found["non_numeric"] = int(record[position + 2])
        position += 3
    if values:
        found["values"] = tuple(record[position] or ())
        position += 1
    return Collected(**found), position


def to_rows(query: Query, records: Sequence[Sequence[Any]]) -> list[Row]:
    """The statement's rows as `Row`s."""
    width = len(query.group_by)
    rows = []
    for record in records:
        position = width
        period_start_value = None
        if query.period is not None:
            period_start_value = record[position]
            position += 1
        count = int(record[position])
        position += 1
        collected = {}
        for name in query.collected_fields:
            collected[name], position = _collected(record, position, _needs(query, name))
        rows.append(Row(tuple(record[:width]), period_start_value, count, collected))
    return rows
