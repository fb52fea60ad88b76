"""Parsing and formatting datetimes. Everything inside Backdrop is aware UTC."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from dateutil import parser as dateutil_parser

# spec 2.3 "valid datetime string": matched at the start of the query parameter.
_QUERY_DATETIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:[+-][0-9]{2}:?[0-9]{2}|Z)"
)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:$|T)")
# Longer text is no date anyone writes; refusing it unparsed bounds the parser's work.
_MAX_DATE_LENGTH = 64
# dateutil messages that mean "this is not a date at all" rather than "impossible values".
_NOT_A_DATE = ("Unknown string format", "String does not contain a date")


class NotADate(ValueError):
    """The text cannot be read as a date at all."""


class ImpossibleDate(ValueError):
    """The text looks like a date but names one that does not exist (e.g. 30 February)."""


def now() -> datetime:
    """The current instant, aware UTC."""
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """Aware UTC for any datetime; naive values are taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def isoformat(moment: datetime) -> str:
    """`YYYY-MM-DDTHH:MM:SS[.ffffff]+00:00` as the original's JSON encoder wrote it (spec 1.3)."""
    return as_utc(moment).isoformat()


def parse_lenient(text: object) -> datetime:
    """Read a record timestamp the way python-dateutil does (spec 3.5), as aware UTC.

    Raises NotADate for non-strings and unreadable text, ImpossibleDate for impossible values,
    including a moment that leaves years 1-9999 once its offset is applied.
    """
    if not isinstance(text, str) or len(text) > _MAX_DATE_LENGTH:
        raise NotADate("not a date string")
    if _ISO_DATE.match(text):  # the common case, ten times faster than dateutil
        try:
            parsed: datetime | None = datetime.fromisoformat(text)
        except ValueError:
            parsed = None
        if parsed is not None:
            return _utc_or_impossible(parsed, text)
    try:
        parsed = dateutil_parser.parse(text)
    except (ValueError, OverflowError) as exc:
        if any(marker in str(exc) for marker in _NOT_A_DATE):
            raise NotADate(text) from exc
        raise ImpossibleDate(text) from exc
    return _utc_or_impossible(parsed, text)


def _utc_or_impossible(moment: datetime, text: str) -> datetime:
    """As UTC; a moment out of range, or with an offset of a day or more (which dateutil
    reads but no datetime can convert), is an impossible date."""
    try:
        return as_utc(moment)
    except (OverflowError, ValueError) as exc:
        raise ImpossibleDate(text) from exc


def parse_query_datetime(text: str) -> datetime | None:
    """A read-query datetime (spec 2.3 rows 3-4) as aware UTC, or None when it is not valid."""
    local = query_local_datetime(text)
    if local is None:
        return None
    try:
        return local.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def query_local_datetime(text: str) -> datetime | None:
    """The datetime as written, in the offset given in the string (spec 2.3 rows 21-24)."""
    if not _QUERY_DATETIME.match(text):
        return None
    try:
        parsed = dateutil_parser.parse(text)
        parsed.utcoffset()
    except (ValueError, OverflowError):
        return None
    return parsed if parsed.tzinfo is not None else None
