"""Period arithmetic in UTC: hour, day, week (Monday), month, quarter, year (spec 2.6).

The one home of calendar rules; storage engines, records and query shaping all call it.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Iterator
from datetime import datetime, timedelta
from enum import Enum

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

    def start(self, moment: datetime) -> datetime:
        """The start of the period that contains `moment` (aware UTC)."""
        return _starts(moment)[_INDEX[self]]

    def is_boundary(self, moment: datetime) -> bool:
        """True when `moment` is exactly a period start."""
        return self.start(moment) == as_utc(moment)

    def end(self, moment: datetime) -> datetime:
        """`moment` itself when it is a boundary, else the start of the next period."""
        if self.is_boundary(moment):
            return as_utc(moment)
        return self.start(self.shift(moment, 1))

    def shift(self, moment: datetime, periods: int) -> datetime:
        """`moment` moved by a whole number of periods (negative: backwards); by calendar months
        for month, quarter and year, the day clamped to the target month's length."""
        moment = as_utc(moment)
        fixed = _FIXED.get(self)
        if fixed is not None:
            return moment + fixed * periods
        months = moment.month - 1 + _MONTHS[self] * periods
        year, month = moment.year + months // 12, months % 12 + 1
        day = moment.day if moment.day <= 28 else min(moment.day, monthrange(year, month)[1])
        return moment.replace(year=year, month=month, day=day)

    def count(self, start: datetime, end: datetime) -> int:
        """How many periods `starts(start, end)` yields, by arithmetic (no iteration), so a
        range can be priced before any of its buckets is made."""
        first, stop = self.start(start), self.end(end)
        if stop <= first:
            return 0
        fixed = _FIXED.get(self)
        if fixed is not None:
            return -(-(stop - first) // fixed)
        months = (stop.year - first.year) * 12 + stop.month - first.month
        return -(-months // _MONTHS[self])

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
_FIXED = {
    Period.HOUR: timedelta(hours=1),
    Period.DAY: timedelta(days=1),
    Period.WEEK: timedelta(weeks=1),
}
_MONTHS = {Period.MONTH: 1, Period.QUARTER: 3, Period.YEAR: 12}


def _starts(moment: datetime) -> tuple[datetime, ...]:
    """Every period's start for `moment`, in Period order, computed together (records need all)."""
    hour = as_utc(moment).replace(minute=0, second=0, microsecond=0)
    day = hour.replace(hour=0)
    month = day.replace(day=1)
    week = day - timedelta(days=day.weekday())
    quarter = month.replace(month=(month.month - 1) // 3 * 3 + 1)
    return (hour, day, week, month, quarter, month.replace(month=1))


_INDEX = {period: index for index, period in enumerate(Period)}
_KEYS = tuple(period.key for period in Period)


def period_starts(moment: datetime) -> dict[str, datetime]:
    """Every derived `_<period>_start_at` key for a record timestamp (spec 3.5)."""
    return dict(zip(_KEYS, _starts(moment), strict=True))
