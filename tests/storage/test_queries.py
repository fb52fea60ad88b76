"""Grouped and period queries (spec 2.4.3-2.6): the engine's rows shaped by core, rendered as
JSON, must be the very same bytes for every engine."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from backdrop.core.data_set_config import DataSetConfig
from backdrop.core.data_sets import DataSets
from backdrop.core.errors import QueryInvalid
from backdrop.core.periods import Period
from backdrop.core.query import Collect, Query, SortBy
from backdrop.core.storage.base import Storage
from backdrop.web.rendering import dumps
from tests.storage.builders import at, rec

WEEK = Period.WEEK


def answer(storage: Storage, data_set: str, query: Query) -> Any:
    """The response `data` as the read app renders it (then parsed, ints and floats intact)."""
    config = DataSetConfig(name=data_set, data_group=data_set, data_type=data_set)
    return dumps(DataSets(storage).query(config, query)).decode()


def expect(data: Any) -> str:
    return dumps(data).decode()


def periods(start: str, end: str, period: Period = WEEK, **extra: Any) -> Query:
    return Query(start_at=at(start), end_at=at(end), period=period, **extra)


@pytest.fixture
def licences(storage: Storage, data_set_name: str) -> str:
    """Spec 2.5's example data: Westminster 4 records over two weeks, Camden 2."""
    storage.save(
        data_set_name,
        [
            rec("2012-12-04T10:00:00Z", authority="Westminster", licence="Cat", value=1),
            rec("2012-12-12T10:00:00Z", authority="Westminster", licence="Cat", value=2),
            rec("2012-12-13T10:00:00Z", authority="Westminster", licence="Dog", value=3),
            rec("2012-12-14T10:00:00Z", authority="Westminster", licence="Dog", value=4),
            rec("2012-12-11T10:00:00Z", authority="Camden", licence="Dog", value=2.5),
            rec("2012-12-28T10:00:00Z", authority="Camden", licence="Cat", value=5),
        ],
    )
    return data_set_name


def test_group_by_counts_records_per_value(storage: Storage, licences: str) -> None:
    assert answer(storage, licences, Query(group_by=("authority",))) == expect(
        [{"authority": "Camden", "_count": 2}, {"authority": "Westminster", "_count": 4}]
    )


def test_group_by_two_fields_sorted_by_both(storage: Storage, licences: str) -> None:
    assert answer(storage, licences, Query(group_by=("authority", "licence"))) == expect(
        [
            {"authority": "Camden", "licence": "Cat", "_count": 1},
            {"authority": "Camden", "licence": "Dog", "_count": 1},
            {"authority": "Westminster", "licence": "Cat", "_count": 2},
            {"authority": "Westminster", "licence": "Dog", "_count": 2},
        ]
    )


def test_collect_sum_mean_count_and_set(storage: Storage, licences: str) -> None:
    query = Query(
        group_by=("authority",),
        collect=(
            Collect("value", "sum"),
            Collect("value", "mean"),
            Collect("value", "count"),
            Collect("licence"),
        ),
    )
    assert answer(storage, licences, query) == expect(
        [
            {
                "authority": "Camden", "_count": 2, "value:sum": 7.5, "value:mean": 3.75,
                "value:count": 2, "licence:set": ["Cat", "Dog"], "licence": ["Cat", "Dog"],
            },
            {
                "authority": "Westminster", "_count": 4, "value:sum": 10, "value:mean": 2.5,
                "value:count": 4, "licence:set": ["Cat", "Dog"], "licence": ["Cat", "Dog"],
            },
        ]
    )  # fmt: skip


def test_sum_of_integers_is_an_integer_and_of_floats_a_float(
    storage: Storage, data_set_name: str
) -> None:
    storage.save(
        data_set_name,
        [
            rec(kind="ints", v=1), rec(kind="ints", v=2),
            rec(kind="floats", v=1.5), rec(kind="floats", v=1.5),
            rec(kind="mixed", v=1), rec(kind="mixed", v=0.25),
            rec(kind="tenths", v=0.1), rec(kind="tenths", v=0.2),
        ],
    )  # fmt: skip
    query = Query(group_by=("kind",), collect=(Collect("v", "sum"),))
    assert answer(storage, data_set_name, query) == expect(
        [
            {"kind": "floats", "_count": 2, "v:sum": 3.0},
            {"kind": "ints", "_count": 2, "v:sum": 3},
            {"kind": "mixed", "_count": 2, "v:sum": 1.25},
            {"kind": "tenths", "_count": 2, "v:sum": 0.1 + 0.2},
        ]
    )


