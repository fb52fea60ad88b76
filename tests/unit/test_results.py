"""Shaping grouped rows (spec 2.4.4-2.6): reducers, names, nesting, filling, sorting, shifting."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pytest

from backdrop.core.errors import QueryInvalid
from backdrop.core.periods import Period
from backdrop.core.query import Collect, CollectMethod, Query, SortBy
from backdrop.core.results import merge_collected, reduce_collected, shape, shift_for
from backdrop.core.storage.base import Collected, Row


def at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, tzinfo=UTC)


def collected(*values: Any) -> Collected:
    """What the database gathers for these values (booleans count as 0/1; spec 2.4.6)."""
    numeric = [v for v in values if isinstance(v, bool | int | float)]
    return Collected(
        count=len(values),
        total=sum(numeric),
        non_numeric=len(values) - len(numeric),
        values=tuple(set(values)),
    )


def row(*group: Any, start: datetime | None = None, count: int = 1, **fields: Collected) -> Row:
    return Row(group=group, period_start=start, count=count, collected=fields)


def reduce(method: CollectMethod, *values: Any) -> Any:
    return reduce_collected(Collect("value", method), collected(*values))


# -- reducers (spec 2.4.6) --------------------------------------------------------------------


def test_sum() -> None:
    assert reduce("sum", 8, 7, 8, 4) == 27
    assert reduce("sum", 1.5, 2) == 3.5
    assert reduce("sum") == 0


def test_mean() -> None:
    assert reduce("mean", 8, 7, 8, 4) == 6.75
    assert reduce("mean", 12, 45) == 28.5
    assert isinstance(reduce("mean", 2, 4), float)


def test_mean_of_nothing_is_null() -> None:
    assert reduce("mean") is None


def test_booleans_are_numbers() -> None:
    assert reduce("sum", True, True, False) == 2
    assert reduce("mean", True, False, False, True) == 0.5


@pytest.mark.parametrize("method", ["sum", "mean"])
@pytest.mark.parametrize("values", [(1, "two"), (None,), (3, None, 4)])
def test_non_numeric_values_refuse_sum_and_mean(method: CollectMethod, values: tuple[Any]) -> None:
    with pytest.raises(QueryInvalid) as raised:
        reduce(method, *values)
    assert raised.value.message == "invalid collect function"


def test_count_counts_values_including_null_and_false() -> None:
    assert reduce("count", "a", "a", None, False) == 4
    assert reduce("count") == 0


@pytest.mark.parametrize("method", ["set", "default"])
def test_set_is_sorted_and_distinct(method: CollectMethod) -> None:
    assert reduce(method, "ring", "mushroom", "ring") == ["mushroom", "ring"]
    # Python 2 order of mixed values: null, numbers, strings
    assert reduce(method, "b", 2, None, "a", 1) == [None, 1, 2, "a", "b"]
    assert reduce(method, False) == [False]
    assert reduce(method) == []


def test_count_and_set_accept_non_numeric_values() -> None:
    assert reduce("count", "x", None) == 2
    assert reduce("set", "x", None) == [None, "x"]


def test_merge_keeps_all_values() -> None:
    merged = merge_collected([collected(10, 21, 32), collected(43, 87), collected("x")])
    assert merged.count == 6
    assert merged.total == 193
    assert merged.non_numeric == 1
    assert sorted(merged.values, key=str) == sorted((10, 21, 32, 43, 87, "x"), key=str)


# -- output names -------------------------------------------------------------------------------


def test_names_of_collects() -> None:
    query = Query(
        group_by=("type",),
        collect=(Collect("value", "sum"), Collect("value", "mean"), Collect("name")),
    )
    data = shape(query, [row("wild", count=2, value=collected(8, 7), name=collected("a", "b"))])
    assert data == [
        {
            "type": "wild",
            "_count": 2,
            "value:sum": 15,
            "value:mean": 7.5,
            "name:set": ["a", "b"],
            "name": ["a", "b"],  # the bare-name alias: default method only
        }
    ]


def test_an_explicit_set_has_no_bare_alias() -> None:
    query = Query(group_by=("type",), collect=(Collect("name", "set"),))
    data = shape(query, [row("wild", name=collected("a"))])
    assert data == [{"type": "wild", "_count": 1, "name:set": ["a"]}]


def test_filled_rows_have_null_collects_and_no_alias() -> None:
    query = Query(
        period=Period.WEEK,
        start_at=at(2013, 8, 5),
        end_at=at(2013, 8, 19),
        collect=(Collect("pickup"), Collect("value", "sum")),
    )
    rows = [row(start=at(2013, 8, 5), count=2, pickup=collected("ring"), value=collected(3))]
    assert shape(query, rows) == [
        {
            "_start_at": at(2013, 8, 5),
            "_end_at": at(2013, 8, 12),
            "_count": 2,
            "pickup:set": ["ring"],
            "pickup": ["ring"],
            "value:sum": 3,
        },
        {
            "_start_at": at(2013, 8, 12),
            "_end_at": at(2013, 8, 19),
            "_count": 0,
            "pickup:set": None,
            "value:sum": None,
        },
    ]


# -- group_by only ------------------------------------------------------------------------------


def test_groups_are_sorted_by_key() -> None:
    query = Query(group_by=("authority",))
    data = shape(query, [row("Westminster", count=4), row("Camden", count=2)])
    assert data == [
        {"authority": "Camden", "_count": 2},
        {"authority": "Westminster", "_count": 4},
    ]


def test_groups_of_several_keys_are_sorted_by_the_tuple() -> None:
    query = Query(group_by=("authority", "licence_name"))
    rows = [
        row("Westminster", "Temporary events notice", count=3),
        row("Camden", "Temporary events notice"),
        row("Westminster", "Cat herding licence"),
    ]
    assert [(d["authority"], d["licence_name"], d["_count"]) for d in shape(query, rows)] == [
        ("Camden", "Temporary events notice", 1),
        ("Westminster", "Cat herding licence", 1),
        ("Westminster", "Temporary events notice", 3),
    ]


def test_boolean_group_keys() -> None:
    data = shape(Query(group_by=("eats_people",)), [row(True, count=3), row(False)])
    assert data == [{"eats_people": False, "_count": 1}, {"eats_people": True, "_count": 3}]


def test_sort_and_limit_groups() -> None:
    query = Query(group_by=("type",), sort_by=SortBy("_count"), limit=1)
    data = shape(query, [row("domestic", count=2), row("wild", count=4)])
    assert data == [{"type": "domestic", "_count": 2}]
    query = Query(group_by=("type",), sort_by=SortBy("_count", descending=True))
    data = shape(query, [row("domestic", count=2), row("wild", count=4)])
    assert [d["type"] for d in data] == ["wild", "domestic"]


def test_sort_is_numeric_and_stable() -> None:
    query = Query(group_by=("name",), sort_by=SortBy("_count", descending=True))
    rows = [row("a", count=9), row("b", count=10), row("c", count=9), row("d", count=100)]
    assert [d["name"] for d in shape(query, rows)] == ["d", "b", "a", "c"]


def test_sort_by_a_collected_value() -> None:
    query = Query(
        group_by=("name",), collect=(Collect("value", "sum"),), sort_by=SortBy("value:sum")
    )
    rows = [row("a", value=collected(10)), row("b", value=collected(9))]
    assert [d["name"] for d in shape(query, rows)] == ["b", "a"]


def test_sorting_by_a_missing_key_is_a_bad_request() -> None:
    query = Query(group_by=("name",), sort_by=SortBy("wibble"))
    with pytest.raises(QueryInvalid):
        shape(query, [row("a")])


def test_no_groups() -> None:
    assert shape(Query(group_by=("wibble",)), []) == []


# -- period only ---------------------------------------------------------------------------------


def test_period_rows_are_filled_in_time_order() -> None:
    # spec 9.3: 2013-01-07 ... 2013-02-18 filled as 0, 32, 45, 0, 17, 0
    query = Query(period=Period.WEEK, start_at=at(2013, 1, 7), end_at=at(2013, 2, 18))
    rows = [
        row(start=at(2013, 2, 4), count=17),
        row(start=at(2013, 1, 14), count=32),
        row(start=at(2013, 1, 21), count=45),
    ]
    data = shape(query, rows)
    assert [d["_count"] for d in data] == [0, 32, 45, 0, 17, 0]
    assert [d["_start_at"] for d in data] == [at(2013, 1, 7 + 7 * i) for i in range(4)] + [
        at(2013, 2, 4),
        at(2013, 2, 11),
    ]
    assert data[0] == {"_start_at": at(2013, 1, 7), "_end_at": at(2013, 1, 14), "_count": 0}


def test_rows_outside_the_range_are_dropped() -> None:
    query = Query(period=Period.DAY, start_at=at(2014, 12, 1), end_at=at(2014, 12, 3))
    rows = [row(start=at(2014, 12, day)) for day in (1, 2, 3)]
    assert [d["_start_at"] for d in shape(query, rows)] == [at(2014, 12, 1), at(2014, 12, 2)]


def test_period_only_without_data_is_all_zero() -> None:
    query = Query(period=Period.MONTH, start_at=at(2013, 5, 1), end_at=at(2013, 7, 1))
    assert [d["_count"] for d in shape(query, [])] == [0, 0]


def test_month_periods_end_on_the_first() -> None:
    query = Query(period=Period.MONTH, start_at=at(2013, 1, 1), end_at=at(2013, 3, 1))
    data = shape(query, [])
    assert [(d["_start_at"], d["_end_at"]) for d in data] == [
        (at(2013, 1, 1), at(2013, 2, 1)),
        (at(2013, 2, 1), at(2013, 3, 1)),
    ]


# -- period + group_by, nested (spec 2.4.4, 2.5) --------------------------------------------------


def nested_query(**changes: Any) -> Query:
    base: dict[str, Any] = {
        "period": Period.WEEK,
        "group_by": ("authority",),
        "start_at": at(2012, 12, 3),
        "end_at": at(2012, 12, 17),
    }
    return Query(**(base | changes))


LICENSING_WEEKS = [
    row("Westminster", start=at(2012, 12, 10), count=3),
    row("Camden", start=at(2012, 12, 10), count=1),
    row("Westminster", start=at(2012, 12, 3), count=1),
]


def test_nested_period_and_group_by() -> None:
    assert shape(nested_query(), LICENSING_WEEKS) == [
        {
            "authority": "Camden",
            "_count": 1,
            "_group_count": 1,
            "values": [
                {"_start_at": at(2012, 12, 3), "_end_at": at(2012, 12, 10), "_count": 0},
                {"_start_at": at(2012, 12, 10), "_end_at": at(2012, 12, 17), "_count": 1},
            ],
        },
        {
            "authority": "Westminster",
            "_count": 4,
            "_group_count": 2,
            "values": [
                {"_start_at": at(2012, 12, 3), "_end_at": at(2012, 12, 10), "_count": 1},
                {"_start_at": at(2012, 12, 10), "_end_at": at(2012, 12, 17), "_count": 3},
            ],
        },
    ]


def test_nested_collects_on_groups_and_values() -> None:
    query = nested_query(collect=(Collect("volume", "sum"),))
    rows = [row("Camden", start=at(2012, 12, 10), volume=collected(5, 6))]
    (group,) = shape(query, rows)
    assert group["volume:sum"] == 11
    assert group["values"] == [
        {
            "_start_at": at(2012, 12, 3),
            "_end_at": at(2012, 12, 10),
            "_count": 0,
            "volume:sum": None,
        },
        {"_start_at": at(2012, 12, 10), "_end_at": at(2012, 12, 17), "_count": 1, "volume:sum": 11},
    ]


def test_nested_means_are_of_all_raw_values() -> None:
    # spec 9.3 nested merge: James [10, 21, 32] + [43, 87] -> 38.6; Jill [12, 45] -> 28.5
    query = nested_query(group_by=("name",), collect=(Collect("age", "mean"),))
    rows = [
        row("James", start=at(2012, 12, 3), count=3, age=collected(10, 21, 32)),
        row("James", start=at(2012, 12, 10), count=2, age=collected(43, 87)),
        row("Jill", start=at(2012, 12, 10), count=2, age=collected(12, 45)),
    ]
    james, jill = shape(query, rows)
    assert james["name"] == "James"
    assert james["age:mean"] == pytest.approx(38.6)
    assert [v["age:mean"] for v in james["values"]] == [21, 65]
    assert jill["age:mean"] == 28.5
    assert [v["age:mean"] for v in jill["values"]] == [None, 28.5]


def test_nested_groups_of_combined_keys_are_sorted() -> None:
    query = nested_query(group_by=("name", "version"))
    rows = [
        row("b", 1, start=at(2012, 12, 3)),
        row("a", 2, start=at(2012, 12, 3)),
        row("a", 1, start=at(2012, 12, 10)),
    ]
    data = shape(query, rows)
    assert [(d["name"], d["version"]) for d in data] == [("a", 1), ("a", 2), ("b", 1)]
    assert all(len(d["values"]) == 2 for d in data)


def test_nested_default_collect_alias_is_on_groups_and_data_values_only() -> None:
    query = nested_query(collect=(Collect("licence_name"),))
    rows = [row("Camden", start=at(2012, 12, 10), licence_name=collected("TEN"))]
    (group,) = shape(query, rows)
    assert group["licence_name"] == group["licence_name:set"] == ["TEN"]
    filled, present = group["values"]
    assert filled == {
        "_start_at": at(2012, 12, 3),
        "_end_at": at(2012, 12, 10),
        "_count": 0,
        "licence_name:set": None,
    }
    assert present["licence_name"] == present["licence_name:set"] == ["TEN"]


def test_month_and_group_fills_each_group_over_the_range() -> None:
    # spec 9.3: range 2013-01-01 ... 2013-04-02 fills each group to 4 months
    query = nested_query(
        period=Period.MONTH, group_by=("kind",), start_at=at(2013, 1, 1), end_at=at(2013, 4, 2)
    )
    rows = [row("x", start=at(2013, 2, 1)), row("y", start=at(2013, 1, 1))]
    data = shape(query, rows)
    assert [len(d["values"]) for d in data] == [4, 4]
    assert [v["_count"] for v in data[0]["values"]] == [0, 1, 0, 0]


def test_limit_applies_to_groups_not_periods() -> None:
    query = nested_query(sort_by=SortBy("_count", descending=True), limit=1)
    (group,) = shape(query, LICENSING_WEEKS)
    assert group["authority"] == "Westminster"
    assert len(group["values"]) == 2


# -- period + group_by, flat: the Cartesian fill (spec 2.6) ---------------------------------------


def test_flat_period_and_group_by() -> None:
    data = shape(nested_query(flatten=True), LICENSING_WEEKS)
    assert data == [
        {
            "authority": "Camden",
            "_start_at": at(2012, 12, 3),
            "_end_at": at(2012, 12, 10),
            "_count": 0,
        },
        {
            "authority": "Westminster",
            "_start_at": at(2012, 12, 3),
            "_end_at": at(2012, 12, 10),
            "_count": 1,
        },
        {
            "authority": "Camden",
            "_start_at": at(2012, 12, 10),
            "_end_at": at(2012, 12, 17),
            "_count": 1,
        },
        {
            "authority": "Westminster",
            "_start_at": at(2012, 12, 10),
            "_end_at": at(2012, 12, 17),
            "_count": 3,
        },
    ]


def flat_month_query(end: datetime) -> Query:
    return Query(
        period=Period.MONTH,
        group_by=("status", "thing", "flag"),
        start_at=at(2013, 1, 1),
        end_at=end,
        flatten=True,
        collect=(Collect("value", "sum"), Collect("name")),
    )


def test_flat_fill_is_the_full_cartesian_product_18_rows() -> None:
    # 3 observed combinations over 3 x 3 x 2 distinct values, one month -> 18 rows
    rows = [
        row("s1", "t1", True, start=at(2013, 1, 1), value=collected(1), name=collected("n")),
        row("s2", "t2", False, start=at(2013, 1, 1), value=collected(2), name=collected("n")),
        row("s3", "t3", True, start=at(2013, 1, 1), value=collected(3), name=collected("n")),
    ]
    data = shape(flat_month_query(at(2013, 2, 1)), rows)
    assert len(data) == 18
    combos = {(d["status"], d["thing"], d["flag"]) for d in data}
    assert combos == set(itertools.product(("s1", "s2", "s3"), ("t1", "t2", "t3"), (False, True)))
    assert sum(d["_count"] for d in data) == 3
    filled = next(d for d in data if (d["status"], d["thing"], d["flag"]) == ("s1", "t2", False))
    assert filled == {
        "status": "s1",
        "thing": "t2",
        "flag": False,
        "_start_at": at(2013, 1, 1),
        "_end_at": at(2013, 2, 1),
        "_count": 0,
        "value:sum": None,
        "name:set": None,
    }
    kept = next(d for d in data if (d["status"], d["thing"], d["flag"]) == ("s2", "t2", False))
    assert kept["value:sum"] == 2
    assert kept["name"] == kept["name:set"] == ["n"]


def test_flat_fill_16_rows_over_two_months() -> None:
    # 2 observed combinations over 2 x 2 x 2 distinct values, two months -> 16 rows
    rows = [
        row("s1", "t1", True, start=at(2013, 1, 1)),
        row("s2", "t2", False, start=at(2013, 2, 1)),
    ]
    data = shape(flat_month_query(at(2013, 3, 1)), rows)
    assert len(data) == 16
    months = [d["_start_at"] for d in data]
    assert months == [at(2013, 1, 1)] * 8 + [at(2013, 2, 1)] * 8  # ordered by period
    assert [d["_count"] for d in data if d["_count"]] == [1, 1]


def test_flat_sort_and_limit_before_filling() -> None:
    query = nested_query(flatten=True, sort_by=SortBy("_count", descending=True), limit=1)
    data = shape(query, LICENSING_WEEKS)
    assert [(d["authority"], d["_count"]) for d in data] == [("Westminster", 0), ("Westminster", 3)]


# -- shifting (spec 2.6) ------------------------------------------------------------------------


def counts(*values: int) -> list[dict[str, Any]]:
    return [{"_count": value} for value in values]


def test_forward_shift_is_the_first_period_with_data() -> None:
    query = Query(period=Period.WEEK, delta=10)
    assert shift_for(query, counts(0, 0, 0, 0, 1, 4, 0, 0, 0, 0)) == 4
    assert shift_for(query, counts(3, 0)) == 0
    assert shift_for(query, counts(0, 0)) == 0


def test_backward_shift_is_the_last_period_with_data_from_the_end() -> None:
    query = Query(period=Period.WEEK, delta=-10)
    assert shift_for(query, counts(0, 1, 4, 0, 0, 0, 0, 0, 0, 0)) == -7
    assert shift_for(query, counts(0, 3)) == 0
    assert shift_for(query, counts(0, 0)) == 0


def test_grouped_shift_is_the_smallest_per_group() -> None:
    query = Query(period=Period.DAY, group_by=("authority",), delta=-2)
    groups = [{"values": counts(1, 0)}, {"values": counts(1, 1)}]
    assert shift_for(query, groups) == 0
    groups = [{"values": counts(1, 0)}, {"values": counts(1, 0)}]
    assert shift_for(query, groups) == -1
    groups = [{"values": counts(1, 0, 0)}, {"values": counts(0, 1, 0)}]
    assert shift_for(query, groups) == -1
    forward = Query(period=Period.DAY, group_by=("authority",), delta=4)
    groups = [{"values": counts(0, 0, 1, 0)}, {"values": counts(0, 0, 1, 1)}]
    assert shift_for(forward, groups) == 2
    assert shift_for(forward, []) == 0


def test_no_shift_without_duration_or_when_flat() -> None:
    assert shift_for(Query(period=Period.WEEK), counts(0, 1)) == 0
    assert shift_for(Query(period=Period.WEEK, delta=2, flatten=False), counts(0, 1)) == 1
    flat = Query(period=Period.WEEK, group_by=("a",), delta=2, flatten=True)
    assert shift_for(flat, counts(0, 1)) == 0


def test_shifted_range_is_filled_afresh() -> None:
    query = Query(period=Period.WEEK, start_at=at(2012, 11, 5), end_at=at(2013, 1, 14), delta=10)
    rows: Sequence[Row] = [row(start=at(2012, 12, 3)), row(start=at(2012, 12, 10), count=4)]
    shift = shift_for(query, shape(query, rows))
    assert shift == 4
    moved = query.shifted(shift)
    data = shape(moved, rows)
    assert (moved.start_at, moved.end_at) == (at(2012, 12, 3), at(2013, 2, 11))
    assert [d["_count"] for d in data] == [1, 4, 0, 0, 0, 0, 0, 0, 0, 0]


def test_without_a_range_only_observed_periods_are_returned() -> None:
    # spec 9.3: month + group with no range returns only the existing months
    query = Query(period=Period.MONTH, group_by=("kind",))
    rows = [
        row("x", start=at(2013, 3, 1)),
        row("x", start=at(2013, 1, 1)),
        row("y", start=at(2013, 1, 1)),
        row("y", start=at(2013, 2, 1)),
        row("y", start=at(2013, 4, 1)),
    ]
    x, y = shape(query, rows)
    assert [v["_start_at"] for v in x["values"]] == [at(2013, 1, 1), at(2013, 3, 1)]
    assert [v["_start_at"] for v in y["values"]] == [at(2013, 1, 1), at(2013, 2, 1), at(2013, 4, 1)]
    flat = shape(Query(period=Period.MONTH, group_by=("kind",), flatten=True), rows)
    assert len(flat) == 8  # 4 observed months x 2 kinds
    alone = shape(Query(period=Period.MONTH), [row(start=at(2013, 2, 1), count=5)])
    assert alone == [{"_start_at": at(2013, 2, 1), "_end_at": at(2013, 3, 1), "_count": 5}]
