"""Every bound a client can push against, decided once (README "Limits").

Checked before the work they protect: a body before it is read whole, nesting before anything
recursive walks it, a read's row count before its rows are built. `Limits` holds the ones an
operator may change (from Settings); the rest are facts of the storage engines both must honour.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from backdrop.core.errors import QueryTooLarge
from backdrop.core.query import Query

if TYPE_CHECKING:  # storage imports config, which imports this module
    from backdrop.core.storage.base import Row

# Integers are stored as MongoDB stores them: signed 64-bit (PostgreSQL would keep more, but
# then the engines would disagree, and JSON readers past 2^53 already do).
MIN_INTEGER: Final = -(2**63)
MAX_INTEGER: Final = 2**63 - 1
# An `_id` is an index key on both engines: MongoDB's classic key limit is 1024 bytes and a
# PostgreSQL btree entry must stay under ~2.7 kB.
MAX_ID_BYTES: Final = 1024
# Field names: long enough for any real name, short enough to quote in an error message.
MAX_KEY_LENGTH: Final = 256
# Query parameters that are counts (`limit`, `duration`): at most this many digits, so that
# parsing them is cheap and the numbers fit every engine's 64-bit integers.
MAX_COUNT_DIGITS: Final = 18


@dataclass(frozen=True, slots=True)
class Limits:
    """The operator-tunable bounds (environment: BACKDROP_MAX_ROWS, BACKDROP_MAX_BODY_MB,
    BACKDROP_UPLOAD_LIMIT_BYTES)."""

    max_rows: int = 100_000  # rows (and set values) one read may produce
    max_body_bytes: int = 10 << 20  # a request body, plain or once inflated (spec 3.8)
    max_depth: int = 32  # JSON nesting in a request body
    max_upload_bytes: int = 1_000_000  # an uploaded file must be smaller (spec 7.1)


def nesting_exceeds(value: Any, max_depth: int) -> bool:
    """True when `value` nests lists/objects more than `max_depth` levels deep; iterative, so
    it is safe on any input the JSON parser accepted."""
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            children: Iterable[Any] = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > max_depth:
            return True
        pending.extend((child, depth + 1) for child in children)
    return False


def check_periods(query: Query, limits: Limits) -> None:
    """Refuse a period query whose range alone has more buckets than the budget (every one is
    gap-filled), before the database is asked anything."""
    if query.period is None or query.start_at is None or query.end_at is None:
        return
    periods = query.period.count(query.start_at, query.end_at)
    if periods > limits.max_rows:
        raise QueryTooLarge(
            periods,
            limits.max_rows,
            hint=f"it spans {periods} periods of a {query.period.value}: use a longer period "
            "or a shorter range (start_at/end_at or duration)",
        )


def check_answer(query: Query, rows: Sequence[Row], limits: Limits) -> None:
    """Refuse a grouped query whose shaped answer (groups x gap-filled periods, or for
    `flatten` every combination of the group values in every period, plus any collected set
    values) would exceed the budget, from the database's rows and before shaping builds it."""
    if len(rows) > limits.max_rows:
        _too_large(len(rows), limits, "filter it with filter_by or group by fewer fields")
    values = sum(len(collected.values) for row in rows for collected in row.collected.values())
    if values > limits.max_rows:
        _too_large(values, limits, "collect a set over fewer records or fewer distinct values")
    answer = _answer_rows(query, rows)
    if answer > limits.max_rows:
        hint = "group by fewer fields, filter with filter_by"
        if query.period is not None:
            hint += ", use a longer period or a shorter range"
        if query.flatten:
            hint += ", or leave out flatten=true (it fills every combination of group values)"
        _too_large(answer, limits, hint)


def raw_limit(query: Query, limits: Limits) -> int:
    """How many records to fetch for a raw read: its `limit` within the budget, or one more
    than the budget so that an answer over it can be told apart."""
    if query.limit is not None and query.limit <= limits.max_rows:
        return query.limit
    return limits.max_rows + 1


def check_raw(fetched: int, limits: Limits) -> None:
    """Refuse a raw read that matched more records than the budget."""
    if fetched > limits.max_rows:
        raise QueryTooLarge(
            fetched,
            limits.max_rows,
            hint=f"add limit= (at most {limits.max_rows}) or narrow it with start_at/end_at "
            "or filter_by",
            more=True,
        )


def _too_large(rows: int, limits: Limits, hint: str) -> None:
    raise QueryTooLarge(rows, limits.max_rows, hint=hint)


def _answer_rows(query: Query, rows: Sequence[Row]) -> int:
    if query.period is None:
        return len(rows)
    periods = _periods(query, rows)
    if not query.group_by:
        return periods
    groups = {row.group for row in rows}
    if not query.flatten:
        return len(groups) * (periods + 1)
    combinations = 1
    for index in range(len(query.group_by)):
        combinations *= len({group[index] for group in groups})
    return combinations * periods


def _periods(query: Query, rows: Sequence[Row]) -> int:
    if query.period is None:
        return 0
    if query.start_at is None or query.end_at is None:
        return len({row.period_start for row in rows})
    return query.period.count(query.start_at, query.end_at)
