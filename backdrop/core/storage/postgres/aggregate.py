"""Grouped queries (spec 2.4.3) as one SQL statement: GROUP BY the group fields and the period
bucket, counting records and, per collected field, present values, their numeric sum (booleans
as 0/1), the non-numeric ones, and the distinct values when a set is wanted.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from psycopg import sql

from backdrop.core.query import Query
from backdrop.core.storage.base import Collected, Row
from backdrop.core.storage.postgres.sql import Clause, json_value, period_start, selection

_NUMBER = sql.SQL(
    "CASE jsonb_typeof({value}) WHEN 'number' THEN ({value})::numeric"
    " WHEN 'boolean' THEN ({value})::boolean::int END"
)
_FLOAT = sql.SQL(
    "CASE jsonb_typeof({value}) WHEN 'number' THEN ({value})::float8"
    " WHEN 'boolean' THEN ({value})::boolean::int END"
)


def _collect_columns(index: int, name: str, values: bool) -> list[sql.Composable]:
    value = sql.Identifier(f"c{index}")
    columns: list[sql.Composable] = [
        sql.SQL("count({})").format(value),
        sql.SQL("sum({})").format(_NUMBER.format(value=value)),
        sql.SQL("sum({})").format(_FLOAT.format(value=value)),
        sql.SQL("count(*) FILTER (WHERE jsonb_typeof({}) NOT IN ('number', 'boolean'))").format(
            value
        ),
    ]
    if values:
        columns.append(
            sql.SQL("jsonb_agg(DISTINCT {value}) FILTER (WHERE {value} IS NOT NULL)").format(
                value=value
            )
        )
    return columns


def group_statement(table: sql.Composable, query: Query) -> Clause:
    """The statement for `Storage.run`; each row holds the group values, the period start,
    `_count`, then per collected field: count, exact sum, double sum, non-numeric count[,
    distinct values]."""
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
        outer += _collect_columns(index, name, query.wants_values(name))
    where = selection(query, present=query.group_by)
    statement = sql.SQL(
        "SELECT {outer} FROM (SELECT {inner} FROM {table} WHERE {where}) AS selected"
        " {having} {group}"
    ).format(
        outer=sql.SQL(", ").join(outer),
        inner=sql.SQL(", ").join(inner or [sql.SQL("1 AS one")]),
        table=table,
        where=where.text,
        having=sql.SQL("WHERE p IS NOT NULL" if query.period is not None else ""),
        group=sql.SQL("GROUP BY {}").format(sql.SQL(", ").join(keys)) if keys else sql.SQL(""),
    )
    return Clause(statement, where.params)


def _total(exact: Decimal | None, floating: float | None) -> int | float:
    """What MongoDB's `$sum` gives: the exact integer sum when every value is an integer (or
    boolean), else the sum in double precision, rounded as adding doubles rounds."""
    if exact is None or floating is None:
        return 0
    exponent = exact.as_tuple().exponent
    if isinstance(exponent, int) and exponent < 0:  # some value was written with a fraction
        return float(floating)
    return int(exact)


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
            wanted = query.wants_values(name)
            values = tuple(record[position + 4] or ()) if wanted else ()
            collected[name] = Collected(
                count=int(record[position]),
                total=_total(record[position + 1], record[position + 2]),
                non_numeric=int(record[position + 3]),
                values=values,
            )
            position += 5 if wanted else 4
        rows.append(Row(tuple(record[:width]), period_start_value, count, collected))
    return rows
