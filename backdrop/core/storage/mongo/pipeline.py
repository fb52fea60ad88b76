"""Query -> MongoDB: the selection filter and the grouping pipeline (spec 2.4).

The `_timestamp` range comes first in every `$match` so the `_timestamp_-1` index bounds the scan.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from backdrop.core.periods import Period
from backdrop.core.query import Query
from backdrop.core.storage.base import Collected

_UNITS = {period: period.value for period in Period}


def selection(query: Query, *, present: tuple[str, ...] = ()) -> dict[str, Any]:
    """The `find`/`$match` filter: time range, `filter_by` (AND), `filter_by_prefix` (AND), and
    `present` fields that must exist and not be null.

    Conditions are merged into one flat document per field (an `$and` only for repeats of the
    same operator on a field), because flat filters are what the index planner reads.
    """
    conditions: list[tuple[str, str, Any]] = []
    if query.start_at is not None:
        conditions.append(("_timestamp", "$gte", query.start_at))
    if query.end_at is not None:
        conditions.append(("_timestamp", "$lte" if query.inclusive else "$lt", query.end_at))
    conditions += [(name, "$eq", value) for name, value in query.filter_by]
    conditions += [
        (name, "$regex", "^" + re.escape(prefix)) for name, prefix in query.filter_by_prefix
    ]
    conditions += [(name, "$ne", None) for name in present]
    spec: dict[str, Any] = {}
    repeats: list[dict[str, Any]] = []
    for name, operator, value in conditions:
        operators = spec.setdefault(name, {})
        if operator in operators:
            repeats.append({name: {operator: value}})
        else:
            operators[operator] = value
    if repeats:
        spec["$and"] = repeats
    return spec


def group_pipeline(query: Query) -> list[dict[str, Any]]:
    """One `$match` + `$group` (+ `$addFields` for sets): a row per group key combination."""
    keys: dict[str, Any] = {f"g{index}": f"${name}" for index, name in enumerate(query.group_by)}
    if query.period is not None:
        keys["p"] = _period_start(query.period)
    accumulators: dict[str, Any] = {"_id": keys, "_count": {"$sum": 1}}
    sets: dict[str, Any] = {}
    for index, name in enumerate(query.collected_fields):
        methods: set[str] = {c.method for c in query.collect if c.field == name}
        accumulators.update(_collect_accumulators(index, name, methods))
        if f"v{index}" in accumulators:
            sets[f"v{index}"] = {"$setUnion": [f"$v{index}", []]}
    pipeline: list[dict[str, Any]] = [
        {"$match": selection(query, present=query.group_by)},
        {"$group": accumulators},
    ]
    if sets:
        pipeline.append({"$addFields": sets})
    return pipeline


def _period_start(period: Period) -> dict[str, Any]:
    """The stored `_<period>_start_at`, or `_timestamp` truncated where that key is absent."""
    truncated: dict[str, Any] = {"date": "$_timestamp", "unit": _UNITS[period]}
    if period is Period.WEEK:
        truncated["startOfWeek"] = "monday"
    return {"$ifNull": [f"${period.key}", {"$dateTrunc": truncated}]}


def _collect_accumulators(index: int, name: str, methods: set[str]) -> dict[str, Any]:
    """Only what the requested reducers need, in the cheapest form.

    `t` sums the numbers (`$sum` skips everything else) and `o` gathers the present values that
    are not numbers (booleans, strings, null: rare in a summed field), so Python can add the
    booleans and refuse the rest. `k` counts the numbers, so the present values are `k + len(o)`.
    A count on its own counts present values directly instead of gathering the non-numbers.
    """
    field = f"${name}"
    accumulators: dict[str, Any] = {}
    if methods & {"sum", "mean"}:
        accumulators[f"t{index}"] = {"$sum": field}
        accumulators[f"o{index}"] = {"$push": {"$cond": [{"$isNumber": field}, "$$REMOVE", field]}}
    if "mean" in methods or ("count" in methods and f"t{index}" in accumulators):
        accumulators[f"k{index}"] = {"$sum": {"$cond": [{"$isNumber": field}, 1, 0]}}
    elif "count" in methods:
        present = {"$ne": [{"$type": field}, "missing"]}
        accumulators[f"c{index}"] = {"$sum": {"$cond": [present, 1, 0]}}
    if methods & {"set", "default"}:
        accumulators[f"v{index}"] = {"$push": field}
    return accumulators


def collected(document: Mapping[str, Any], index: int) -> Collected:
    """What `_collect_accumulators` gathered for field `index`, as the interface's value."""
    others = document.get(f"o{index}", ())
    booleans = [value for value in others if isinstance(value, bool)]
    count = document.get(f"c{index}")
    if count is None:
        count = document.get(f"k{index}", 0) + len(others)
    return Collected(
        count=int(count),
        total=document.get(f"t{index}", 0) + sum(booleans),
        non_numeric=len(others) - len(booleans),
        values=tuple(document.get(f"v{index}", ())),
    )