def test_sort_by_count_descending_with_limit(storage: Storage, licences: str) -> None:
    query = Query(group_by=("licence",), sort_by=SortBy("_count", descending=True), limit=1)
    storage.save(licences, [rec("2012-12-05", authority="Camden", licence="Dog")])
    assert answer(storage, licences, query) == expect([{"licence": "Dog", "_count": 4}])


def test_null_and_missing_group_values_are_left_out(storage: Storage, data_set_name: str) -> None:
    storage.save(
        data_set_name,
        [
            rec(a="x", b=1),
            rec(a="x", b=None),
            rec(a="x"),
            rec(a=None, b=1),
            rec(b=1),
            rec(a="x", b=1),
        ],
    )
    assert answer(storage, data_set_name, Query(group_by=("a",))) == expect(
        [{"a": "x", "_count": 4}]
    )
    assert answer(storage, data_set_name, Query(group_by=("a", "b"))) == expect(
        [{"a": "x", "b": 1, "_count": 2}]
    )


def test_group_values_keep_their_types(storage: Storage, data_set_name: str) -> None:
    storage.save(data_set_name, [rec(v=2), rec(v=2.0), rec(v="2"), rec(v=True), rec(v=False)])
    assert answer(storage, data_set_name, Query(group_by=("v",))) == expect(
        [{"v": False, "_count": 1}, {"v": True, "_count": 1}, {"v": 2, "_count": 2},
         {"v": "2", "_count": 1}]
    )  # fmt: skip


def test_collected_booleans_keep_false_and_sum_as_numbers(
    storage: Storage, data_set_name: str
) -> None:
    storage.save(data_set_name, [rec(g="a", ok=True), rec(g="a", ok=False), rec(g="a", ok=True)])
    query = Query(
        group_by=("g",), collect=(Collect("ok"), Collect("ok", "sum"), Collect("ok", "count"))
    )
    assert answer(storage, data_set_name, query) == expect(
        [{"g": "a", "_count": 3, "ok": [False, True], "ok:set": [False, True], "ok:sum": 2,
          "ok:count": 3}]
    )  # fmt: skip


def test_collect_counts_present_values_null_included(storage: Storage, data_set_name: str) -> None:
    storage.save(
        data_set_name, [rec(g="a", v=None), rec(g="a", v=0), rec(g="a"), rec(g="a", v="x")]
    )
    query = Query(group_by=("g",), collect=(Collect("v", "count"), Collect("v", "set")))
    assert answer(storage, data_set_name, query) == expect(
        [{"g": "a", "_count": 4, "v:count": 3, "v:set": [None, 0, "x"]}]
    )


@pytest.mark.parametrize("value", ["text", None])
@pytest.mark.parametrize("method", ["sum", "mean"])
def test_sum_or_mean_over_non_numeric_values_is_refused(
    storage: Storage, data_set_name: str, value: Any, method: Any
) -> None:
    storage.save(data_set_name, [rec(g="a", v=1), rec(g="a", v=value)])
    with pytest.raises(QueryInvalid, match="invalid collect function"):
        answer(storage, data_set_name, Query(group_by=("g",), collect=(Collect("v", method),)))


def test_mean_ignores_records_without_the_field(storage: Storage, data_set_name: str) -> None:
    storage.save(data_set_name, [rec(g="a", v=1), rec(g="a", v=2), rec(g="a")])
    query = Query(group_by=("g",), collect=(Collect("v", "mean"),))
    assert answer(storage, data_set_name, query) == expect([{"g": "a", "_count": 3, "v:mean": 1.5}])


