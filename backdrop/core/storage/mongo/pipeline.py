"""Query -> MongoDB: the selection filter and the grouping pipeline (spec 2.4).

The `_timestamp` range comes first in every `$match` so the `_timestamp_-1` index bounds the scan.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from bson.decimal128 import Decimal128

from backdrop.core.limits import MAX_INTEGER, MIN_INTEGER
from backdrop.core.periods import Period
from backdrop.core.query import Needs, Query
from backdrop.core.storage.base import Collected
from backdrop.core.storage.mongo.names import encodable

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
    """A scalar equals every value only when they are all the same (type included), and no
    stored value equals text BSON cannot encode."""
    distinct = {(type(value), value) for value in values}
    if len(distinct) != 1 or (isinstance(values[0], str) and not encodable(values[0])):
        return _NOTHING
    return {"$eq": values[0]}


def _prefixed_by_all(prefixes: list[str]) -> dict[str, Any]:
    """A string starts with every prefix only when it starts with the longest, and that one
    starts with all the others. Literal prefixes: regex characters are escaped (spec 2.4.1), and
    NUL is written `\\x00` (a BSON regex cannot hold the character itself). No stored text
    starts with text BSON cannot encode."""
    longest = max(prefixes, key=len)
    if not all(longest.startswith(prefix) for prefix in prefixes) or not encodable(longest):
        return _NOTHING
    return {"$regex": "^" + re.escape(longest).replace("\0", "\\x00")}


def group_pipeline(query: Query, *, exact_longs: bool = False) -> list[dict[str, Any]]:
    """One `$match` + `$group` (+ `$addFields` for sets): a row per group key combination.

    `exact_longs` sums 64-bit integers apart, as decimals, for a server that fails a `$sum` of
    them past 64 bits (SecantusDB) where mongod turns it into a double (see `collected`).
    """
    keys: dict[str, Any] = {f"g{index}": f"${name}" for index, name in enumerate(query.group_by)}
    if query.period is not None:
        keys["p"] = _period_start(query.period)
    accumulators: dict[str, Any] = {"_id": keys, "_count": {"$sum": 1}}
    sets: dict[str, Any] = {}
    for index, needs in enumerate(query.needs):
        accumulators.update(_collect_accumulators(index, needs, exact_longs=exact_longs))
        if needs.values:
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


def _collect_accumulators(index: int, needs: Needs, *, exact_longs: bool) -> dict[str, Any]:
    """Only what the requested reducers need, in the cheapest form.

    `t` sums the numbers (`$sum` skips everything else) and `o` gathers the present values that
    are not numbers (booleans, strings, null: rare in a summed field), so Python can add the
    booleans and refuse the rest. `k` counts the numbers, so the present values are `k + len(o)`.
    A count on its own counts present values directly instead of gathering the non-numbers.
    With `exact_longs`, `t` leaves the 64-bit integers to `l`, their exact decimal sum.
    """
    field = f"${needs.field}"
    accumulators: dict[str, Any] = {}
    if needs.sums:
        accumulators[f"t{index}"] = {"$sum": field}
        if exact_longs:
            is_long = {"$eq": [{"$type": field}, "long"]}
            accumulators[f"t{index}"] = {"$sum": {"$cond": [is_long, 0, field]}}
            accumulators[f"l{index}"] = {"$sum": {"$cond": [is_long, {"$toDecimal": field}, 0]}}
        accumulators[f"o{index}"] = {"$push": {"$cond": [{"$isNumber": field}, "$$REMOVE", field]}}
    if needs.count and needs.sums:
        accumulators[f"k{index}"] = {"$sum": {"$cond": [{"$isNumber": field}, 1, 0]}}
    elif needs.count:
        present = {"$ne": [{"$type": field}, "missing"]}
        accumulators[f"c{index}"] = {"$sum": {"$cond": [present, 1, 0]}}
    if needs.values:
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
        total=_total(document.get(f"t{index}", 0), document.get(f"l{index}", 0)) + sum(booleans),
        non_numeric=len(others) - len(booleans),
        values=tuple(document.get(f"v{index}", ())),
    )


def _total(total: int | float, longs: int | Decimal128) -> int | float:
    """The sum of the numbers: exact while it fits in 64 bits, else a float, as mongod's `$sum`
    turns a long that overflows into a double (and JSON renders an infinite float as null)."""
    if isinstance(longs, Decimal128):
        exact = int(longs.to_decimal())
        if isinstance(total, float):
            return total + float(exact)
        total += exact
    if isinstance(total, int) and not MIN_INTEGER <= total <= MAX_INTEGER:
        return float(total)
    return total
