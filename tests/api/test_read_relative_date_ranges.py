"""features/read_api/relative_date_ranges.feature (spec 9.1 scenarios 61-68): relative ranges
and the one-time shift of spec 2.6, over `licensing_2.json` (raw queries not allowed)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.support.http_data_set import HttpDataSet


def period(start: str, end: str, count: int) -> dict[str, Any]:
    return {
        "_start_at": f"{start}T00:00:00+00:00",
        "_end_at": f"{end}T00:00:00+00:00",
        "_count": count,
    }


def counts(group: dict[str, Any]) -> list[tuple[str, int]]:
    return [(value["_start_at"][:10], value["_count"]) for value in group["values"]]


@pytest.fixture(scope="module")
def foo(new_data_set: Callable[..., HttpDataSet]) -> HttpDataSet:
    return new_data_set("licensing_2.json")


def test_s61_periodic_from_start_at(foo: HttpDataSet) -> None:
    data = foo.data("start_at=2012-12-12T00:00:00%2B00:00&duration=2&period=day", legacy=True)
    assert data == [period("2012-12-12", "2012-12-13", 2), period("2012-12-13", "2012-12-14", 1)]


def test_s62_periodic_from_end_at(foo: HttpDataSet) -> None:
    data = foo.data("end_at=2012-12-14T00:00:00%2B00:00&duration=2&period=day", legacy=True)
    assert data == [period("2012-12-12", "2012-12-13", 2), period("2012-12-13", "2012-12-14", 1)]


def test_s63_from_start_at_skips_leading_empty_periods(foo: HttpDataSet) -> None:
    data = foo.data("start_at=2012-11-05T00:00:00%2B00:00&duration=10&period=week", legacy=True)
    assert len(data) == 10
    assert data[0] == period("2012-12-03", "2012-12-10", 1)  # shifted by four weeks
    assert data[1] == period("2012-12-10", "2012-12-17", 4)
    assert data[2] == period("2012-12-17", "2012-12-24", 0)
    assert data[-1] == period("2013-02-04", "2013-02-11", 0)


def test_s64_from_end_at_skips_trailing_empty_periods(foo: HttpDataSet) -> None:
    data = foo.data("end_at=2013-02-04T00:00:00%2B00:00&duration=10&period=week", legacy=True)
    assert len(data) == 10
    assert data[0] == period("2012-10-08", "2012-10-15", 0)  # shifted back by seven weeks
    assert data[9] == period("2012-12-10", "2012-12-17", 4)
    assert data[8] == period("2012-12-03", "2012-12-10", 1)
    assert data[7] == period("2012-11-26", "2012-12-03", 0)


GROUPED_12_12 = [
    ("Camden", [("2012-12-12", 1), ("2012-12-13", 0)]),
    ("Westminster", [("2012-12-12", 1), ("2012-12-13", 1)]),
]


def test_s65_grouped_periodic_from_start_at(foo: HttpDataSet) -> None:
    data = foo.data(
        "start_at=2012-12-12T00:00:00%2B00:00&duration=2&period=day&group_by=authority",
        legacy=True,
    )
    assert [(group["authority"], counts(group)) for group in data] == GROUPED_12_12


def test_s66_grouped_periodic_from_end_at(foo: HttpDataSet) -> None:
    data = foo.data(
        "end_at=2012-12-14T00:00:00%2B00:00&duration=2&period=day&group_by=authority",
        legacy=True,
    )
    assert [(group["authority"], counts(group)) for group in data] == GROUPED_12_12


def test_s67_grouped_from_start_at_skips_leading_empty_periods(foo: HttpDataSet) -> None:
    data = foo.data(
        "start_at=2012-12-10T00:00:00%2B00:00&duration=4&period=day&group_by=authority",
        legacy=True,
    )
    assert [(group["authority"], group["_count"]) for group in data] == [
        ("Camden", 1),
        ("Westminster", 3),
    ]
    # both groups' first data is on 2012-12-12: the window moves forward two days
    assert counts(data[1]) == [
        ("2012-12-12", 1),
        ("2012-12-13", 1),
        ("2012-12-14", 1),
        ("2012-12-15", 0),
    ]


def test_s68_grouped_from_end_at_skips_trailing_empty_periods(foo: HttpDataSet) -> None:
    data = foo.data(
        "end_at=2012-12-16T00:00:00%2B00:00&duration=2&period=day&group_by=authority",
        legacy=True,
    )
    assert [(group["authority"], group["_count"]) for group in data] == [("Westminster", 2)]
    assert counts(data[0]) == [("2012-12-13", 1), ("2012-12-14", 1)]


def test_flat_results_never_shift(foo: HttpDataSet) -> None:
    data = foo.data(
        "start_at=2012-11-26T00:00:00Z&duration=2&period=week&group_by=authority&flatten=true",
        legacy=True,
    )
    assert [(row["_start_at"][:10], row["authority"], row["_count"]) for row in data] == [
        ("2012-11-26", "Westminster", 0),
        ("2012-12-03", "Westminster", 1),
    ]


def test_an_empty_window_is_not_shifted(foo: HttpDataSet) -> None:
    data = foo.data("end_at=2012-06-04T00:00:00Z&duration=2&period=week", legacy=True)
    assert data == [period("2012-05-21", "2012-05-28", 0), period("2012-05-28", "2012-06-04", 0)]
