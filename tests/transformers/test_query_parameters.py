"""The read a transform makes of its source (spec 6.4), with its pinned examples."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from backdrop.core.errors import TransformInvalid
from backdrop.transformers.lookups import latest_check_parameters
from backdrop.transformers.query_parameters import as_query_args, query_parameters


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def with_period(period: str, **extra: Any) -> dict[str, Any]:
    return {"query-parameters": {"period": period, **extra}}


def test_days_end_before_the_incomplete_current_day() -> None:
    parameters = query_parameters(
        with_period("day"), at("2014-12-10T12:00"), at("2014-12-14T12:00"), at("2014-12-14T00:00")
    )
    assert parameters == {
        "period": "day",
        "flatten": "true",
        "inclusive": "true",
        "start_at": "2014-12-10T00:00:00+00:00",
        "end_at": "2014-12-14T00:00:00+00:00",
    }


@pytest.mark.parametrize(
    ("now", "end_at"),
    [
        ("2015-02-18T00:00", "2015-02-16T00:00:00+00:00"),
        ("2015-02-24T00:00", "2015-02-23T00:00:00+00:00"),
    ],
)
def test_weeks_run_from_the_first_monday_to_the_last_complete_week(now: str, end_at: str) -> None:
    parameters = query_parameters(
        with_period("week"), at("2015-02-10T12:00"), at("2015-02-17T12:00"), at(now)
    )
    assert parameters["start_at"] == "2015-02-09T00:00:00+00:00"
    assert parameters["end_at"] == end_at
    assert parameters["inclusive"] == "true"


def test_one_instant_with_a_period_reads_one_period_from_it() -> None:
    moment = at("2014-01-06T10:30")
    parameters = query_parameters(with_period("week", collect="v:sum"), moment, moment, moment)
    assert parameters == {
        "period": "week",
        "collect": "v:sum",
        "flatten": "true",
        "duration": 1,
        "start_at": "2014-01-06T10:30:00+00:00",
    }


def test_one_instant_without_a_period_reads_that_instant_inclusively() -> None:
    moment = at("2014-01-06T10:30")
    assert query_parameters({}, moment, moment, moment) == {
        "flatten": "true",
        "inclusive": "true",
        "start_at": "2014-01-06T10:30:00+00:00",
        "end_at": "2014-01-06T10:30:00+00:00",
    }


def test_a_range_without_a_period_is_read_as_given() -> None:
    transform = {"query-parameters": {"group_by": ["channel", "kind"]}}
    parameters = query_parameters(
        transform, at("2014-01-06T10:30"), at("2014-02-01T00:00"), at("2020-01-01T00:00")
    )
    assert parameters == {
        "group_by": ["channel", "kind"],
        "flatten": "true",
        "inclusive": "true",
        "start_at": "2014-01-06T10:30:00+00:00",
        "end_at": "2014-02-01T00:00:00+00:00",
    }
    assert transform == {"query-parameters": {"group_by": ["channel", "kind"]}}  # not changed
    assert as_query_args(parameters)["group_by"] == ["channel", "kind"]
    assert as_query_args({"duration": 1})["duration"] == ["1"]


def test_an_unknown_period_is_a_transform_error() -> None:
    with pytest.raises(TransformInvalid):
        query_parameters(
            with_period("fortnight"),
            at("2014-01-01T00:00"),
            at("2014-02-01T00:00"),
            at("2015-01-01T00:00"),
        )


def test_the_latest_check_reads_newest_first_from_the_datum_until_now() -> None:
    datum = {"_timestamp": "2013-04-01T00:00:00+00:00"}
    now = datetime(2015, 3, 20, 10, 11, 12, 999, tzinfo=UTC)
    assert latest_check_parameters({}, datum, now, {"filter_by": "_id:x"}) == {
        "sort_by": "_timestamp:descending",
        "start_at": "2013-04-01T00:00:00+00:00",
        "end_at": "2015-03-20T10:11:12+00:00",
        "filter_by": "_id:x",
    }
    transform = {"query_parameters": {"period": "week"}}  # the underscore key, as the original
    assert latest_check_parameters(transform, datum, now, {}) == {
        "sort_by": "_timestamp:descending",
        "duration": "1",
        "period": "week",
    }
