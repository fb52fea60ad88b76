"""Records and queries as the write and read paths hand them to storage."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from backdrop.core.timeutils import parse_lenient


def at(text: str) -> datetime:
    """An aware UTC datetime from ISO text (`2014-01-06` or `2014-01-06T10:00:00Z`)."""
    return parse_lenient(text).astimezone(UTC)


def rec(timestamp: str | None = None, **fields: Any) -> dict[str, Any]:
    """A record as `prepare_records` leaves it: `_timestamp` parsed (storage derives the
    period keys)."""
    record: dict[str, Any] = dict(fields)
    if timestamp is not None:
        record["_timestamp"] = at(timestamp)
    return record
