"""Records <-> table rows: typed datetime columns beside one JSONB document.

MongoDB keeps datetimes as BSON dates with millisecond precision and gives them back aware UTC;
so do we: the datetime fields a record may carry (`DATE_COLUMNS`) are `timestamptz` columns,
truncated to the millisecond on the way in. Any other datetime value (none comes through the
write API) is kept inside the JSONB as `{"$date": "<ISO 8601>"}` and turned back on the way out.

Whatever JSON a client wrote reads back as written (pinned behaviour 2):
- a client's object that could be read as a tag (one key, `$date` or `$literal`) is stored
  wrapped as `{"$literal": object}`, and unwrapped on the way out;
- JSONB numbers are decimals, which keep a float's fraction (`2.0`) but not an exponent:
  `1e+16` would come back as the integer 10000000000000000. A float from 1e16 up is therefore
  written out in full with a fraction (`10000000000000000.0`), which reads back as a float.
- decimals have no negative zero either: a record field holding -0.0 (anywhere inside it) is
  stored as 0.0, so it sums, sorts and matches as the number it is, and the places of its
  negative zeros go beside it under `$-0:<field>`, a key no field can have (`dumps_fields`).
All of it costs nothing in the common case: JSON without a tag name, an exponent or `-0.0` is
left as it is (a substring search each way).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import orjson
from bson import ObjectId
from psycopg.types.json import Jsonb

from backdrop.core.encoding import has_utf8
from backdrop.core.errors import ValueNotStorable
from backdrop.core.limits import MAX_INTEGER, MIN_INTEGER
from backdrop.core.periods import Period
from backdrop.core.storage.postgres.errors import NOT_STORABLE

DATE_COLUMNS: tuple[str, ...] = (
    "_timestamp",
    "_updated_at",
    "_start_at",
    "_end_at",
    *(period.key for period in Period),
)
_DATE_TAG = "$date"
_LITERAL_TAG = "$literal"
_TAGS = frozenset({_DATE_TAG, _LITERAL_TAG})
_TAG_MARKS = (b'"$date"', b'"$literal"')
_EXPONENT_MARK = b"e+"  # how orjson writes a float from 1e16 up (`1e+16`)
_NEGATIVE_ZERO_MARK = "-0.0"  # how orjson writes negative zero
_NEGATIVE_ZEROS = "$-0:"
_NEGATIVE_ZEROS_MARK = b'"$-0:'
_POSITIONAL_BELOW = 1e16


def to_millis(moment: datetime) -> datetime:
    """Aware UTC, truncated to the millisecond as a BSON date would be."""
    if moment.tzinfo is UTC and not moment.microsecond % 1000:
        return moment  # the common case (period starts, whole-second timestamps): as it is
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=moment.microsecond // 1000 * 1000)


def dumps(value: Any) -> str:
    """JSON text for a JSONB parameter: datetimes tagged, a client's tag-like objects wrapped,
    large floats in positional notation, integers of any size kept (module docstring)."""
    try:
        text = orjson.dumps(value, default=_tag)
    except TypeError:  # integers beyond 64 bits
        text = orjson.dumps(_encoded(value))
    else:
        if _EXPONENT_MARK in text or any(mark in text for mark in _TAG_MARKS):
            text = orjson.dumps(_encoded(value))
    return text.decode()


def loads(data: bytes | bytearray | memoryview | str) -> Any:
    """JSONB text to Python: tags turned back into datetimes and the client's own objects,
    negative zeros put back (the check is a substring search per mark)."""
    value = orjson.loads(data)
    raw = data.encode() if isinstance(data, str) else bytes(data)
    if any(mark in raw for mark in _TAG_MARKS):
        value = _decoded(value)
    if _NEGATIVE_ZEROS_MARK in raw and isinstance(value, dict):
        value = _restore_negative_zeros(value)
    return value


def dumps_fields(fields: Mapping[str, Any]) -> str:
    """`dumps` of a record's fields (or a PATCH's), with the places of negative zeros kept
    beside each field that holds any (module docstring)."""
    text = dumps(fields)
    if _NEGATIVE_ZERO_MARK not in text:
        return text
    marked = dict(fields)
    for name, value in fields.items():
        places = list(_negative_zeros(value, ()))
        if places:
            marked[negative_zeros_key(name)] = places
    return dumps(marked)


def negative_zeros_key(name: str) -> str:
    """Where the places of the negative zeros in field `name` are kept."""
    return _NEGATIVE_ZEROS + name


def _negative_zeros(value: Any, place: tuple[str | int, ...]) -> Iterator[list[str | int]]:
    if isinstance(value, float):
        if value == 0 and math.copysign(1, value) < 0:
            yield list(place)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _negative_zeros(item, (*place, key))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _negative_zeros(item, (*place, index))


def _restore_negative_zeros(record: dict[str, Any]) -> dict[str, Any]:
    """Put back the negative zeros `dumps_fields` noted (a place that no longer holds a zero,
    which cannot happen, is left alone)."""
    for key in [key for key in record if key.startswith(_NEGATIVE_ZEROS)]:
        places = record.pop(key)
        name = key[len(_NEGATIVE_ZEROS) :]
        for place in places if name in record else ():
            holder: Any = record
            path = [name, *place]
            for step in path[:-1]:
                holder = holder[step]
            if holder[path[-1]] == 0:
                holder[path[-1]] = -0.0
    return record


def storable(text: str) -> bool:
    """Can PostgreSQL hold this string? Not with NUL, nor with unpaired surrogates (they have
    no UTF-8). A lookup of such a string can only find nothing."""
    return "\0" not in text and has_utf8(text)


def _tag(value: Any) -> Any:
    if isinstance(value, datetime):
        return {_DATE_TAG: to_millis(value).isoformat()}
    return str(value)  # bson ObjectId and other scalar ids from a copied database


def _positional(number: float) -> orjson.Fragment:
    """A float as JSON number text without an exponent, with a fraction: the shortest digits
    that read back as the same float (`repr`), written out in full."""
    text = format(Decimal(repr(number)), "f")
    return orjson.Fragment(text if "." in text else text + ".0")


def _encoded(value: Any) -> Any:
    """`value` ready for orjson with the module's rules applied all the way down. Raises
    UnicodeEncodeError for a string with unpaired surrogates (no UTF-8 exists for it)."""
    if isinstance(value, str):
        value.encode("utf-8")
        return value
    if isinstance(value, dict):
        encoded = {_encoded(key): _encoded(item) for key, item in value.items()}
        if len(value) == 1 and next(iter(value)) in _TAGS:
            return {_LITERAL_TAG: encoded}
        return encoded
    if isinstance(value, list | tuple):
        return [_encoded(item) for item in value]
    if isinstance(value, float):
        if abs(value) < _POSITIONAL_BELOW or not math.isfinite(value):
            return value  # orjson writes these without an exponent (or as null)
        return _positional(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value if MIN_INTEGER <= value <= MAX_INTEGER else orjson.Fragment(str(value))
    if isinstance(value, datetime):
        return _tag(value)
    return value


def _decoded(value: Any) -> Any:
    """The stored JSON back as written: `$literal` unwrapped, `$date` tags as datetimes (an
    object stored before tags were escaped, whose `$date` is no date, stays as it is)."""
    if isinstance(value, dict):
        if len(value) == 1:
            [(key, item)] = value.items()
            if key == _LITERAL_TAG and isinstance(item, dict):
                return {name: _decoded(inner) for name, inner in item.items()}
            if key == _DATE_TAG and isinstance(item, str):
                try:
                    return datetime.fromisoformat(item)
                except ValueError:
                    return value
        return {key: _decoded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_decoded(item) for item in value]
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
    `updated_at`, when given, stamps `_updated_at`. Raises ValueNotStorable for text with
    unpaired surrogates (no UTF-8 exists for it)."""
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
    try:  # here rather than in the COPY, which would log the failure with its text
        record_id.encode("utf-8")
        document = dumps_fields(rest)
    except UnicodeEncodeError as exc:
        raise ValueNotStorable(NOT_STORABLE) from exc
    return (record_id, *dates, Jsonb(document, dumps=_dumped))


def _dumped(text: str) -> str:
    """The JSON text `split` made already."""
    return text


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
