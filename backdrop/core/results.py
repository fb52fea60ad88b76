"""Shaping grouped rows into the response data of spec 2.4.4-2.6.

The database has already grouped and counted; here we only nest, reduce, sort, limit, name and
gap-fill the (small) grouped result, in time linear in the output.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from backdrop.core.errors import QueryInvalid
from backdrop.core.periods import Period
from backdrop.core.query import Collect, Query
from backdrop.core.storage.base import Collected, Row

Data = dict[str, Any]


def py2_order(value: Any) -> tuple[Any, ...]:
    """Python 2's ordering of mixed JSON values: None < numbers < strings (and dates)."""
    if value is None:
        return (0,)
    if isinstance(value, bool | int | float):
        return (1, value)
    if isinstance(value, datetime):
        return (2, value)
    return (3, str(value))


def reduce_collected(collect: Collect, collected: Collected) -> Any:
    """One `collect` reducer (spec 2.4.6) over what the database gathered."""
    if collect.method in ("sum", "mean") and collected.non_numeric:
        raise QueryInvalid("invalid collect function")
    if collect.method == "sum":
        return collected.total
    if collect.method == "mean":
        return collected.total / collected.count if collected.count else None
    if collect.method == "count":
        return collected.count
    return sorted(set(collected.values), key=py2_order)


def merge_collected(parts: Iterable[Collected]) -> Collected:
    """Combine a group's per-period aggregates (a mean of all values, not a mean of means)."""
    count, non_numeric = 0, 0
    total: int | float = 0
    values: list[Any] = []
    for part in parts:
        count += part.count
        total += part.total
        non_numeric += part.non_numeric
        values.extend(part.values)
    return Collected(count, total, non_numeric, tuple(values))


def _collects(query: Query, collected: Mapping[str, Collected]) -> Data:
    data: Data = {}
    for collect in query.collect:
        value = reduce_collected(collect, collected.get(collect.field, Collected()))
        data[collect.output_key] = value
        if collect.method == "default":
            data[collect.field] = value  # the bare-name alias (spec 2.4.6)
    return data


def _empty_collects(query: Query) -> Data:
    return {collect.output_key: None for collect in query.collect}


def _period_fields(period: Period, start: datetime) -> Data:
    return {"_start_at": start, "_end_at": period.shift(start, 1)}


def shape(query: Query, rows: Sequence[Row]) -> list[Data]:
    """The response `data` for a grouped query (not raw), before any relative-range shift."""
    if query.period is None:
        data = _grouped(query, rows)
    elif not query.group_by:
        data = _periods(query, query.period, {row.period_start: row for row in rows})
    elif query.flatten:
        data = _flat_periods(query, query.period, rows)
    else:
        data = _nested_periods(query, query.period, rows)
    return data


def _sort_and_limit(query: Query, data: list[Data]) -> list[Data]:
    """spec 2.4.5: a stable sort of the top-level rows by `sort_by`, then `limit`."""
    if query.sort_by is not None:
        name = query.sort_by.field
        if any(name not in item for item in data):
            raise QueryInvalid(f"Cannot sort by {name}: some results do not have it")
        data = sorted(
            data, key=lambda item: py2_order(item[name]), reverse=query.sort_by.descending
        )
    return data[: query.limit] if query.limit else data


def _group_fields(query: Query, group: tuple[Any, ...]) -> Data:
    return dict(zip(query.group_by, group, strict=True))


def _grouped(query: Query, rows: Sequence[Row]) -> list[Data]:
    ordered = sorted(rows, key=lambda row: tuple(py2_order(v) for v in row.group))
    data = [
        {**_group_fields(query, row.group), "_count": row.count, **_collects(query, row.collected)}
        for row in ordered
    ]
    return _sort_and_limit(query, data)


def _period_starts(query: Query, period: Period, observed: Iterable[Any]) -> list[datetime]:
    """The range's periods; without a range (not from HTTP, spec 2.3 row 2a) the observed ones."""
    if query.start_at is None or query.end_at is None:
        return sorted(start for start in set(observed) if isinstance(start, datetime))
    return list(period.starts(query.start_at, query.end_at))


def _period_row(query: Query, period: Period, start: datetime, row: Row | None) -> Data:
    if row is None:
        return {**_period_fields(period, start), "_count": 0, **_empty_collects(query)}
    return {**_period_fields(period, start), "_count": row.count, **_collects(query, row.collected)}


def _periods(query: Query, period: Period, by_start: Mapping[Any, Row]) -> list[Data]:
    """One row per period of the range, empty ones filled (spec 2.6)."""
    return [
        _period_row(query, period, start, by_start.get(start))
        for start in _period_starts(query, period, by_start)
    ]


def _by_group(rows: Iterable[Row]) -> dict[tuple[Any, ...], list[Row]]:
    groups: dict[tuple[Any, ...], list[Row]] = {}
    for row in rows:
        groups.setdefault(row.group, []).append(row)
    return groups


def _nested_periods(query: Query, period: Period, rows: Sequence[Row]) -> list[Data]:
    """Groups with a `values` list of filled periods (spec 2.4.4 nested, 2.5)."""
    groups = _by_group(rows)
    data = []
    for group in sorted(groups, key=lambda g: tuple(py2_order(v) for v in g)):
        members = groups[group]
        merged = {
            name: merge_collected(row.collected[name] for row in members)
            for name in query.collected_fields
        }
        data.append(
            {
                **_group_fields(query, group),
                "_count": sum(row.count for row in members),
                "_group_count": len(members),
                **_collects(query, merged),
                "values": _periods(query, period, {row.period_start: row for row in members}),
            }
        )
    return _sort_and_limit(query, data)


def _flat_periods(query: Query, period: Period, rows: Sequence[Row]) -> list[Data]:
    """Every observed group combination in every period, empty ones filled (spec 2.6)."""
    unfilled = [
        {
            **_group_fields(query, row.group),
            **_period_fields(period, row.period_start),  # type: ignore[arg-type]
            "_count": row.count,
            **_collects(query, row.collected),
        }
        for row in sorted(rows, key=lambda r: tuple(py2_order(v) for v in r.group))
    ]
    kept = _sort_and_limit(query, unfilled)
    observed = [sorted({item[name] for item in kept}, key=py2_order) for name in query.group_by]
    found = {
        (tuple(item[name] for name in query.group_by), item["_start_at"]): item for item in kept
    }
    data = []
    for start in _period_starts(query, period, (item["_start_at"] for item in kept)):
        for combination in itertools.product(*observed):
            item = found.get((combination, start))
            if item is None:
                item = {
                    **_group_fields(query, combination),
                    **_period_fields(period, start),
                    "_count": 0,
                    **_empty_collects(query),
                }
            data.append(item)
    return data


def shift_for(query: Query, data: Sequence[Data]) -> int:
    """How many periods to move a relative range so it starts (ends) at data (spec 2.6)."""
    if query.delta is None or query.period is None or query.flatten:
        return 0
    if query.group_by:
        shifts = [_shift(query.delta, item["values"]) for item in data]
        return min(shifts, key=abs) if shifts else 0
    return _shift(query.delta, data)


def _shift(delta: int, periods: Sequence[Data]) -> int:
    counts = [item["_count"] > 0 for item in periods]
    if delta > 0:
        return next((index for index, has in enumerate(counts) if has), 0)
    return -next((index for index, has in enumerate(reversed(counts)) if has), 0)
