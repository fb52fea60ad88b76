"""Stored values round-trip exactly (pinned behaviours 2 and 3): what a client wrote is what
raw reads return, type included, and it never breaks a later read, filter, sort or group; sums
that leave 64-bit integers become floats, and float sums that overflow are infinite (rendered
as null), on every engine."""

from __future__ import annotations

import math
from typing import Any

import pytest

from backdrop.core.data_set_config import DataSetConfig
from backdrop.core.data_sets import DataSets
from backdrop.core.query import Collect, Query, SortBy
from backdrop.core.storage.base import Storage
from backdrop.web.rendering import dumps
from tests.storage.builders import rec

# What a POST may hold: scalars.
SCALARS: dict[str, Any] = {
    "ten_to_16": 1e16,
    "ten_to_308": 1e308,
    "largest_float": 1.7976931348623157e308,
    "smallest_float": 5e-324,
    "below_zero_big": -1.5e300,
    "whole_float": 100.0,
    "negative_zero": -0.0,
    "zero": 0.0,
    "tenth": 0.1,
    "largest_int": 2**63 - 1,
    "smallest_int": -(2**63),
    "text": "$date",
    "flag": False,
}

# What a PATCH may hold below its top-level keys: any JSON.
NESTED: dict[str, Any] = {
    "date_like": {"$date": "garbage"},
    "date_text": {"$date": "2014-01-06T00:00:00+00:00"},
    "oid_like": {"$oid": "52d4f8d6e4b0c3bbee000001"},
    "literal_like": {"$literal": {"$date": "garbage"}},
    "literal_of_a_scalar": {"$literal": 1},
    "two_tags": {"$date": 1, "$literal": 2},
    "odd_keys": {"a.b": 1, "": 2, "$x": 3},
    "deep": {"list": [{"$date": "x"}, [1e16, 100.0, {"$literal": {}}], None]},
    "floats": [1e16, 1e308, -0.0, 100.0, 2**63 - 1],
    "zeros": {"a": [0.0, -0.0, {"b": -0.0}], "c": 0, "d": -0.0},
    "empty": {},
}


def same(actual: Any, expected: Any, *, signed_zeros: bool = True) -> bool:
    """Equal, and of the same JSON type all the way down (an int is no float), and -0.0 is no
    0.0 unless `signed_zeros` is off."""
    if type(actual) is not type(expected):
        return False
    if isinstance(expected, float) and signed_zeros:
        return actual == expected and math.copysign(1, actual) == math.copysign(1, expected)
    if isinstance(expected, dict):
        return actual.keys() == expected.keys() and all(
            same(actual[key], value, signed_zeros=signed_zeros) for key, value in expected.items()
        )
    if isinstance(expected, list):
        return len(actual) == len(expected) and all(
            same(got, wanted, signed_zeros=signed_zeros)
            for got, wanted in zip(actual, expected, strict=True)
        )
    return bool(actual == expected)


def only_record(storage: Storage, data_set: str, query: Query | None = None) -> dict[str, Any]:
    [record] = list(storage.find(data_set, query or Query()))
    return record


def test_posted_scalars_read_back_as_written(storage: Storage, data_set_name: str) -> None:
    storage.save(data_set_name, [{"_id": "a", **SCALARS}])
    record = only_record(storage, data_set_name)
    assert {key: record[key] for key in SCALARS if not same(record[key], SCALARS[key])} == {}


def test_patched_json_reads_back_as_written(storage: Storage, data_set_name: str) -> None:
    storage.save(data_set_name, [rec("2014-01-06T00:00:00Z", _id="q2", channel="b")])
    assert storage.patch_record(data_set_name, "q2", NESTED)
    record = only_record(storage, data_set_name)
    assert {key: record[key] for key in NESTED if not same(record[key], NESTED[key])} == {}
    assert record["channel"] == "b"


