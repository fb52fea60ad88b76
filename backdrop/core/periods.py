"""Period arithmetic in UTC: hour, day, week (Monday), month, quarter, year (spec 2.6).

The one home of calendar rules; storage engines, records and query shaping all call it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from enum import Enum

from dateutil.relativedelta import relativedelta

from backdrop.core.timeutils import as_utc


class Period(Enum):
    """A bucket size: `value` is its name (`week`), `key` its record field (`_week_start_at`)."""

    HOUR = "hour"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"

    @classmethod
    def named(cls, name: str) -> Period | None:
        """The period called `name`, or None when there is no such period."""
        return _BY_NAME.get(name)

    @property
    def key(self) -> str:
        """The derived record field holding a record's bucket start, e.g. `_week_start_at`."""
        return f"_{self.value}_start_at"

    @property
    def length(self) -> relativedelta:
        """One period, calendar-aware (months and quarters differ in days)."""
        return _LENGTHS[self]

    def start(self, moment: datetime) -> datetime:
        """The start of the period that contains `moment` (aware UTC)."""
        moment = as_utc(moment)
        hour = moment.replace(minute=0, second=0, microsecond=0)
        if self is Period.HOUR:
            return hour
        day = hour.replace(hour=0)
        if self is Period.DAY:
            return day
        if self is Period.WEEK:
            return day - timedelta(days=day.weekday())
        if self is Period.MONTH:
            return day.replace(day=1)
        if self is Period.QUARTER:
            return day.replace(day=1, month=(day.month - 1) // 3 * 3 + 1)
        return day.replace(day=1, month=1)

    def is_boundary(self, moment: datetime) -> bool:
        """True when `moment` is exactly a period start."""
        return self.start(moment) == as_utc(moment)

    def end(self, moment: datetime) -> datetime:
        """`moment` itself when it is a boundary, else the start of the next period."""
        if self.is_boundary(moment):
            return as_utc(moment)
        return self.start(as_utc(moment) + self.length)

    def shift(self, moment: datetime, periods: int) -> datetime:
        """`moment` moved by a whole number of periods (negative: backwards)."""
        return as_utc(moment) + self.length * periods

    def starts(self, start: datetime, end: datetime) -> Iterator[datetime]:
        """Every period start in range(start, end): from start(start) while before end(end).

        These are the buckets gap filling emits, empty ones included.
        """
        stop = self.end(end)
        current = self.start(start)
        index = 0
        while current < stop:
            yield current
            index += 1
            current = self.shift(self.start(start), index)


_BY_NAME = {period.value: period for period in Period}
PERIOD_NAMES: tuple[str, ...] = tuple(_BY_NAME)
_LENGTHS = {
    Period.HOUR: relativedelta(hours=1),
    Period.DAY: relativedelta(days=1),
    Period.WEEK: relativedelta(weeks=1),
    Period.MONTH: relativedelta(months=1),
    Period.QUARTER: relativedelta(months=3),
    Period.YEAR: relativedelta(years=1),
}


def period_starts(moment: datetime) -> dict[str, datetime]:
    """Every derived `_<period>_start_at` key for a record timestamp (spec 3.5)."""
    return {period.key: period.start(moment) for period in Period}
