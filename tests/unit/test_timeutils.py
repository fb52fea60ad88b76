"""Record timestamps (spec 3.5) and the JSON datetime form (spec 1.3): aware UTC everywhere."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from backdrop.core.timeutils import ImpossibleDate, NotADate, as_utc, isoformat, now, parse_lenient


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2013-03-20T10:10:10+00:00", datetime(2013, 3, 20, 10, 10, 10, tzinfo=UTC)),
        ("2013-04-01T12:10:00Z", datetime(2013, 4, 1, 12, 10, tzinfo=UTC)),
        ("2013-02-25T15:09:56+0000", datetime(2013, 2, 25, 15, 9, 56, tzinfo=UTC)),
        ("2012-12-12T00:00:00", datetime(2012, 12, 12, tzinfo=UTC)),
        ("2012-12-12", datetime(2012, 12, 12, tzinfo=UTC)),
        ("2014-01-01T00:30:00+01:00", datetime(2013, 12, 31, 23, 30, tzinfo=UTC)),
        ("2014-01-01T00:00:00.250Z", datetime(2014, 1, 1, 0, 0, 0, 250000, tzinfo=UTC)),
    ],
)
def test_parse_lenient_reads_dateutil_forms_as_utc(text: str, expected: datetime) -> None:
    parsed = parse_lenient(text)
    assert parsed == expected
    assert parsed.tzinfo is UTC


@pytest.mark.parametrize("text", ["not a date", "", "2014-06-1xxx0:00:00+0000", "hello"])
def test_unreadable_text_is_not_a_date(text: str) -> None:
    with pytest.raises(NotADate):
        parse_lenient(text)


@pytest.mark.parametrize(
    "text",
    [
        "31-11-12T00:00:00",
        "2014-02-30T00:00:00Z",
        "2013-13-01T00:00:00Z",
        "2014-01-01T00:00:00+24:00",  # dateutil reads offsets no datetime can hold
        "2014-01-01 00:00 -99",
    ],
)
def test_impossible_values_are_an_impossible_date(text: str) -> None:
    with pytest.raises(ImpossibleDate):
        parse_lenient(text)


@pytest.mark.parametrize("value", [5, 1.5, None, True, [], {}])
def test_non_strings_are_not_dates(value: object) -> None:
    with pytest.raises(NotADate):
        parse_lenient(value)


def test_the_two_failures_are_value_errors_but_distinct() -> None:
    assert issubclass(NotADate, ValueError)
    assert issubclass(ImpossibleDate, ValueError)
    assert not issubclass(NotADate, ImpossibleDate)
    assert not issubclass(ImpossibleDate, NotADate)


def test_as_utc_takes_naive_values_as_utc() -> None:
    assert as_utc(datetime(2014, 1, 1, 12)) == datetime(2014, 1, 1, 12, tzinfo=UTC)
    assert as_utc(datetime(2014, 1, 1, 12)).tzinfo is UTC


def test_as_utc_converts_other_zones() -> None:
    eastern = datetime(2014, 1, 1, 1, tzinfo=ZoneInfo("America/New_York"))
    assert as_utc(eastern) == datetime(2014, 1, 1, 6, tzinfo=UTC)
    assert as_utc(eastern).tzinfo is UTC
    plus_two = datetime(2014, 6, 1, 2, tzinfo=timezone(timedelta(hours=2)))
    assert as_utc(plus_two) == datetime(2014, 6, 1, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (datetime(2014, 1, 1, tzinfo=UTC), "2014-01-01T00:00:00+00:00"),
        (datetime(2014, 1, 1), "2014-01-01T00:00:00+00:00"),
        (
            datetime(2015, 1, 14, 12, 51, 45, 621000, tzinfo=UTC),
            "2015-01-14T12:51:45.621000+00:00",
        ),
        (datetime(2014, 1, 1, 1, tzinfo=ZoneInfo("America/New_York")), "2014-01-01T06:00:00+00:00"),
    ],
)
def test_isoformat_is_utc_with_microseconds_only_when_present(moment: datetime, text: str) -> None:
    assert isoformat(moment) == text


def test_now_is_aware_utc_and_current() -> None:
    before = datetime.now(UTC)
    moment = now()
    after = datetime.now(UTC)
    assert moment.tzinfo is UTC
    assert before <= moment <= after