def test_period_only_is_time_ordered_and_gap_filled(storage: Storage, licences: str) -> None:
    query = periods("2012-11-26", "2013-01-07", collect=(Collect("value", "sum"),))
    assert answer(storage, licences, query) == expect(
        [
            {"_start_at": at("2012-11-26"), "_end_at": at("2012-12-03"), "_count": 0,
             "value:sum": None},
            {"_start_at": at("2012-12-03"), "_end_at": at("2012-12-10"), "_count": 1,
             "value:sum": 1},
            {"_start_at": at("2012-12-10"), "_end_at": at("2012-12-17"), "_count": 4,
             "value:sum": 11.5},
            {"_start_at": at("2012-12-17"), "_end_at": at("2012-12-24"), "_count": 0,
             "value:sum": None},
            {"_start_at": at("2012-12-24"), "_end_at": at("2012-12-31"), "_count": 1,
             "value:sum": 5},
            {"_start_at": at("2012-12-31"), "_end_at": at("2013-01-07"), "_count": 0,
             "value:sum": None},
        ]
    )  # fmt: skip


def test_period_with_default_collect_has_the_bare_alias(storage: Storage, licences: str) -> None:
    query = periods("2012-12-10", "2012-12-17", collect=(Collect("licence"),))
    assert answer(storage, licences, query) == expect(
        [{"_start_at": at("2012-12-10"), "_end_at": at("2012-12-17"), "_count": 4,
          "licence": ["Cat", "Dog"], "licence:set": ["Cat", "Dog"]}]
    )  # fmt: skip


def test_period_and_group_by_nest_filled_values(storage: Storage, licences: str) -> None:
    query = periods("2012-12-03", "2012-12-17", group_by=("authority",))
    assert answer(storage, licences, query) == expect(
        [
            {"authority": "Camden", "_count": 1, "_group_count": 1, "values": [
                {"_start_at": at("2012-12-03"), "_end_at": at("2012-12-10"), "_count": 0},
                {"_start_at": at("2012-12-10"), "_end_at": at("2012-12-17"), "_count": 1}]},
            {"authority": "Westminster", "_count": 4, "_group_count": 2, "values": [
                {"_start_at": at("2012-12-03"), "_end_at": at("2012-12-10"), "_count": 1},
                {"_start_at": at("2012-12-10"), "_end_at": at("2012-12-17"), "_count": 3}]},
        ]
    )  # fmt: skip


def test_flat_period_and_group_by_fill_every_combination(storage: Storage, licences: str) -> None:
    query = periods(
        "2012-12-03", "2012-12-17", group_by=("authority",), flatten=True,
        collect=(Collect("value", "sum"),),
    )  # fmt: skip
    assert answer(storage, licences, query) == expect(
        [
            {"authority": "Camden", "_start_at": at("2012-12-03"), "_end_at": at("2012-12-10"),
             "_count": 0, "value:sum": None},
            {"authority": "Westminster", "_start_at": at("2012-12-03"),
             "_end_at": at("2012-12-10"), "_count": 1, "value:sum": 1},
            {"authority": "Camden", "_start_at": at("2012-12-10"), "_end_at": at("2012-12-17"),
             "_count": 1, "value:sum": 2.5},
            {"authority": "Westminster", "_start_at": at("2012-12-10"),
             "_end_at": at("2012-12-17"), "_count": 3, "value:sum": 9},
        ]
    )  # fmt: skip


@pytest.mark.parametrize(
    ("period", "start", "end", "counts"),
    [
        (Period.HOUR, "2012-12-12T09:00:00Z", "2012-12-12T12:00:00Z", [0, 1, 0]),
        (Period.DAY, "2012-12-11", "2012-12-15", [1, 1, 1, 1]),
        (Period.MONTH, "2012-11-01", "2013-01-01", [0, 6]),
        (Period.QUARTER, "2012-07-01", "2013-01-01", [0, 6]),
        (Period.YEAR, "2012-01-01", "2014-01-01", [6, 0]),
    ],
)
def test_every_period_buckets_by_its_start(
    storage: Storage, licences: str, period: Period, start: str, end: str, counts: list[int]
) -> None:
    data = DataSets(storage).query(
        DataSetConfig(name=licences, data_group="g", data_type="t"), periods(start, end, period)
    )
    assert [row["_count"] for row in data] == counts
    assert data[0]["_start_at"] == at(start)


