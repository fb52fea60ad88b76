"""features/read_api/monthly_grouping.feature (spec 9.1 scenarios 52-53) through the real apps."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.support.bodies import spec_body
from tests.support.fixture_files import fixture_records
from tests.support.http_data_set import HttpDataSet


@pytest.fixture(scope="module")
def monthly(new_data_set: Callable[..., HttpDataSet]) -> HttpDataSet:
    data_set = new_data_set()
    response = data_set.post(fixture_records("monthly_timestamps.json"))
    assert response.status_code == 200
    return data_set


def test_s52_allowed_timestamps(monthly: HttpDataSet) -> None:
    data = monthly.data("period=month&start_at=2013-05-01T00:00:00Z&end_at=2013-07-01T00:00:00Z")
    assert data == [
        {
            "_start_at": "2013-05-01T00:00:00+00:00",
            "_end_at": "2013-06-01T00:00:00+00:00",
            "_count": 1,
        },
        {
            "_start_at": "2013-06-01T00:00:00+00:00",
            "_end_at": "2013-07-01T00:00:00+00:00",
            "_count": 1,
        },
    ]


def test_s53_disallowed_timestamps(monthly: HttpDataSet) -> None:
    response = monthly.get("period=month&start_at=2013-05-02T00:00:00Z&end_at=2013-07-01T00:00:00Z")
    assert response.status_code == 400
    assert spec_body(response.json()) == {
        "status": "error",
        "message": "'start_at' must be the first of the month for period=month queries",
    }


def test_a_year_of_months(monthly: HttpDataSet) -> None:
    data = monthly.data("period=month&start_at=2013-01-01T00:00:00Z&end_at=2014-01-01T00:00:00Z")
    assert [row["_count"] for row in data] == [1] * 12
    assert data[1]["_end_at"] == "2013-03-01T00:00:00+00:00"
    quarters = monthly.data(
        "period=quarter&start_at=2013-01-01T00:00:00Z&end_at=2014-01-01T00:00:00Z"
    )
    assert [(row["_start_at"][:10], row["_count"]) for row in quarters] == [
        ("2013-01-01", 3),
        ("2013-04-01", 3),
        ("2013-07-01", 3),
        ("2013-10-01", 3),
    ]
    years = monthly.data("period=year&start_at=2012-01-01T00:00:00Z&end_at=2014-01-01T00:00:00Z")
    assert [(row["_start_at"][:10], row["_count"]) for row in years] == [
        ("2012-01-01", 0),
        ("2013-01-01", 12),
    ]
