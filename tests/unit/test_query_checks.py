"""Read-query validation: every row of spec 2.3 with its exact message, the order, and the
validator facts of spec 9.3."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest

from backdrop.core.query_checks import first_error

WEEK = "start_at=2013-01-07T00:00:00Z&end_at=2013-01-14T00:00:00Z"
PERIOD_MESSAGE = "'period' must be one of ['hour', 'day', 'week', 'month', 'quarter', 'year']"
FILTER_COLON = (
    "filter_by must be a field name and value separated by a colon (:) eg. authority:Westminster"
)
ABSOLUTE_AND_RELATIVE = (
    "Absolute and relative time cannot be requested at the same time - either ask for "
    "'start_at' and 'end_at', or ask for 'start_at'/'end_at' with 'duration'"
)
DURATION_NEEDS_PERIOD = (
    "If 'duration' is requested (for relative time), 'period' is required - please add a "
    "period (like 'day', 'month' etc)"
)


def error(query: str, *, raw_queries_allowed: bool) -> str | None:
    """The message for a query string as a client sends it (percent-encoded)."""
    return first_error(
        parse_qs(query, keep_blank_values=True), raw_queries_allowed=raw_queries_allowed
    )


# Rows 1-16 apply to every data set: (row, query string, message).
COMMON_ROWS = [
    ("1", "foo=bar&group_by=authority", "An unrecognised parameter was provided"),
    ("1", "group_by=authority&Period=week", "An unrecognised parameter was provided"),
    (
        "2a",
        "period=week&start_at=2013-01-07T00:00:00Z",
        "Either 'duration' or both 'start_at' and 'end_at' are required for a period query",
    ),
    (
        "2a",
        "period=week",
        "Either 'duration' or both 'start_at' and 'end_at' are required for a period query",
    ),
    (
        "2b",
        "period=week&duration=3&limit=3",
        "A period query can only be limited if it is grouped - please add 'group_by'",
    ),
    (
        "3",
        "group_by=authority&start_at=not+a+date&end_at=2013-01-14T00:00:00Z",
        "start_at is not a valid datetime",
    ),
    (
        "4",
        "group_by=authority&start_at=2013-01-07T00:00:00Z&end_at=",
        "end_at is not a valid datetime",
    ),
    (
        "5a",
        "group_by=authority&filter_by=name:alpha&filter_by_prefix=name:al",
        "Cannot use both filter_by and filter_by_prefix in the same query",
    ),
    ("5b", "group_by=authority&filter_by=authority", FILTER_COLON),
    ("5b", "group_by=authority&filter_by_prefix=authority", FILTER_COLON),
    ("5b", "group_by=authority&filter_by=name:alpha&filter_by=nocolon", FILTER_COLON),
    (
        "5c",
        "group_by=authority&filter_by=$where:function(){}",
        "Cannot filter by an invalid field name",
    ),
    (
        "5c",
        "group_by=authority&filter_by_prefix=$prefix:function(){}",
        "Cannot filter by an invalid field name",
    ),
    ("5c", "group_by=authority&filter_by=a:b", "Cannot filter by an invalid field name"),
    ("6", f"period=fortnight&{WEEK}", PERIOD_MESSAGE),
    ("6", "period=Week&duration=2", PERIOD_MESSAGE),
    (
        "7a",
        "period=week&duration=2&sort_by=value:ascending",
        "Cannot sort for period queries without group_by. "
        "Period queries are always sorted by time.",
    ),
    (
        "7b",
        "group_by=authority&sort_by=value",
        "sort_by must be a field name and sort direction separated by a colon (:) "
        "eg. authority:ascending",
    ),
    (
        "7c",
        "group_by=authority&sort_by=value:upwards",
        "Unrecognised sort direction. Supported directions include: ascending, descending",
    ),
    (
        "7c",
        "group_by=authority&sort_by=:ascending",
        "Unrecognised sort direction. Supported directions include: ascending, descending",
    ),
    (
        "7d",
        "group_by=authority&sort_by=val-ue:ascending",
        "Cannot sort by an invalid field name",
    ),
    ("8a", "group_by=authority-name", "Cannot group by an invalid field name"),
    (
        "8b",
        "group_by=_anything",
        "Cannot group by internal fields, internal fields start with an underscore",
    ),
    (
        "8b",
        "period=week&group_by=_week_start_at&duration=2",
        "Cannot group by internal fields, internal fields start with an underscore",
    ),
    ("9", "group_by=authority&limit=-3", "limit must be a positive integer"),
    ("9", "group_by=authority&limit=not_a_number", "limit must be a positive integer"),
    ("10", "period=day&duration=-3", "duration must be a positive integer"),
    ("10", "period=day&duration=laierughrelg", "duration must be a positive integer"),
    ("11", "collect=value", "collect can be used only with either ['group_by', 'period']"),
    ("12a", f"period=day&{WEEK}&duration=3", ABSOLUTE_AND_RELATIVE),
    (
        "12b",
        "group_by=authority&start_at=2013-01-07T00:00:00Z",
        "Use of 'start_at' requires 'end_at' or 'duration'",
    ),
    (
        "12c",
        "group_by=authority&end_at=2013-01-07T00:00:00Z",
        "Use of 'end_at' requires 'start_at' or 'duration'",
    ),
    ("12d", "period=day&duration=0", "'duration' must not be zero"),
    ("12e", "group_by=authority&duration=3", DURATION_NEEDS_PERIOD),
    ("13a", "group_by=authority&collect=value:median", "Unknown collection method"),
    ("13a", "group_by=authority&collect=value:sum:mean", "Unknown collection method"),
    ("13a", "group_by=authority&collect=value:", "Unknown collection method"),
    ("13b", "group_by=authority&collect=val-ue", "Cannot collect an invalid field name"),
    (
        "13c",
        "group_by=authority&collect=_value",
        "Cannot collect internal fields, internal fields start with an underscore",
    ),
    (
        "13d",
        "group_by=authority&collect=authority",
        "Cannot collect by a field that is used for group_by",
    ),
    (
        "13d",
        "group_by=authority&collect=authority:count",
        "Cannot collect by a field that is used for group_by",
    ),
    ("14", "group_by=authority&flatten=yes", "flatten must be either 'true' or 'false'"),
    ("15", f"group_by=authority&{WEEK}&inclusive=1", "inclusive must be either 'true' or 'false'"),
    (
        "16",
        "group_by=authority&inclusive=true",
        "inclusive can be used only with either ['start_at', 'end_at']",
    ),
]

# Rows 17-24 apply only when raw queries are not allowed: (row, query string, message).
RESTRICTED_ROWS = [
    ("17", "filter_by=authority:Camden", "querying for raw data is not allowed"),
    ("17", "", "querying for raw data is not allowed"),
    (
        "18",
        "group_by=authority&start_at=2013-01-07T00:00:00Z&end_at=2013-01-13T00:00:00Z",
        "The minimum time span for a query is 7 days",
    ),
    (
        "18",
        "group_by=authority&start_at=2013-01-14T00:00:00Z&end_at=2013-01-07T00:00:00Z",
        "The minimum time span for a query is 7 days",
    ),
    (
        "19",
        "group_by=authority&start_at=2013-01-07T01:00:00Z&end_at=2013-01-21T00:00:00Z",
        "start_at must be midnight",
    ),
    (
        "20",
        "group_by=authority&start_at=2013-01-07T00:00:00Z&end_at=2013-01-21T00:00:01Z",
        "end_at must be midnight",
    ),
    (
        "21",
        "period=week&start_at=2013-03-31T00:00:00Z&end_at=2013-04-08T00:00:00Z",
        "start_at must be a monday",
    ),
    (
        "22",
        "period=week&start_at=2013-04-01T00:00:00Z&end_at=2013-04-09T00:00:00Z",
        "end_at must be a monday",
    ),
    (
        "23",
        "period=month&start_at=2013-04-02T00:00:00Z&end_at=2013-06-01T00:00:00Z",
        "'start_at' must be the first of the month for period=month queries",
    ),
    (
        "24",
        "period=month&start_at=2013-04-01T00:00:00Z&end_at=2013-06-02T00:00:00Z",
        "'end_at' must be the first of the month for period=month queries",
    ),
]


@pytest.mark.parametrize("raw_queries_allowed", [True, False])
@pytest.mark.parametrize(("row", "query", "message"), COMMON_ROWS)
def test_common_rows(row: str, query: str, message: str, raw_queries_allowed: bool) -> None:
    assert error(query, raw_queries_allowed=raw_queries_allowed) == message


@pytest.mark.parametrize(("row", "query", "message"), RESTRICTED_ROWS)
def test_restricted_rows(row: str, query: str, message: str) -> None:
    assert error(query, raw_queries_allowed=False) == message


@pytest.mark.parametrize(("row", "query", "message"), RESTRICTED_ROWS)
def test_restricted_rows_do_not_apply_when_raw_queries_are_allowed(
    row: str, query: str, message: str
) -> None:
    assert error(query, raw_queries_allowed=True) is None


# Two faults in one query: the earlier row's message wins.
TWO_FAULTS = [
    ("1 before 3", "foo=bar&start_at=never&end_at=never", "An unrecognised parameter was provided"),
    (
        "2a before 3",
        "period=week&start_at=never",
        "Either 'duration' or both 'start_at' and 'end_at' are required for a period query",
    ),
    (
        "2b before 10",
        "period=week&limit=2&duration=-1",
        "A period query can only be limited if it is grouped - please add 'group_by'",
    ),
    (
        "3 before 4",
        "group_by=authority&start_at=never&end_at=never",
        "start_at is not a valid datetime",
    ),
    (
        "4 before 5",
        "group_by=authority&start_at=2013-01-07T00:00:00Z&end_at=x&filter_by=x",
        "end_at is not a valid datetime",
    ),
    ("5 before 6", f"filter_by=x&period=fortnight&{WEEK}", FILTER_COLON),
    (
        "6 before 7",
        f"period=fortnight&{WEEK}&sort_by=value",
        PERIOD_MESSAGE,
    ),
    (
        "7 before 8",
        "group_by=_internal&sort_by=value",
        "sort_by must be a field name and sort direction separated by a colon (:) "
        "eg. authority:ascending",
    ),
    (
        "8 before 9",
        "group_by=_internal&limit=-3",
        "Cannot group by internal fields, internal fields start with an underscore",
    ),
    (
        "9 before 10",
        "period=day&group_by=authority&limit=-3&duration=-3",
        "limit must be a positive integer",
    ),
    ("10 before 11", "duration=-3&collect=value", "duration must be a positive integer"),
    (
        "11 before 12",
        "collect=value&duration=0",
        "collect can be used only with either ['group_by', 'period']",
    ),
    ("12 before 13", "group_by=authority&duration=3&collect=value:median", DURATION_NEEDS_PERIOD),
    (
        "13 before 14",
        "group_by=authority&collect=value:median&flatten=yes",
        "Unknown collection method",
    ),
    (
        "14 before 15",
        f"group_by=authority&{WEEK}&flatten=1&inclusive=1",
        "flatten must be either 'true' or 'false'",
    ),
    (
        "15 before 16",
        "group_by=authority&inclusive=1",
        "inclusive must be either 'true' or 'false'",
    ),
    (
        "16 before 17",
        "inclusive=true",
        "inclusive can be used only with either ['start_at', 'end_at']",
    ),
    (
        "17 before 18",
        "start_at=2013-01-07T00:00:00Z&end_at=2013-01-08T00:00:00Z",
        "querying for raw data is not allowed",
    ),
    (
        "18 before 19",
        "group_by=authority&start_at=2013-01-07T01:00:00Z&end_at=2013-01-08T00:00:00Z",
        "The minimum time span for a query is 7 days",
    ),
    (
        "19 before 20",
        "group_by=authority&start_at=2013-01-07T01:00:00Z&end_at=2013-01-21T01:00:00Z",
        "start_at must be midnight",
    ),
    (
        "20 before 21",
        "period=week&start_at=2013-01-08T00:00:00Z&end_at=2013-01-21T01:00:00Z",
        "end_at must be midnight",
    ),
    (
        "21 before 22",
        "period=week&start_at=2013-01-08T00:00:00Z&end_at=2013-01-22T00:00:00Z",
        "start_at must be a monday",
    ),
    (
        "23 before 24",
        "period=month&start_at=2013-01-02T00:00:00Z&end_at=2013-03-02T00:00:00Z",
        "'start_at' must be the first of the month for period=month queries",
    ),
]


@pytest.mark.parametrize(("case", "query", "message"), TWO_FAULTS)
def test_the_earlier_row_wins(case: str, query: str, message: str) -> None:
    assert error(query, raw_queries_allowed=False) == message


def test_the_first_bad_value_of_a_repeated_parameter_wins() -> None:
    query = "group_by=authority&collect=_value&collect=value:median"
    assert error(query, raw_queries_allowed=True) == (
        "Cannot collect internal fields, internal fields start with an underscore"
    )


# -- spec 9.3 validator facts -----------------------------------------------------------------


def test_six_day_span_is_refused() -> None:
    query = "group_by=authority&start_at=2013-01-07T00:00:00Z&end_at=2013-01-13T00:00:00Z"
    assert error(query, raw_queries_allowed=False) == "The minimum time span for a query is 7 days"


def test_seven_day_span_is_accepted() -> None:
    query = "group_by=authority&start_at=2013-01-07T00:00:00Z&end_at=2013-01-14T00:00:00Z"
    assert error(query, raw_queries_allowed=False) is None


def test_six_day_hour_span_is_accepted() -> None:
    query = "period=hour&start_at=2013-01-07T00:00:00Z&end_at=2013-01-13T00:00:00Z"
    assert error(query, raw_queries_allowed=False) is None


def test_hour_queries_need_not_be_midnight() -> None:
    query = "period=hour&start_at=2013-04-01T13:00:00Z&end_at=2013-04-03T13:00:00Z"
    assert error(query, raw_queries_allowed=False) is None


def test_quarter_and_year_need_only_midnight_and_a_week() -> None:
    query = "period=quarter&start_at=2013-02-13T00:00:00Z&end_at=2013-05-29T00:00:00Z"
    assert error(query, raw_queries_allowed=False) is None
    query = "period=year&start_at=2013-02-13T00:00:00Z&end_at=2013-02-19T00:00:00Z"
    assert error(query, raw_queries_allowed=False) == "The minimum time span for a query is 7 days"


def test_sunday_start_with_week() -> None:
    query = "period=week&start_at=2013-03-31T00:00:00Z&end_at=2013-04-08T00:00:00Z"
    assert error(query, raw_queries_allowed=False) == "start_at must be a monday"


def test_midnight_is_checked_in_utc() -> None:
    # 04:30 at +04:30 is midnight UTC and still Monday 1 April in the given offset
    passing = "period=week&start_at=2013-04-01T04:30:00%2B04:30&end_at=2013-04-15T04:30:00%2B04:30"
    assert error(passing, raw_queries_allowed=False) is None
    failing = "period=week&start_at=2013-04-01T00:00:00%2B04:30&end_at=2013-04-15T00:00:00Z"
    assert error(failing, raw_queries_allowed=False) == "start_at must be midnight"


def test_monday_and_first_of_month_are_checked_in_the_given_offset() -> None:
    # 2013-04-01T00:00-05:00 is 05:00 UTC (not midnight) but Monday the 1st locally;
    # 2013-03-31T20:00-04:00 is midnight UTC on Monday the 1st, but Sunday the 31st locally.
    sunday_local = "period=week&start_at=2013-03-31T20:00:00-04:00&end_at=2013-04-08T00:00:00Z"
    assert error(sunday_local, raw_queries_allowed=False) == "start_at must be a monday"
    month_local = "period=month&start_at=2013-03-31T20:00:00-04:00&end_at=2013-05-01T00:00:00Z"
    assert error(month_local, raw_queries_allowed=False) == (
        "'start_at' must be the first of the month for period=month queries"
    )


def test_every_group_by_value_is_validated() -> None:
    assert error("group_by=authority&group_by=bad-name", raw_queries_allowed=True) == (
        "Cannot group by an invalid field name"
    )
    assert error("group_by=authority&group_by=_internal", raw_queries_allowed=True) == (
        "Cannot group by internal fields, internal fields start with an underscore"
    )
    assert error("group_by=authority&group_by=name&collect=name", raw_queries_allowed=True) == (
        "Cannot collect by a field that is used for group_by"
    )


def test_collect_with_two_colons_is_an_unknown_method() -> None:
    assert error("group_by=authority&collect=a:b:c", raw_queries_allowed=True) == (
        "Unknown collection method"
    )


@pytest.mark.parametrize(
    "value",
    [
        "2013-13-70T00:00:00Z",
        "2013-01-01T00:00:00+24:00",
        "2013-01-01T00:00:00+99:99",
        "2013-01-01T00:00:00.000Z",
        "2013-01-01T00:00:00",
        "2014-1-1T00:00:00Z",
        "2013-02-30T00:00:00Z",
        "2013-01-01",
        "",
    ],
)
def test_invalid_datetime_strings(value: str) -> None:
    query = f"group_by=authority&start_at={value.replace('+', '%2B')}&end_at=2014-06-01T00:00:00Z"
    assert error(query, raw_queries_allowed=True) == "start_at is not a valid datetime"


@pytest.mark.parametrize(
    "value",
    [
        "2013-01-01T00:00:00Z",
        "2013-01-01T00:00:00+00:00",
        "2013-01-01T00:00:00-00:00",
        "2013-01-01T00:00:00+0000",
        "2013-01-01T00:00:00+05:30",
    ],
)
def test_valid_datetime_strings(value: str) -> None:
    query = f"group_by=authority&start_at={value.replace('+', '%2B')}&end_at=2014-06-01T00:00:00Z"
    assert error(query, raw_queries_allowed=True) is None


def test_an_unencoded_plus_is_a_space_and_not_a_valid_datetime() -> None:
    query = "group_by=authority&start_at=2013-01-01T00:00:00+00:00&end_at=2014-06-01T00:00:00Z"
    assert error(query, raw_queries_allowed=True) == "start_at is not a valid datetime"


@pytest.mark.parametrize(
    "query",
    [
        "group_by=authority",
        "group_by=isPaymentRequired&collect=licence_name&collect=value:sum&collect=value:mean",
        "period=week&duration=9&collect=count%3Asum&flatten=true",
        "period=day&start_at=2014-01-09T00:00:00Z&duration=3",
        "period=week&group_by=authority&sort_by=_count:descending&limit=3&duration=9",
        f"group_by=authority&filter_by=name:alpha&filter_by=kind:true&{WEEK}&inclusive=true",
        "group_by=authority&filter_by_prefix=name:al&limit=0&format=csv",
    ],
)
def test_valid_restricted_queries(query: str) -> None:
    assert error(query, raw_queries_allowed=False) is None


def test_raw_queries_are_valid_when_allowed() -> None:
    assert error("", raw_queries_allowed=True) is None
    assert error("sort_by=value:descending&limit=3", raw_queries_allowed=True) is None
    assert error("start_at=2012-12-12T01:01:02%2B00:00&end_at=2012-12-14T00:00:00%2B00:00",
                 raw_queries_allowed=True) is None  # fmt: skip