def test_records_without_timestamp_are_left_out_of_periods(
    storage: Storage, data_set_name: str
) -> None:
    storage.save(data_set_name, [rec("2014-01-06", g="a"), rec(g="a")])
    query = Query(period=WEEK, group_by=("g",))
    assert [
        (row.group, row.period_start, row.count) for row in storage.run(data_set_name, query)
    ] == [(("a",), at("2014-01-06"), 1)]
    assert answer(storage, data_set_name, Query(group_by=("g",))) == expect(
        [{"g": "a", "_count": 2}]
    )


def test_a_period_bucket_is_the_stored_key_else_the_truncated_timestamp(
    storage: Storage, data_set_name: str
) -> None:
    """spec 2.4.3: the stored `_week_start_at` (as imported or patched) when it holds a
    datetime, `_timestamp` truncated when it is missing or null, no bucket when it holds
    anything else; alike whether the query reads records' fields (the filter) or not."""
    storage.import_records(
        data_set_name,
        [
            {"_id": "derived", "_timestamp": at("2014-01-07"), "kind": "a"},
            {"_id": "stored", "_timestamp": at("2014-01-08"), "_week_start_at": at("2014-01-13"),
             "kind": "a"},
            {"_id": "untimed", "_week_start_at": at("2014-01-06"), "kind": "a"},
        ],
    )  # fmt: skip
    saved = ("saved", "nulled", "texted")
    storage.save(data_set_name, [rec("2014-01-10", kind="a", _id=name) for name in saved])
    assert storage.patch_record(data_set_name, "nulled", {"_week_start_at": None})
    assert storage.patch_record(data_set_name, "texted", {"_week_start_at": "soon"})
    ranged = Query(start_at=at("2014-01-06"), end_at=at("2014-01-20"), period=WEEK)
    for query in (ranged, Query(period=WEEK)):
        expected = [(at("2014-01-06"), 3 if query.start_at else 4), (at("2014-01-13"), 1)]
        for variant in (query, replace(query, filter_by=(("kind", "a"),))):
            rows = storage.run(data_set_name, variant)
            assert sorted((row.period_start, row.count) for row in rows) == expected


def test_inclusive_end_selects_the_boundary_record(storage: Storage, data_set_name: str) -> None:
    storage.save(data_set_name, [rec("2014-01-06", g="a"), rec("2014-01-13", g="a")])
    exclusive = Query(start_at=at("2014-01-06"), end_at=at("2014-01-13"), group_by=("g",))
    assert answer(storage, data_set_name, exclusive) == expect([{"g": "a", "_count": 1}])
    inclusive = Query(
        start_at=at("2014-01-06"), end_at=at("2014-01-13"), inclusive=True, group_by=("g",)
    )
    assert answer(storage, data_set_name, inclusive) == expect([{"g": "a", "_count": 2}])


def test_filters_apply_to_grouped_queries(storage: Storage, licences: str) -> None:
    query = Query(group_by=("licence",), filter_by=(("authority", "Camden"),))
    assert answer(storage, licences, query) == expect(
        [{"licence": "Cat", "_count": 1}, {"licence": "Dog", "_count": 1}]
    )
    prefix = Query(group_by=("authority",), filter_by_prefix=(("authority", "West"),))
    assert answer(storage, licences, prefix) == expect([{"authority": "Westminster", "_count": 4}])


def test_relative_range_shifts_to_the_data(storage: Storage, licences: str) -> None:
    query = Query(
        start_at=at("2012-11-26"), end_at=at("2012-12-17"), period=WEEK, delta=3
    )  # three weeks forward from 2012-11-26; the first data is in the second, 2012-12-03
    data = DataSets(storage).query(
        DataSetConfig(name=licences, data_group="g", data_type="t"), query
    )
    assert [(row["_start_at"], row["_count"]) for row in data] == [
        (at("2012-12-03"), 1),
        (at("2012-12-10"), 4),
        (at("2012-12-17"), 0),
    ]


def test_grouped_query_of_an_empty_data_set_is_empty(storage: Storage, data_set_name: str) -> None:
    storage.create_data_set(data_set_name, None)
    assert answer(storage, data_set_name, Query(group_by=("a",))) == "[]"
    assert answer(storage, data_set_name, periods("2014-01-06", "2014-01-13")) == expect(
        [{"_start_at": at("2014-01-06"), "_end_at": at("2014-01-13"), "_count": 0}]
    )
