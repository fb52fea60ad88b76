"""Period arithmetic (spec 2.6 table and examples, spec 9.3 period facts)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from backdrop.core.periods import PERIOD_NAMES, Period, period_starts


def at(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


# -- spec 2.6 table: start(t), length, valid boundary ---------------------------------------


@pytest.mark.parametrize(
    ("period", "moment", "start"),
    [
        (Period.HOUR, at(2013, 4, 9, 10, 23, 43), at(2013, 4, 9, 10)),
        (Period.DAY, at(2013, 4, 9, 21, 0, 0), at(2013, 4, 9)),
        (Period.WEEK, at(2013, 4, 9, 10, 23, 43), at(2013, 4, 8)),  # Tuesday -> Monday
        (Period.MONTH, at(2013, 4, 19, 10, 23, 43), at(2013, 4, 1)),
        (Period.QUARTER, at(2013, 5, 19, 10, 23, 43), at(2013, 4, 1)),
        (Period.YEAR, at(2013, 5, 19, 10, 23, 43), at(2013, 1, 1)),
    ],
)
def test_start_truncates_to_the_period(period: Period, moment: datetime, start: datetime) -> None:
    assert period.start(moment) == start


def test_months_clamp_to_the_target_months_length() -> None:
    assert Period.MONTH.shift(at(2013, 1, 31), 1) == at(2013, 2, 28)
    assert Period.QUARTER.shift(at(2013, 11, 30), -1) == at(2013, 8, 30)
    assert Period.YEAR.shift(at(2012, 2, 29), 1) == at(2013, 2, 28)
    assert Period.MONTH.shift(at(2013, 1, 1), -13) == at(2011, 12, 1)


@pytest.mark.parametrize(
    ("period", "moment", "later"),
    [
        (Period.HOUR, at(2013, 4, 9, 10), at(2013, 4, 9, 11)),
        (Period.DAY, at(2013, 4, 9), at(2013, 4, 10)),
        (Period.WEEK, at(2013, 4, 8), at(2013, 4, 15)),
        (Period.MONTH, at(2013, 1, 1), at(2013, 2, 1)),
        (Period.MONTH, at(2013, 2, 1), at(2013, 3, 1)),  # 28 days
        (Period.QUARTER, at(2013, 10, 1), at(2014, 1, 1)),
        (Period.YEAR, at(2012, 1, 1), at(2013, 1, 1)),  # leap year, 366 days
    ],
)
def test_length_is_calendar_aware(period: Period, moment: datetime, later: datetime) -> None:
    assert period.shift(moment, 1) == later
    assert period.shift(later, -1) == moment


@pytest.mark.parametrize(
    ("period", "boundary"),
    [
        (Period.HOUR, at(2013, 4, 9, 10)),
        (Period.DAY, at(2013, 4, 9)),
        (Period.WEEK, at(2013, 4, 8)),
        (Period.MONTH, at(2013, 4, 1)),
        (Period.QUARTER, at(2013, 7, 1)),
        (Period.YEAR, at(2013, 1, 1)),
    ],
)
def test_valid_boundaries_are_starts(period: Period, boundary: datetime) -> None:
    assert period.is_boundary(boundary)
    assert period.start(boundary) == boundary
    assert period.end(boundary) == boundary


@pytest.mark.parametrize("offset", [timedelta(seconds=1), timedelta(minutes=1)])
@pytest.mark.parametrize("period", list(Period))
def test_valid_starts_reject_seconds_and_minutes(period: Period, offset: timedelta) -> None:
    assert not period.is_boundary(at(2013, 1, 1) + offset)


@pytest.mark.parametrize("period", [p for p in Period if p is not Period.HOUR])
def test_valid_starts_reject_an_hour(period: Period) -> None:
    assert not period.is_boundary(at(2013, 1, 1, 1))


@pytest.mark.parametrize("period", [Period.WEEK, Period.MONTH, Period.QUARTER, Period.YEAR])
def test_valid_starts_reject_a_day(period: Period) -> None:
    # 2013-04-01 is a Monday, the 1st of a month and of a quarter
    assert period.is_boundary(at(2013, 4, 1)) == (period is not Period.YEAR)
    assert not period.is_boundary(at(2013, 4, 2))


def test_quarter_starts_reject_a_month() -> None:
    assert Period.QUARTER.is_boundary(at(2013, 4, 1))
    assert not Period.QUARTER.is_boundary(at(2013, 5, 1))


# -- spec 9.3: week --------------------------------------------------------------------------


def test_week_starts_on_monday() -> None:
    assert Period.WEEK.start(at(2013, 4, 9)) == at(2013, 4, 8)  # Tuesday
    assert Period.WEEK.start(at(2013, 4, 8)) == at(2013, 4, 8)  # Monday stays Monday
    assert Period.WEEK.start(at(2013, 4, 14, 23, 59, 59)) == at(2013, 4, 8)  # Sunday
    assert Period.WEEK.start(at(2013, 4, 8, 15, 42, 11)) == at(2013, 4, 8)  # time truncated


def test_week_end() -> None:
    assert Period.WEEK.end(at(2013, 4, 10, 12)) == at(2013, 4, 15)  # mid-week -> next Monday
    assert Period.WEEK.end(at(2013, 4, 8)) == at(2013, 4, 8)  # Monday 00:00 -> itself
    assert Period.WEEK.end(at(2013, 4, 8, 0, 1)) == at(2013, 4, 15)  # Monday 00:01 -> next


def test_day_and_hour_end() -> None:
    assert Period.DAY.end(at(2013, 4, 9, 21)) == at(2013, 4, 10)
    assert Period.DAY.end(at(2013, 4, 9)) == at(2013, 4, 9)
    assert Period.HOUR.end(at(2013, 4, 9, 10, 23, 43)) == at(2013, 4, 9, 11)
    assert Period.HOUR.end(at(2013, 4, 9, 10)) == at(2013, 4, 9, 10)


# -- spec 9.3: month and quarter -------------------------------------------------------------


def test_month_start_truncates_to_the_first() -> None:
    assert Period.MONTH.start(at(2013, 4, 19, 10, 23, 43)) == at(2013, 4, 1)
    assert Period.MONTH.start(at(2013, 4, 1)) == at(2013, 4, 1)


def test_month_end() -> None:
    assert Period.MONTH.end(at(2013, 10, 4)) == at(2013, 11, 1)
    assert Period.MONTH.end(at(2013, 5, 1)) == at(2013, 5, 1)
    assert Period.MONTH.end(at(2013, 5, 1, 0, 12)) == at(2013, 6, 1)
    assert Period.MONTH.end(at(2013, 1, 31, 12)) == at(2013, 2, 1)
    assert Period.MONTH.end(at(2013, 12, 31, 12)) == at(2014, 1, 1)


@pytest.mark.parametrize(
    ("month", "quarter_start"),
    [(1, 1), (2, 1), (3, 1), (4, 4), (5, 4), (6, 4), (7, 7), (8, 7), (9, 7), (10, 10), (12, 10)],
)
def test_quarter_starts_on_jan_apr_jul_oct(month: int, quarter_start: int) -> None:
    assert Period.QUARTER.start(at(2013, month, 15, 13)) == at(2013, quarter_start, 1)


def test_quarter_end_is_the_next_quarter_start() -> None:
    assert Period.QUARTER.end(at(2013, 11, 15)) == at(2014, 1, 1)  # Q4 2013
    assert Period.QUARTER.end(at(2013, 2, 1)) == at(2013, 4, 1)
    assert Period.QUARTER.end(at(2013, 10, 1)) == at(2013, 10, 1)


def test_year() -> None:
    assert Period.YEAR.start(at(2013, 7, 4, 12)) == at(2013, 1, 1)
    assert Period.YEAR.end(at(2013, 7, 4, 12)) == at(2014, 1, 1)
    assert Period.YEAR.end(at(2013, 1, 1)) == at(2013, 1, 1)


# -- spec 2.6 ranges: expand outwards to whole periods ----------------------------------------


def test_week_range_expands_to_whole_weeks() -> None:
    starts = list(Period.WEEK.starts(at(2013, 4, 3), at(2013, 4, 19)))
    assert starts == [at(2013, 4, 1), at(2013, 4, 8), at(2013, 4, 15)]


def test_day_range() -> None:
    starts = list(Period.DAY.starts(at(2013, 4, 3), at(2013, 4, 10)))
    assert starts == [at(2013, 4, day) for day in range(3, 10)]


def test_month_range_expands_to_whole_months() -> None:
    starts = list(Period.MONTH.starts(at(2013, 4, 3), at(2013, 5, 19)))
    assert starts == [at(2013, 4, 1), at(2013, 5, 1)]


def test_quarter_range() -> None:
    starts = list(Period.QUARTER.starts(at(2012, 10, 1), at(2013, 12, 30)))
    assert starts == [
        at(2012, 10, 1),
        at(2013, 1, 1),
        at(2013, 4, 1),
        at(2013, 7, 1),
        at(2013, 10, 1),
    ]


def test_five_hour_range_gives_five_buckets() -> None:
    starts = list(Period.HOUR.starts(at(2013, 4, 1, 10), at(2013, 4, 1, 15)))
    assert starts == [at(2013, 4, 1, hour) for hour in range(10, 15)]


def test_range_of_a_partial_hour_range() -> None:
    starts = list(Period.HOUR.starts(at(2013, 4, 1, 10, 30), at(2013, 4, 1, 12, 5)))
    assert starts == [at(2013, 4, 1, 10), at(2013, 4, 1, 11), at(2013, 4, 1, 12)]


def test_month_range_from_the_31st_keeps_the_first_of_each_month() -> None:
    starts = list(Period.MONTH.starts(at(2013, 1, 31), at(2013, 4, 1)))
    assert starts == [at(2013, 1, 1), at(2013, 2, 1), at(2013, 3, 1)]


def test_empty_range() -> None:
    assert list(Period.DAY.starts(at(2013, 4, 3), at(2013, 4, 3))) == []


# -- names, keys, zones, record keys -----------------------------------------------------------


def test_names_and_keys() -> None:
    assert PERIOD_NAMES == ("hour", "day", "week", "month", "quarter", "year")
    assert Period.named("week") is Period.WEEK
    assert Period.named("fortnight") is None
    assert Period.WEEK.key == "_week_start_at"


def test_other_zones_are_converted_to_utc_first() -> None:
    # Monday 2013-04-08 01:00 at +02:00 is Sunday 23:00 UTC: the week of 2013-04-01
    moment = datetime(2013, 4, 8, 1, 0, tzinfo=timezone(timedelta(hours=2)))
    assert Period.WEEK.start(moment) == at(2013, 4, 1)
    assert Period.WEEK.start(moment).utcoffset() == timedelta(0)


def test_naive_datetimes_are_taken_as_utc() -> None:
    assert Period.DAY.start(datetime(2013, 4, 8, 13)) == at(2013, 4, 8)


def test_record_period_keys() -> None:
    # spec 3.5 example
    assert period_starts(at(2012, 12, 12, 12, 12)) == {
        "_hour_start_at": at(2012, 12, 12, 12),
        "_day_start_at": at(2012, 12, 12),
        "_week_start_at": at(2012, 12, 10),
        "_month_start_at": at(2012, 12, 1),
        "_quarter_start_at": at(2012, 10, 1),
        "_year_start_at": at(2012, 1, 1),
    }
