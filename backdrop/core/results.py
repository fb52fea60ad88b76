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


_NOTHING = Collected()  # what a group that never had the field collected


def _add_collects(query: Query, item: Data, collected: Mapping[str, Collected] | None) -> Data:
    """Put the collect reducers' outputs into `item`; None for a filled (empty) row, which
    gets `field:method: null` and no bare-name alias (spec 2.6)."""
    for collect in query.collect:
        if collected is None:
            item[collect.output_key] = None
            continue
        value = reduce_collected(collect, collected.get(collect.field, _NOTHING))
        item[collect.output_key] = value
        if collect.method == "default":
            item[collect.field] = value  # the bare-name alias (spec 2.4.6)
    return item


def _item(names: Sequence[str], group: Sequence[Any], count: int) -> Data:
    return dict(zip(names, group, strict=True), _count=count)


def _period_item(query: Query, names: Sequence[str], group: Sequence[Any], start: datetime,
                 end: datetime, row: Row | None) -> Data:  # fmt: skip
    """A period row: the data row's values, or a filled one (`_count` 0) when `row` is None."""
    item = _item(names, group, row.count if row is not None else 0)
    item["_start_at"] = start
    item["_end_at"] = end
    return _add_collects(query, item, row.collected if row is not None else None)


def _sorted_groups(groups: Iterable[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Groups in Python 2's order of their values; plain tuple order when all are strings."""
    groups = list(groups)
    if set(map(type, itertools.chain.from_iterable(groups))) <= {str}:
        return sorted(groups)
    return sorted(groups, key=lambda group: tuple(py2_order(value) for value in group))


def shape(query: Query, rows: Sequence[Row]) -> list[Data]:
    """The response `data` for a grouped query (not raw), before any relative-range shift."""
    if query.period is None:
        return _grouped(query, rows)
    if not query.group_by:
        return _periods(query, query.period, {row.period_start: row for row in rows})
    if query.flatten:
        return _flat_periods(query, query.period, rows)
    return _nested_periods(query, query.period, rows)


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


def _grouped(query: Query, rows: Sequence[Row]) -> list[Data]:
    by_group = {row.group: row for row in rows}
    ordered = [by_group[group] for group in _sorted_groups(by_group)]
    data = [_item(query.group_by, row.group, row.count) for row in ordered]  # answers can be large
    if query.collect:
        for item, row in zip(data, ordered, strict=True):
            _add_collects(query, item, row.collected)
    return _sort_and_limit(query, data)


def _period_starts(query: Query, period: Period, observed: Iterable[Any]) -> list[datetime]:
    """The range's periods; without a range (not from HTTP, spec 2.3 row 2a) the observed ones."""
    if query.start_at is None or query.end_at is None:
        return sorted(start for start in set(observed) if isinstance(start, datetime))
    return list(period.starts(query.start_at, query.end_at))


def _periods(query: Query, period: Period, by_start: Mapping[Any, Row]) -> list[Data]:
    """One row per period of the range, empty ones filled (spec 2.6); no group fields."""
    return [
        _period_item(query, (), (), start, period.shift(start, 1), by_start.get(start))
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
    for group in _sorted_groups(groups):
        members = groups[group]
        merged = {
            name: merge_collected(row.collected[name] for row in members)
            for name in query.collected_fields
        }
        count = sum(row.count for row in members)
        item = _add_collects(query, _item(query.group_by, group, count), merged)
        item["_group_count"] = len(members)
        item["values"] = _periods(query, period, {row.period_start: row for row in members})
        data.append(item)
    return _sort_and_limit(query, data)


def _flat_periods(query: Query, period: Period, rows: Sequence[Row]) -> list[Data]:
    """Every observed group combination in every period, empty ones filled (spec 2.6).

    The combinations are those of the sorted and limited rows (spec 2.4.5 comes first).
    """
    found = {(row.group, row.period_start): row for row in rows}
    if query.sort_by is not None or query.limit:
        ordered = sorted(found, key=lambda key: tuple(py2_order(value) for value in key[0]))
        items = [
            _period_item(query, query.group_by, group, start, period.shift(start, 1), row)
            for (group, start), row in ((key, found[key]) for key in ordered)
            if start is not None
        ]
        kept = {
            (tuple(item[name] for name in query.group_by), item["_start_at"])
            for item in _sort_and_limit(query, items)
        }
        found = {key: row for key, row in found.items() if key in kept}
    observed = [
        sorted({group[index] for group, _ in found}, key=py2_order)
        for index in range(len(query.group_by))
    ]
    groups = [
        (group, dict(zip(query.group_by, group, strict=True)))
        for group in itertools.product(*observed)
    ]
    data = []
    for start in _period_starts(query, period, (start for _, start in found)):
        end = period.shift(start, 1)
        for group, fields in groups:
            row = found.get((group, start))
            item = {**fields, "_start_at": start, "_end_at": end}
            item["_count"] = row.count if row is not None else 0
            data.append(_add_collects(query, item, row.collected if row is not None else None))
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
