"""features/read_api/inclusive.feature (spec 9.1 scenarios 50-51) through the real apps."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.support.http_data_set import HttpDataSet

RANGE = "start_at=2014-12-01T00:00:00%2B00:00&end_at=2014-12-03T00:00:00%2B00:00"


@pytest.fixture(scope="module")
def foo_bar(new_data_set: Callable[..., HttpDataSet]) -> HttpDataSet:
    return new_data_set("inclusive.json", data_type="bar", raw_queries_allowed=True)


def days(records: list[dict[str, Any]]) -> list[int]:
    return sorted(record["day"] for record in records)


def test_s50_not_inclusive(foo_bar: HttpDataSet) -> None:
    assert days(foo_bar.data(RANGE)) == [1, 2]


def test_s51_inclusive(foo_bar: HttpDataSet) -> None:
    assert days(foo_bar.data(f"{RANGE}&inclusive=true")) == [1, 2, 3]
    assert days(foo_bar.data(f"{RANGE}&inclusive=false")) == [1, 2]


def test_inclusive_period_drops_the_boundary_bucket(foo_bar: HttpDataSet) -> None:
    # spec 2.6 quirk: the record at end_at is selected but its day lies outside the range
    query = f"period=day&{RANGE}&inclusive=true"
    assert [row["_count"] for row in foo_bar.data(query)] == [1, 1]
