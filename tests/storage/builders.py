"""Records and queries as the write and read paths hand them to storage."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from backdrop.core.periods import period_starts
from backdrop.core.timeutils import parse_lenient


def at(text: str) -> datetime:
    """An aware UTC datetime from ISO text (`2014-01-06` or `2014-01-06T10:00:00Z`)."""
    return parse_lenient(text).astimezone(UTC)


def rec(timestamp: str | None = None, **fields: Any) -> dict[str, Any]:
    """A record as `prepare_records` leaves it: `_timestamp` parsed, period keys derived."""
    record: dict[str, Any] = dict(fields)
    if timestamp is not None:
        record["_timestamp"] = at(timestamp)
        record.update(period_starts(record["_timestamp"]))
    return record
