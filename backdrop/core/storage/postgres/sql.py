"""Query -> SQL over one data set's table, with MongoDB's semantics (spec 2.4, 5.3).

Field names are SQL literals (`sql.Literal`), values are parameters; nothing is formatted into
SQL text. A field is the `id` column for `_id`, a typed column for the datetime fields (with the
JSONB `record` holding any non-datetime value a PATCH put there), else `record -> 'field'`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from psycopg import sql
from psycopg.types.json import Jsonb

from backdrop.core.periods import Period
from backdrop.core.query import Query
from backdrop.core.storage.postgres.codec import DATE_COLUMNS, dumps

RECORD_COLUMNS = sql.SQL(", ").join(
    sql.Identifier(name) for name in ("id", *DATE_COLUMNS, "record")
)
# BSON comparison order of types (spec 2.4.2: MongoDB sort semantics): missing and null first,
# then numbers, strings (by code point), objects, arrays, booleans, dates.
_TYPE_RANK = sql.SQL(
    "CASE jsonb_typeof({value}) WHEN 'number' THEN 1 WHEN 'string' THEN 2 WHEN 'object' THEN 3"
    " WHEN 'array' THEN 4 WHEN 'boolean' THEN 5 ELSE 0 END"
)
_DATE_RANK = 6
# Numbers numerically, false before true; null and missing alike (no key: ties go to `_id`).
_SCALAR_KEY = sql.SQL("(CASE WHEN jsonb_typeof({value}) IN ('number', 'boolean') THEN {value} END)")
# Strings compare by code point, as BSON's do, whatever the database's collation.
_STRING_KEY = sql.SQL(
    "(CASE WHEN jsonb_typeof({value}) = 'string' THEN record ->> {name} END) COLLATE \"C\""
)


@dataclass(slots=True)
class Clause:
    """A piece of SQL and the parameters its placeholders take, in order."""

    text: sql.SQL | sql.Composed
    params: list[Any] = field(default_factory=list)


def json_value(name: str) -> sql.Composable:
    """The JSONB value of a client field (SQL NULL when the record lacks it)."""
    return sql.SQL("record -> {}").format(sql.Literal(name))


def _like_prefix(prefix: str) -> str:
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


def _equals(name: str, value: Any) -> Clause:
    """`filter_by`: type-sensitive equality; a record lacking the field never matches."""
    if name == "_id":
        return Clause(sql.SQL("id = %s"), [value]) if isinstance(value, str) else _never()
    if name in DATE_COLUMNS and isinstance(value, datetime):
        return Clause(sql.SQL("{} = %s").format(sql.Identifier(name)), [value])
    # Dumped when the statement runs, so a value PostgreSQL cannot hold fails at the seam.
    return Clause(sql.SQL("record @> %s"), [Jsonb({name: value}, dumps=dumps)])


def _never() -> Clause:
    return Clause(sql.SQL("false"))


def _starts_with(name: str, prefix: str) -> Clause:
    """`filter_by_prefix`: a string value starting with the literal prefix (LIKE escaped)."""
    if name == "_id":
        return Clause(sql.SQL("id LIKE %s"), [_like_prefix(prefix)])
    return Clause(
        sql.SQL("(jsonb_typeof({value}) = 'string' AND record ->> {name} LIKE %s)").format(
            value=json_value(name), name=sql.Literal(name)
        ),
        [_like_prefix(prefix)],
    )


def _present(name: str) -> Clause:
    """A group field must be there and not null (MongoDB `$ne: null`)."""
    return Clause(sql.SQL("jsonb_typeof({}) <> 'null'").format(json_value(name)))


def selection(query: Query, *, present: Sequence[str] = (), unestimated: bool = False) -> Clause:
    """The WHERE condition: `_timestamp` range, `filter_by`, `filter_by_prefix` (all AND-ed).

    `unestimated` hides the conditions on the JSONB from the planner's estimates (as one
    COALESCE, which it takes to hold for half the rows): it cannot tell how many documents
    hold a value (it took 1 in 300 to be 1 in 12,500), and so sorted every match of a limited
    read instead of walking the records in order and stopping at the limit."""
    clauses: list[Clause] = []
    if query.start_at is not None:
        clauses.append(Clause(sql.SQL("_timestamp >= %s"), [query.start_at]))
    if query.end_at is not None:
        before = sql.SQL("_timestamp <= %s" if query.inclusive else "_timestamp < %s")
        clauses.append(Clause(before, [query.end_at]))
    columns: list[Clause] = []
    documents: list[Clause] = []
    for name, value in query.filter_by:
        (columns if _is_column(name, value) else documents).append(_equals(name, value))
    for name, prefix in query.filter_by_prefix:
        (columns if name == "_id" else documents).append(_starts_with(name, prefix))
    documents += [_present(name) for name in present]
    if unestimated and documents:
        hidden = _and(documents)
        documents = [Clause(sql.SQL("COALESCE({}, false)").format(hidden.text), hidden.params)]
    return _and([*clauses, *columns, *documents])


def _and(clauses: Sequence[Clause]) -> Clause:
    if not clauses:
        return Clause(sql.SQL("true"))
    return Clause(
        sql.SQL(" AND ").join(clause.text for clause in clauses),
        [param for clause in clauses for param in clause.params],
    )


def _is_column(name: str, value: Any) -> bool:
    """Is `filter_by` of this value a condition on a column, not on the JSONB (`_equals`)?"""
    return name == "_id" or (name in DATE_COLUMNS and isinstance(value, datetime))


def numeric_sort(query: Query) -> bool:
    """True when `sort_by` names a client field, which `order(numeric=True)` may sort by."""
    return query.sort_by is not None and query.sort_by.field not in ("_id", *DATE_COLUMNS)


def order(query: Query, *, numeric: bool = False) -> sql.Composable:
    """ORDER BY for raw reads: insertion order, or `sort_by` typed as MongoDB sorts, ties by
    `_id` ascending (identical requests give identical bytes).

    `numeric` sorts by the field cast to numeric, as plain SQL would; PostgreSQL refuses the
    cast (SQLSTATE 22023) unless every value is a number, and then the typed order must run.
    Missing values sort lowest, as MongoDB sorts them.
    """
    if query.sort_by is None:
        return sql.SQL("seq")
    direction = sql.SQL("DESC" if query.sort_by.descending else "ASC")
    name = query.sort_by.field
    if numeric:
        nulls = sql.SQL("NULLS LAST" if query.sort_by.descending else "NULLS FIRST")
        return sql.SQL("({})::numeric {} {}, id").format(json_value(name), direction, nulls)
    return _typed_order(name, direction)


def _typed_order(name: str, direction: sql.SQL) -> sql.Composable:
    if name == "_id":
        return sql.SQL("id {}").format(direction)
    value = json_value(name)
    keys: list[sql.Composable] = [
        _TYPE_RANK.format(value=value),
        _STRING_KEY.format(value=value, name=sql.Literal(name)),
        _SCALAR_KEY.format(value=value),
    ]
    if name in DATE_COLUMNS:
        column = sql.Identifier(name)
        keys[0] = sql.SQL("CASE WHEN {column} IS NOT NULL THEN {rank} ELSE {json} END").format(
            column=column, rank=sql.Literal(_DATE_RANK), json=keys[0]
        )
        keys.append(column)
    ordered = [sql.SQL("{} {}").format(key, direction) for key in keys]
    return sql.SQL(", ").join([*ordered, sql.SQL("id")])


def period_start(period: Period) -> sql.Composable:
    """A record's bucket: the stored `_<period>_start_at`, else `_timestamp` truncated (weeks
    start on Monday, in UTC); NULL (left out) when the stored key holds something else or
    there is no `_timestamp` - what MongoDB's `$ifNull`/`$dateTrunc` pipeline gives."""
    return sql.SQL("COALESCE({column}, {derived})").format(
        column=sql.Identifier(period.key), derived=_derived_period_start(period)
    )


