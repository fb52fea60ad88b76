"""features/read_api/group.feature (spec 9.1 scenarios 36-47) through the real apps."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta

from tests.support.bodies import spec_body, week
from tests.support.http_data_set import HttpDataSet

WEEKS = "start_at=2013-03-11T00:00:00Z&end_at=2013-03-25T00:00:00Z"


@pytest.fixture(scope="module")
def licensing(new_data_set: Callable[..., HttpDataSet]) -> HttpDataSet:
    return new_data_set("licensing.json")


@pytest.fixture(scope="module")
def licensing_2(new_data_set: Callable[..., HttpDataSet]) -> HttpDataSet:
    return new_data_set("licensing_2.json")


@pytest.fixture(scope="module")
def weekly(new_data_set: Callable[..., HttpDataSet]) -> HttpDataSet:
    return new_data_set("stored_timestamps.json")


@pytest.fixture(scope="module")
def weekly_names(new_data_set: Callable[..., HttpDataSet]) -> HttpDataSet:
    return new_data_set("stored_timestamps_for_filtering.json")


def test_s36_grouping_data_by_a_key(licensing: HttpDataSet) -> None:
    assert licensing.data("group_by=authority") == [
        {"authority": "Camden", "_count": 2},
        {"authority": "Westminster", "_count": 4},
    ]


def test_s37_grouping_by_multiple_keys(licensing_2: HttpDataSet) -> None:
    assert licensing_2.data("group_by=authority&group_by=licence_name") == [
        {"authority": "Camden", "licence_name": "Temporary events notice", "_count": 1},
        {"authority": "Westminster", "licence_name": "Cat herding licence", "_count": 1},
        {"authority": "Westminster", "licence_name": "Temporary events notice", "_count": 3},
    ]


def test_s38_grouping_and_filtering_by_different_keys(licensing_2: HttpDataSet) -> None:
    by_authority = licensing_2.data(
        "group_by=authority&filter_by=licence_name:Temporary%20events%20notice"
    )
    assert by_authority == [
        {"authority": "Camden", "_count": 1},
        {"authority": "Westminster", "_count": 3},
    ]
    by_licence = licensing_2.data("group_by=licence_name&filter_by=authority:Westminster")
    assert by_licence == [
        {"licence_name": "Cat herding licence", "_count": 1},
        {"licence_name": "Temporary events notice", "_count": 3},
    ]


def test_s39_grouping_by_time_period_week(weekly: HttpDataSet) -> None:
    assert weekly.data(f"period=week&{WEEKS}") == [
        week("2013-03-11", "2013-03-18", 3),
        week("2013-03-18", "2013-03-25", 2),
    ]


def test_s40_grouping_by_week_and_filtering(weekly_names: HttpDataSet) -> None:
    assert weekly_names.data(f"period=week&{WEEKS}&filter_by=name:alpha") == [
        week("2013-03-11", "2013-03-18", 2),
        week("2013-03-18", "2013-03-25", 1),
    ]


def test_s41_grouping_by_week_and_a_name(weekly_names: HttpDataSet) -> None:
    assert weekly_names.data(f"period=week&{WEEKS}&group_by=name") == [
        {
            "name": "alpha",
            "_count": 3,
            "_group_count": 2,
            "values": [week("2013-03-11", "2013-03-18", 2), week("2013-03-18", "2013-03-25", 1)],
        },
        {
            "name": "beta",
            "_count": 2,
            "_group_count": 2,
            "values": [week("2013-03-11", "2013-03-18", 1), week("2013-03-18", "2013-03-25", 1)],
        },
    ]


ALPHA_ONLY = [
    {
        "name": "alpha",
        "_count": 3,
        "_group_count": 2,
        "values": [week("2013-03-11", "2013-03-18", 2), week("2013-03-18", "2013-03-25", 1)],
    }
]


def test_s42_grouping_by_week_name_and_filter(weekly_names: HttpDataSet) -> None:
    query = f"period=week&{WEEKS}&group_by=name&filter_by=name:alpha"
    assert weekly_names.data(query) == ALPHA_ONLY


def test_s43_grouping_by_week_name_and_prefix_filter(weekly_names: HttpDataSet) -> None:
    query = f"period=week&{WEEKS}&group_by=name&filter_by_prefix=name:alph"
    assert weekly_names.data(query) == ALPHA_ONLY


def test_s44_grouping_by_a_name_that_does_not_exist(weekly: HttpDataSet) -> None:
    response = weekly.get("group_by=wibble")
    assert response.status_code == 200
    assert response.json() == {"data": []}


def test_s45_subgroups_contain_count_and_null_collects(
    new_data_set: Callable[..., HttpDataSet],
) -> None:
    """The @wip scenario made deterministic: data relative to the current month."""
    this_month = datetime.now(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    months = [this_month - relativedelta(months=n) for n in range(14)]

    def record(month: datetime, acronym: str, comments: int) -> dict[str, Any]:
        moment = month + relativedelta(days=3, hours=10)
        return {"_timestamp": moment.isoformat(), "organisation_acronym": acronym,
                "comment_count": comments}  # fmt: skip

    data_set = new_data_set(
        records=[
            record(months[1], "acas", 3),
            record(months[1], "acas", 4),
            record(months[3], "acas", 5),
            record(months[2], "hmrc", 9),
            record(months[0], "acas", 100),  # the current, incomplete month: excluded
        ]
    )
    (group,) = data_set.data(
        "limit=1&period=month&group_by=organisation_acronym"
        "&filter_by=organisation_acronym%3Aacas&collect=comment_count%3Asum&duration=13"
    )
    assert group["organisation_acronym"] == "acas"
    assert group["_count"] == 3
    assert group["comment_count:sum"] == 12
    assert len(group["values"]) == 13
    assert group["values"][0]["_start_at"] == months[13].isoformat()
    assert group["values"][-1] == {
        "_start_at": months[1].isoformat(),
        "_end_at": months[0].isoformat(),
        "_count": 2,
        "comment_count:sum": 7,
    }
    assert group["values"][-2] == {
        "_start_at": months[2].isoformat(),
        "_end_at": months[1].isoformat(),
        "_count": 0,
        "comment_count:sum": None,
    }
    assert group["values"][-3]["comment_count:sum"] == 5


def test_s46_grouping_by_the_period_field_is_invalid(weekly: HttpDataSet) -> None:
    response = weekly.get("period=week&group_by=_week_start_at")
    assert response.status_code == 400
    assert spec_body(response.json()) == {
        "status": "error",
        "message": "Either 'duration' or both 'start_at' and 'end_at' are required for a "
        "period query",
    }
    response = weekly.get(f"period=week&group_by=_week_start_at&{WEEKS}")
    assert response.status_code == 400
    assert response.json()["message"] == (
        "Cannot group by internal fields, internal fields start with an underscore"
    )


def test_s47_grouping_by_internal_fields_is_not_allowed(weekly: HttpDataSet) -> None:
    response = weekly.get("group_by=_anything")
    assert response.status_code == 400
    assert spec_body(response.json()) == {
        "status": "error",
        "message": "Cannot group by internal fields, internal fields start with an underscore",
    }
