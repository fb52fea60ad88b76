"""features/read_api/group_by_hour.feature (spec 9.1 scenario 49) through the real apps."""

from __future__ import annotations

from collections.abc import Callable

from tests.support.fixture_files import fixture_records
from tests.support.http_data_set import HttpDataSet


def test_s49_grouping_by_hour(routed_data_set: Callable[..., HttpDataSet]) -> None:
    data_set = routed_data_set(data_group="hourly", data_type="timestamps")
    assert data_set.post(fixture_records("hourly_timestamps.json")).status_code == 200
    # the 7-day span and midnight rules are waived for hours
    data = data_set.data("period=hour&start_at=2013-04-01T13:00:00Z&end_at=2013-04-03T13:00:00Z")
    assert len(data) == 48
    assert data[0] == {
        "_start_at": "2013-04-01T13:00:00+00:00",
        "_end_at": "2013-04-01T14:00:00+00:00",
        "_count": 1,
    }
    assert data[-1]["_end_at"] == "2013-04-03T13:00:00+00:00"
    assert [row["_count"] for row in data] == [1] * 25 + [2] + [0] * 22
    assert data[25]["_start_at"] == "2013-04-02T14:00:00+00:00"