def _derived_period_start(period: Period) -> sql.Composable:
    """The bucket of a record whose `_<period>_start_at` column is NULL (see `period_start`)."""
    return sql.SQL(
        "CASE WHEN coalesce(jsonb_typeof({stored}), 'null') = 'null'"
        " THEN date_trunc({unit}, _timestamp, 'UTC') END"
    ).format(stored=json_value(period.key), unit=sql.Literal(period.value))


def bucketed(
    table: sql.Composable, query: Query, period: Period, columns: Sequence[sql.Composable]
) -> Clause:
    """The records `query` selects, as `columns` and their `period_start` as `bucket`: those
    with a stored bucket (all saved with a `_timestamp`) straight from its column, the others
    (imported or patched ones) through the index that holds only them, with their JSONB
    (migrations/004_grouped_reads.sql). Two branches of a UNION ALL, so that

    - a query that reads nothing else of a record is answered from the index on `_timestamp`,
      which holds the period keys, alone: it costs by the records in its range;
    - the planner, grouping on the branches' outputs, does not derive the number of groups
      from `_timestamp`, unique per record (it then sorted a million records, spilling to disk,
      rather than hash them into a few hundred groups)."""
    where = selection(query)
    column = sql.Identifier(period.key)

    def branch(bucket: sql.Composable, test: str) -> sql.Composed:
        return sql.SQL("SELECT {columns} FROM {table} WHERE {where} AND {column} IS {test}").format(
            columns=sql.SQL(", ").join([*columns, bucket]),
            table=table,
            where=where.text,
            column=column,
            test=sql.SQL(test),
        )

    stored = branch(sql.SQL("{} AS bucket").format(column), "NOT NULL")
    derived = branch(_derived_period_start(period), "NULL")
    return Clause(stored + sql.SQL(" UNION ALL ") + derived, [*where.params, *where.params])


def find_statement(table: sql.Composable, query: Query, *, numeric: bool = False) -> Clause:
    """The statement for `Storage.find`: every stored column, filtered, ordered, limited.

    A limited read sorted `numeric`ally first finds its records by their sort keys alone, then
    fetches them: sorting every record's whole row only to keep a few costs a third more."""
    where = selection(query, unestimated=query.sort_by is None and bool(query.limit))
    if numeric and query.limit:
        top = sql.SQL(
            "SELECT seq AS top_seq FROM {table} WHERE {where} ORDER BY {order} LIMIT {limit}"
        ).format(table=table, where=where.text, order=order(query, numeric=True),
                 limit=sql.Literal(query.limit))  # fmt: skip
        statement = sql.SQL(
            "SELECT {columns} FROM {table} JOIN ({top}) AS top ON seq = top_seq ORDER BY {order}"
        ).format(columns=RECORD_COLUMNS, table=table, top=top, order=order(query, numeric=True))
        return Clause(statement, where.params)
    statement = sql.SQL("SELECT {columns} FROM {table} WHERE {where} ORDER BY {order}").format(
        columns=RECORD_COLUMNS, table=table, where=where.text, order=order(query, numeric=numeric)
    )
    if query.limit:
        statement += sql.SQL(" LIMIT {}").format(sql.Literal(query.limit))
    return Clause(statement, where.params)
