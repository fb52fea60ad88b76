"""Query -> MongoDB: the selection filter and the grouping pipeline (spec 2.4).

The `_timestamp` range comes first in every `$match` so the `_timestamp_-1` index bounds the scan.
"""

from __future__ import annotations

import re
from typing import Any

from backdrop.core.periods import Period
from backdrop.core.query import Query

_UNITS = {period: period.value for period in Period}
_NOTHING: dict[str, Any] = {"$in": []}  # matches no record


def selection(query: Query, *, present: tuple[str, ...] = ()) -> dict[str, Any]:
    """The `find`/`$match` filter: time range, `filter_by` (AND), `filter_by_prefix` (AND), and
    `present` fields that must exist and not be null.

    One operator document per field and never a top-level `$and`: the embedded server uses the
    `_timestamp` index only when `_timestamp` is a top-level key, and scans the whole collection
    otherwise. Several conditions on one field are merged (records hold scalars only).
    """
    match: dict[str, dict[str, Any]] = {}
    stamp: dict[str, Any] = {}
    if query.start_at is not None:
        stamp["$gte"] = query.start_at
    if query.end_at is not None:
        stamp["$lte" if query.inclusive else "$lt"] = query.end_at
    if stamp:
        match["_timestamp"] = stamp
    for name, values in _by_field(query.filter_by).items():
        match.setdefault(name, {}).update(_equal_to_all(values))
    for name, prefixes in _by_field(query.filter_by_prefix).items():
        match.setdefault(name, {}).update(_prefixed_by_all(prefixes))
    for name in present:
        match.setdefault(name, {})["$ne"] = None
    return dict(match)


def _by_field(pairs: tuple[tuple[str, Any], ...]) -> dict[str, list[Any]]:
    fields: dict[str, list[Any]] = {}
    for name, value in pairs:
        fields.setdefault(name, []).append(value)
    return fields


def _equal_to_all(values: list[Any]) -> dict[str, Any]:
    """A scalar equals every value only when they are all the same (type included)."""
    distinct = {(type(value), value) for value in values}
    return {"$eq": values[0]} if len(distinct) == 1 else _NOTHING


def _prefixed_by_all(prefixes: list[str]) -> dict[str, Any]:
    """A string starts with every prefix only when it starts with the longest, and that one
    starts with all the others. Literal prefixes: regex characters are escaped (spec 2.4.1)."""
    longest = max(prefixes, key=len)
    if not all(longest.startswith(prefix) for prefix in prefixes):
        return _NOTHING
    return {"$regex": "^" + re.escape(longest)}


def group_pipeline(query: Query) -> list[dict[str, Any]]:
    """`$match`, `$group`, then `$project`s over the grouped rows: a row per group key
    combination with `_count` and, per collected field `i`, `c<i>` (present values),
    `t<i>`/`n<i>` (numeric total, booleans as 0/1, and the count of non-numeric values; for
    `sum`/`mean`) and `v<i>` (distinct values; for `set`).

    The `$group` only pushes each field's values; the `$project`s reduce the per-group arrays,
    first splitting off the values that are not numbers (few, usually none) so booleans and
    other types are told apart on those alone. On the embedded server that costs a fifth of
    per-record `$cond` accumulators. Records lacking a field push nothing (spec 2.4.3).
    """
    keys: dict[str, Any] = {f"g{index}": f"${name}" for index, name in enumerate(query.group_by)}
    if query.period is not None:
        keys["p"] = _period_start(query.period)
    accumulators: dict[str, Any] = {"_id": keys, "_count": {"$sum": 1}}
    split: dict[str, Any] = {"_count": 1}
    reduced: dict[str, Any] = {"_count": 1}
    for index, name in enumerate(query.collected_fields):
        accumulators[f"v{index}"] = {"$push": f"${name}"}
        first, second = _reduce_collected(index, query.wants_values(name), query.wants_sum(name))
        split.update(first)
        reduced.update(second)
    pipeline: list[dict[str, Any]] = [
        {"$match": selection(query, present=query.group_by)},
        {"$group": accumulators},
    ]
    if query.collected_fields:
        pipeline.append({"$project": split})
    if any(query.wants_sum(name) for name in query.collected_fields):
        pipeline.append({"$project": reduced})
    return pipeline


def _period_start(period: Period) -> dict[str, Any]:
    """The stored `_<period>_start_at`, or `_timestamp` truncated where that key is absent."""
    truncated: dict[str, Any] = {"date": "$_timestamp", "unit": _UNITS[period]}
    if period is Period.WEEK:
        truncated["startOfWeek"] = "monday"
    return {"$ifNull": [f"${period.key}", {"$dateTrunc": truncated}]}


def _reduce_collected(
    index: int, values: bool, arithmetic: bool
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The two `$project` parts for one collected field."""
    pushed, others = f"$v{index}", f"$o{index}"
    first: dict[str, Any] = {f"c{index}": {"$size": pushed}}
    second: dict[str, Any] = {f"c{index}": 1}
    if values:
        first[f"v{index}"] = {"$setUnion": [pushed, []]}
        second[f"v{index}"] = 1
    if arithmetic:
        first[f"t{index}"] = {"$sum": pushed}  # numbers only: booleans are added below
        first[f"o{index}"] = _matching(pushed, {"$not": [{"$isNumber": "$$this"}]})
        trues = {"$size": _matching(others, {"$eq": ["$$this", True]})}
        second[f"t{index}"] = {"$add": [f"$t{index}", trues]}
        not_boolean = {"$not": [{"$in": ["$$this", [True, False]]}]}
        second[f"n{index}"] = {"$size": _matching(others, not_boolean)}
    return first, second


def _matching(array: str, condition: dict[str, Any]) -> dict[str, Any]:
    return {"$filter": {"input": array, "cond": condition}}