@pytest.mark.parametrize("field", sorted(NESTED))
def test_patched_json_never_breaks_a_later_read(
    storage: Storage, data_set_name: str, field: str
) -> None:
    """After a PATCH that stores odd JSON in a field, raw reads (limited or not, filtered,
    sorted by that field) and grouped reads (by that field, or collecting it) still answer."""
    storage.save(
        data_set_name,
        [
            rec("2014-01-06T00:00:00Z", _id="q1", channel="a"),
            rec("2014-01-07T00:00:00Z", _id="q2", channel="b"),
        ],
    )
    assert storage.patch_record(data_set_name, "q2", {field: NESTED[field]})
    assert same(only_record(storage, data_set_name, Query(filter_by=(("channel", "b"),)))[field],
                NESTED[field])  # fmt: skip
    assert len(list(storage.find(data_set_name, Query(limit=10)))) == 2
    for descending in (False, True):
        sorted_by = Query(sort_by=SortBy(field, descending=descending), limit=10)
        assert len(list(storage.find(data_set_name, sorted_by))) == 2
    [group] = storage.run(data_set_name, Query(group_by=(field,)))
    # A group's key is the value its records share: 0.0 and -0.0 are one value.
    assert same(group.group[0], NESTED[field], signed_zeros=False)
    [whole] = storage.run(data_set_name, Query(collect=(Collect(field), Collect(field, "count"))))
    assert whole.collected[field].count == 1


def grouped(storage: Storage, data_set: str, *collect: Collect) -> Any:
    config = DataSetConfig(name=data_set, data_group=data_set, data_type=data_set)
    data = DataSets(storage).query(config, Query(group_by=("g",), collect=collect))
    return dumps(data).decode()


def test_an_integer_sum_beyond_64_bits_becomes_a_float(
    storage: Storage, data_set_name: str
) -> None:
    storage.save(data_set_name, [rec(g="x", v=2**63 - 1), rec(g="x", v=1), rec(g="y", v=2**62)])
    rows = {row.group[0]: row.collected["v"].total for row in storage.run(
        data_set_name, Query(group_by=("g",), collect=(Collect("v", "sum"),))
    )}  # fmt: skip
    assert same(rows, {"x": float(2**63), "y": 2**62})


def test_float_sums_that_overflow_are_infinite_and_render_as_null(
    storage: Storage, data_set_name: str
) -> None:
    storage.save(
        data_set_name,
        [rec(g="x", v=1e308), rec(g="x", v=1e308), rec(g="y", v=1e308), rec(g="y", v=1.5)],
    )
    rows = {row.group[0]: row.collected["v"].total for row in storage.run(
        data_set_name, Query(group_by=("g",), collect=(Collect("v", "sum"),))
    )}  # fmt: skip
    assert rows == {"x": math.inf, "y": 1e308}
    assert (
        grouped(storage, data_set_name, Collect("v", "sum"))
        == dumps(
            [{"g": "x", "_count": 2, "v:sum": None}, {"g": "y", "_count": 2, "v:sum": 1e308}]
        ).decode()
    )


def test_a_mean_over_an_overflowing_sum_renders_as_null(
    storage: Storage, data_set_name: str
) -> None:
    storage.save(data_set_name, [rec(g="x", v=1e308), rec(g="x", v=1e308), rec(g="x", v=1.5)])
    assert (
        grouped(storage, data_set_name, Collect("v", "mean"))
        == dumps([{"g": "x", "_count": 3, "v:mean": None}]).decode()
    )


def test_a_patch_keeps_what_it_does_not_touch_and_replaces_what_it_does(
    storage: Storage, data_set_name: str
) -> None:
    storage.save(data_set_name, [{"_id": "a", "kept": -0.0, "changed": -0.0, "nested": 1}])
    assert storage.patch_record(data_set_name, "a", {"changed": 0.0, "nested": {"x": [-0.0]}})
    assert storage.patch_record(data_set_name, "a", {"later": 2})
    record = only_record(storage, data_set_name)
    wanted = {"kept": -0.0, "changed": 0.0, "nested": {"x": [-0.0]}, "later": 2}
    assert {key: record[key] for key in wanted if not same(record[key], wanted[key])} == {}
    assert sorted(record) == sorted(["_id", "_updated_at", *wanted])
