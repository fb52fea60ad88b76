"""Query-string arguments -> Query (spec 2.1, 2.2 and the parsing facts of spec 9.3)."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs

import pytest

from backdrop.core.errors import QueryInvalid
from backdrop.core.periods import Period
from backdrop.core.query import Collect, Needs, Query, SortBy
from backdrop.core.query_parser import parse_query


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def parse(query: str, *, now: datetime | None = None) -> Query:
    """Parse as a raw-allowed data set would, so only the common checks apply."""
    args = parse_qs(query, keep_blank_values=True)
    return parse_query(args, raw_queries_allowed=True, now=now)


# -- first value wins; repeatable parameters are lists -----------------------------------------


def test_first_start_at_end_at_and_sort_by_win() -> None:
    query = parse(
        "start_at=2012-12-12T00:00:00Z&start_at=2011-01-01T00:00:00Z"
        "&end_at=2012-12-19T00:00:00Z&end_at=2013-01-01T00:00:00Z"
        "&sort_by=value:descending&sort_by=name:ascending"
    )
    assert query.start_at == at(2012, 12, 12)
    assert query.end_at == at(2012, 12, 19)
    assert query.sort_by == SortBy("value", descending=True)


def test_first_period_limit_flatten_and_inclusive_win() -> None:
    query = parse(
        "group_by=authority&period=week&period=day&start_at=2012-12-10T00:00:00Z"
        "&end_at=2012-12-24T00:00:00Z&limit=2&limit=5&flatten=true&flatten=false"
        "&inclusive=false&inclusive=true"
    )
    assert query.period is Period.WEEK
    assert query.limit == 2
    assert query.flatten is True
    assert query.inclusive is False


def test_repeatable_parameters_are_lists() -> None:
    query = parse(
        "group_by=authority&group_by=licence_name&filter_by=type:success&filter_by=kind:x"
        "&collect=value:sum&collect=value:mean&collect=name"
    )
    assert query.group_by == ("authority", "licence_name")
    assert query.filter_by == (("type", "success"), ("kind", "x"))
    assert query.collect == (
        Collect("value", "sum"),
        Collect("value", "mean"),
        Collect("name", "default"),
    )
    assert query.collected_fields == ("value", "name")


def test_filter_by_prefix_values_are_a_list() -> None:
    query = parse("filter_by_prefix=name:al&filter_by_prefix=kind:tr")
    assert query.filter_by_prefix == (("name", "al"), ("kind", "tr"))


# -- filter values ------------------------------------------------------------------------------


def test_filter_by_true_and_false_become_booleans() -> None:
    query = parse("filter_by=eats_people:true&filter_by=flies:false")
    assert query.filter_by == (("eats_people", True), ("flies", False))


@pytest.mark.parametrize("text", ["3", "3.5", "True", "TRUE", "null", "", "0"])
def test_other_filter_values_stay_strings(text: str) -> None:
    assert parse(f"filter_by=count:{text}").filter_by == (("count", text),)


def test_filter_by_splits_on_the_first_colon() -> None:
    assert parse("filter_by=url:http%3A//example.com").filter_by == (("url", "http://example.com"),)


def test_filter_by_prefix_never_converts_booleans() -> None:
    assert parse("filter_by_prefix=answer:true").filter_by_prefix == (("answer", "true"),)


# -- collect, sort, limit, flags ------------------------------------------------------------


def test_collect_without_method_is_default_and_named_set() -> None:
    query = parse("group_by=authority&collect=licence_name")
    assert query.collect == (Collect("licence_name", "default"),)
    assert query.collect[0].output_key == "licence_name:set"
    assert query.needs == (Needs("licence_name", values=True),)


@pytest.mark.parametrize("method", ["sum", "count", "set", "mean"])
def test_collect_methods(method: str) -> None:
    (collect,) = parse(f"group_by=authority&collect=value%3A{method}").collect
    assert collect == Collect("value", method)  # type: ignore[arg-type]
    assert collect.output_key == f"value:{method}"


def test_sort_by_direction() -> None:
    assert parse("sort_by=value:ascending").sort_by == SortBy("value", descending=False)
    assert parse("sort_by=_count:descending").sort_by == SortBy("_count", descending=True)


def test_limit_zero_means_no_limit() -> None:
    assert parse("limit=0").limit is None
    assert parse("limit=3").limit == 3
    assert parse("").limit is None


def test_defaults() -> None:
    assert parse("") == Query()
    assert parse("").is_raw
    assert not parse("group_by=authority").is_raw
    assert not parse("period=day&duration=1").is_raw


def test_datetimes_are_converted_to_utc() -> None:
    query = parse("start_at=2013-04-01T04:30:00%2B04:30&end_at=2013-04-08T00:00:00-0100")
    assert query.start_at == at(2013, 4, 1)
    assert query.end_at == at(2013, 4, 8, 1)
    assert query.start_at is not None
    assert query.start_at.utcoffset() is not None


def test_invalid_queries_raise_the_first_message() -> None:
    with pytest.raises(QueryInvalid) as raised:
        parse_query(parse_qs("filter_by=authority:Camden"), raw_queries_allowed=False)
    assert raised.value.message == "querying for raw data is not allowed"


# -- relative ranges (spec 2.2) -------------------------------------------------------------


def test_start_at_with_duration_goes_forwards() -> None:
    query = parse("start_at=2014-01-09T00:00:00Z&duration=3&period=day")
    assert (query.start_at, query.end_at, query.delta) == (at(2014, 1, 9), at(2014, 1, 12), 3)


def test_end_at_with_duration_goes_backwards() -> None:
    query = parse("end_at=2014-01-11T00:00:00Z&duration=3&period=day")
    assert (query.start_at, query.end_at, query.delta) == (at(2014, 1, 8), at(2014, 1, 11), -3)


def test_duration_alone_ends_at_now_truncated_to_the_period() -> None:
    query = parse("duration=3&period=day", now=at(2014, 1, 9))
    assert (query.start_at, query.end_at, query.delta) == (at(2014, 1, 6), at(2014, 1, 9), -3)
    # the current, incomplete period is excluded
    query = parse("duration=3&period=day", now=at(2014, 1, 9, 17, 45))
    assert (query.start_at, query.end_at) == (at(2014, 1, 6), at(2014, 1, 9))


def test_duration_alone_by_week_and_month() -> None:
    now = at(2014, 1, 9, 17, 45)  # a Thursday
    weekly = parse("duration=2&period=week", now=now)
    assert (weekly.start_at, weekly.end_at) == (at(2013, 12, 23), at(2014, 1, 6))
    monthly = parse("duration=12&period=month", now=now)
    assert (monthly.start_at, monthly.end_at) == (at(2013, 1, 1), at(2014, 1, 1))


def test_end_at_mid_week_excludes_that_week() -> None:
    query = parse("end_at=2014-01-09T00:00:00Z&duration=2&period=week")  # a Thursday
    assert (query.start_at, query.end_at) == (at(2013, 12, 23), at(2014, 1, 6))


def test_start_at_mid_period_is_truncated_to_its_start() -> None:
    query = parse("start_at=2014-01-09T13:45:00Z&duration=2&period=day")
    assert (query.start_at, query.end_at) == (at(2014, 1, 9), at(2014, 1, 11))
    query = parse("start_at=2013-05-15T00:00:00Z&duration=3&period=month")
    assert (query.start_at, query.end_at) == (at(2013, 5, 1), at(2013, 8, 1))


def test_duration_by_hour() -> None:
    query = parse("end_at=2013-04-02T14:30:00Z&duration=24&period=hour")
    assert (query.start_at, query.end_at) == (at(2013, 4, 1, 14), at(2013, 4, 2, 14))


def test_absolute_ranges_have_no_delta() -> None:
    query = parse("period=week&start_at=2013-03-11T00:00:00Z&end_at=2013-03-25T00:00:00Z")
    assert (query.start_at, query.end_at, query.delta) == (at(2013, 3, 11), at(2013, 3, 25), None)


def test_shifting_moves_both_bounds() -> None:
    query = parse("start_at=2014-01-09T00:00:00Z&duration=3&period=day")
    later = query.shifted(5)
    assert (later.start_at, later.end_at) == (at(2014, 1, 14), at(2014, 1, 17))
    earlier = query.shifted(-5)
    assert (earlier.start_at, earlier.end_at) == (at(2014, 1, 4), at(2014, 1, 7))
    assert earlier.delta == query.delta
    assert query.start_at == at(2014, 1, 9)  # the original is unchanged


def test_shifting_by_months_keeps_the_first_of_the_month() -> None:
    query = parse("end_at=2013-05-01T00:00:00Z&duration=3&period=month").shifted(-1)
    assert (query.start_at, query.end_at) == (at(2013, 1, 1), at(2013, 4, 1))
