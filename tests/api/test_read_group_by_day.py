"""features/read_api/group_by_day.feature (spec 9.1 scenario 48) through the real apps."""

from __future__ import annotations

from collections.abc import Callable

from tests.support.fixture_files import fixture_records
from tests.support.http_data_set import HttpDataSet


def test_s48_grouping_by_day(routed_data_set: Callable[..., HttpDataSet]) -> None:
    data_set = routed_data_set(data_group="group", data_type="type")
    assert data_set.path == "/data/group/type"
    assert data_set.post(fixture_records("daily_timestamps.json")).status_code == 200
    data = data_set.data("period=day&start_at=2013-04-04T00:00:00Z&end_at=2013-04-11T00:00:00Z")
    assert len(data) == 7
    assert [(row["_start_at"][:10], row["_count"]) for row in data] == [
        ("2013-04-04", 1),
        ("2013-04-05", 1),
        ("2013-04-06", 4),
        ("2013-04-07", 1),
        ("2013-04-08", 1),
        ("2013-04-09", 0),
        ("2013-04-10", 1),
    ]
    assert data[2] == {
        "_start_at": "2013-04-06T00:00:00+00:00",
        "_end_at": "2013-04-07T00:00:00+00:00",
        "_count": 4,
    }
