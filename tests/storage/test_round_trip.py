"""Values round-trip exactly (pinned 2): what a client wrote is what raw reads return, type
included, and it never breaks a later read, filter, sort or group."""

from __future__ import annotations

import math
from typing import Any

import pytest

from backdrop.core.query import Collect, Query, SortBy
from backdrop.core.storage.base import Storage
from backdrop.web.rendering import dumps

# Objects whose keys a database could read as its own syntax: type tags, operators, paths.
LOOKALIKES: dict[str, Any] = {
    "date": {"$date": "garbage"},
    "oid": {"$oid": "not-an-object-id"},
    "literal": {"$literal": 1, "$set": {"a": 2}},
    "dotted": {"a.b": 1, "a": {"b": 2}},
    "empty_key": {"": "nothing", " ": "space"},
    "nested": {"x": [{"$date": 1}, [{"a.b": None}], {"$numberLong": "5"}]},
    "array": [1, 2.5, "three", None, True, {"$regex": "^a"}],
    "floats": [1e16, 1e308, 100.0, -0.0],
    "ints": [2**63 - 1, -(2**63), 0],
}
SCALARS: dict[str, Any] = {
    "big_float": 1e16,
    "huge_float": 1e308,
    "round_float": 100.0,
    "negative_zero": -0.0,
    "max_int": 2**63 - 1,
    "min_int": -(2**63),
}


def kind(value: Any) -> str:
    """The JSON type of a value (a driver's int subclass is an int; a bool is not)."""
    for json_type in (bool, int, float, str, dict, list):
        if isinstance(value, json_type):
            return json_type.__name__
    return repr(value)


def same(left: Any, right: Any) -> bool:
    """Equal with JSON types: 1 is not 1.0, and -0.0 is not 0.0."""
    if kind(left) != kind(right):
        return False
    if isinstance(left, float):
        return left == right and math.copysign(1, left) == math.copysign(1, right)
    if isinstance(left, dict):
        return left.keys() == right.keys() and all(same(left[k], right[k]) for k in left)
    if isinstance(left, list):
        return len(left) == len(right) and all(map(same, left, right))
    return bool(left == right)


def stored(storage: Storage, data_set: str, record_id: str) -> dict[str, Any]:
    [record] = [r for r in storage.find(data_set, Query()) if str(r["_id"]) == record_id]
    return record


def test_posted_scalars_keep_value_and_type(storage: Storage, data_set: str) -> None:
    storage.save(data_set, [{"_id": "a", **SCALARS}])
    record = stored(storage, data_set, "a")
    for key, value in SCALARS.items():
        assert same(record[key], value), (key, record[key])


@pytest.mark.parametrize("field", sorted(LOOKALIKES))
def test_patched_values_round_trip_exactly(storage: Storage, data_set: str, field: str) -> None:
    storage.save(data_set, [{"_id": "a", "count": 1}])
    assert storage.patch_record(data_set, "a", {field: LOOKALIKES[field]})
    record = stored(storage, data_set, "a")
    assert same(record[field], LOOKALIKES[field]), record[field]
    assert record["count"] == 1


def test_patched_lookalikes_never_break_a_later_read(storage: Storage, data_set: str) -> None:
    storage.save(data_set, [{"_id": "a", "kind": "x", "n": 1}, {"_id": "b", "kind": "y", "n": 2}])
    assert storage.patch_record(data_set, "a", dict(LOOKALIKES))
    assert [r["_id"] for r in storage.find(data_set, Query(filter_by=(("kind", "x"),)))] == ["a"]
    by_date = Query(sort_by=SortBy("date", descending=True))
    assert sorted(str(r["_id"]) for r in storage.find(data_set, by_date)) == ["a", "b"]
    rows = storage.run(data_set, Query(group_by=("kind",), collect=(Collect("n", "sum"),)))
    assert sorted((row.group, row.collected["n"].total) for row in rows) == [
        (("x",), 1),
        (("y",), 2),
    ]
    dumps(list(storage.find(data_set, Query())))  # renders as JSON
