"""Records <-> table rows: typed datetime columns beside one JSONB document.

MongoDB keeps datetimes as BSON dates with millisecond precision and gives them back aware UTC;
so do we: the datetime fields a record may carry (`DATE_COLUMNS`) are `timestamptz` columns,
truncated to the millisecond on the way in. Any other datetime value (none comes through the
write API) is kept inside the JSONB as `{"$date": "<ISO 8601>"}` and turned back on the way out.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import orjson
from bson import ObjectId
from psycopg.types.json import Jsonb

from backdrop.core.periods import Period

DATE_COLUMNS: tuple[str, ...] = (
    "_timestamp",
    "_updated_at",
    "_start_at",
    "_end_at",
    *(period.key for period in Period),
)
_DATE_TAG = "$date"
_DATE_MARK = b'"$date"'


def to_millis(moment: datetime) -> datetime:
    """Aware UTC, truncated to the millisecond as a BSON date would be."""
    if moment.tzinfo is UTC and not moment.microsecond % 1000:
        return moment  # the common case (period starts, whole-second timestamps): as it is
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=moment.microsecond // 1000 * 1000)


def dumps(value: Any) -> str:
    """JSON text for a JSONB parameter; datetimes tagged, integers of any size kept."""
    try:
        return orjson.dumps(value, default=_tag).decode()
    except TypeError:  # integers beyond 64 bits
        return json.dumps(value, default=_tag, separators=(",", ":"))


def loads(data: bytes | bytearray | memoryview | str) -> Any:
    """JSONB text to Python, datetimes restored (the check is one substring search)."""
    value = orjson.loads(data)
    raw = data.encode() if isinstance(data, str) else bytes(data)
    return _untag(value) if _DATE_MARK in raw else value


def _tag(value: Any) -> Any:
    if isinstance(value, datetime):
        return {_DATE_TAG: to_millis(value).isoformat()}
    return str(value)  # bson ObjectId and other scalar ids from a copied database


def _untag(value: Any) -> Any:
    if isinstance(value, dict):
        if len(value) == 1 and _DATE_TAG in value:
            return datetime.fromisoformat(value[_DATE_TAG])
        return {key: _untag(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_untag(item) for item in value]
    return value


def new_id() -> str:
    """The `_id` of a record saved without one: an ObjectId's 24 hex digits, as MongoDB's are
    rendered, so both engines answer alike and ids made later sort later (sort ties follow
    insertion order, as they do on MongoDB)."""
    return str(ObjectId())


_DATE_INDEX = {name: index for index, name in enumerate(DATE_COLUMNS)}
_UPDATED_AT = _DATE_INDEX["_updated_at"]


def split(record: Mapping[str, Any], updated_at: datetime | None = None) -> tuple[Any, ...]:
    """One record as its row: `_id`, the `DATE_COLUMNS` values, the JSONB of the rest;
    `updated_at`, when given, stamps `_updated_at`."""
    dates: list[datetime | None] = [None] * len(DATE_COLUMNS)
    rest: dict[str, Any] = {}
    record_id = None
    for key, value in record.items():
        index = _DATE_INDEX.get(key)
        if index is not None and isinstance(value, datetime):
            dates[index] = to_millis(value)
        elif key == "_id":
            record_id = value
        else:
            rest[key] = value
    if updated_at is not None:
        dates[_UPDATED_AT] = updated_at
    record_id = new_id() if record_id is None else str(record_id)
    return (record_id, *dates, Jsonb(rest, dumps=dumps))


def rows(
    records: Iterable[Mapping[str, Any]], updated_at: datetime | None = None
) -> list[tuple[Any, ...]]:
    """Records as table rows for one batch upsert (see `split`).

    A batch holding one `_id` several times keeps the last record in the first one's place,
    as an ordered series of upserts would (spec 3.6).
    """
    by_id: dict[str, tuple[Any, ...]] = {}
    for record in records:
        row = split(record, updated_at)
        by_id[row[0]] = row
    return list(by_id.values())


def join(row: Sequence[Any]) -> dict[str, Any]:
    """A row (`id`, the `DATE_COLUMNS`, the loaded JSONB) back to the stored record."""
    record: dict[str, Any] = {"_id": row[0]}
    for name, value in zip(DATE_COLUMNS, row[1:-1], strict=True):
        if value is not None:
            record[name] = value
    record.update(row[-1])
    return record
