"""Record validation and normalisation: the write pipeline of spec 3.2.

Every check collects its messages in the spec's order; a request with any message stores nothing.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from backdrop.core.data_set_config import DataSetConfig
from backdrop.core.errors import RecordsInvalid, RequestInvalid
from backdrop.core.limits import MAX_ID_BYTES, MAX_INTEGER, MAX_KEY_LENGTH, MIN_INTEGER
from backdrop.core.schema import schema_messages
from backdrop.core.timeutils import ImpossibleDate, NotADate, parse_lenient

Record = dict[str, Any]

RESERVED_KEYS = frozenset({"_timestamp", "_start_at", "_end_at", "_id"})  # spec 3.3
TIME_KEYS = ("_timestamp", "_start_at", "_end_at")
_VALID_KEY = re.compile(r"[a-z_][a-z0-9_]+")  # fullmatch: `$` would accept a trailing newline
_WHITESPACE = re.compile(r"\s")
_VALUE_TYPES = (str, int, float, bool, type(None), datetime)


def is_valid_key(key: object) -> bool:
    """Field names everywhere (spec 2.3 "valid key"): case-insensitive `^[a-z_][a-z0-9_]+$`,
    at most MAX_KEY_LENGTH characters."""
    return (
        isinstance(key, str)
        and len(key) <= MAX_KEY_LENGTH
        and _VALID_KEY.fullmatch(key.lower()) is not None
    )


def prepare_records(payload: object, config: DataSetConfig) -> list[Record]:
    """Validate and normalise one request's records, ready to save (spec 3.2). The derived
    `_<period>_start_at` keys (spec 3.5) are the storage engine's to add, each its own way.

    Raises RequestInvalid when the body is not an object or a list of objects, and
    RecordsInvalid with every message when any record is unacceptable.
    """
    received = _as_records(payload)
    messages: list[str] = []
    if config.schema is not None:
        messages += schema_messages(config.schema, received)
    records = [dict(record) for record in received]
    if config.auto_ids:
        messages += _add_auto_ids(records, config.auto_ids)
    messages += [msg for record in records if (msg := _parse_timestamps(record))]
    valid_keys: set[str] = set()  # a request's records mostly share their keys: check each once
    messages += [msg for record in records if (msg := _record_problem(record, valid_keys))]
    if messages:
        raise RecordsInvalid(messages)
    return records


def timestamp_bounds(records: Sequence[Mapping[str, Any]]) -> tuple[datetime, datetime] | None:
    """Earliest and latest `_timestamp` of a batch, ignoring records without one (spec 10 #1)."""
    stamps = [record["_timestamp"] for record in records if "_timestamp" in record]
    return (min(stamps), max(stamps)) if stamps else None


def auto_id(record: Mapping[str, Any], fields: Sequence[str]) -> str:
    """Base64 of the listed values joined by `.`, as Python 2 `str()` wrote them (spec 3.4)."""
    joined = ".".join(_py2_str(record[name]) for name in fields)
    return base64.b64encode(joined.encode("utf-8")).decode("ascii")


def _as_records(payload: object) -> list[Mapping[str, Any]]:
    items: list[object] = payload if isinstance(payload, list) else [payload]
    records: list[Mapping[str, Any]] = [item for item in items if isinstance(item, dict)]
    if len(records) != len(items):
        raise RequestInvalid("Expected a JSON object or a list of JSON objects")
    return records


def _add_auto_ids(records: list[Record], fields: Sequence[str]) -> list[str]:
    for record in records:
        missing = [name for name in fields if name not in record]
        if missing:
            return [f"The following required id fields are missing: {', '.join(missing)}"]
        record["_id"] = auto_id(record, fields)
    return []


def _parse_timestamps(record: Record) -> str | None:
    """Parse the time keys in place; the message of the last failing one (spec 3.2 step 3)."""
    problem = None
    for key in TIME_KEYS:
        if key not in record:
            continue
        value = record[key]
        try:
            record[key] = parse_lenient(value)
        except NotADate:
            prefix = "the " if key == "_timestamp" else ""
            problem = f"{prefix}{key} must be a date in the format yyyy-MM-ddT00:00:00Z"
        except ImpossibleDate:
            problem = f"{value} in the {key} field is not a valid date"
    return problem


def _record_problem(record: Mapping[str, Any], valid_keys: set[str]) -> str | None:
    """The first problem with a record's keys and values (spec 3.3), or None. `valid_keys`
    holds keys already found acceptable; keys found acceptable here are added to it."""
    for key, value in record.items():
        if key not in valid_keys:
            if not is_valid_key(key):
                return f"{_shown(key)} is not a valid key"
            if key.startswith("_") and key not in RESERVED_KEYS:
                return f"{key} is not a recognised internal field"
            valid_keys.add(key)
        if not isinstance(value, _VALUE_TYPES):
            return f"{key} has an invalid value"
        if key in TIME_KEYS and not isinstance(value, datetime):
            return f"{key} is not a valid datetime object"
        if key == "_id":
            if not isinstance(value, str) or not _is_valid_id(value):
                return f'_id "{_shown(_py2_str(value))}" is not a valid id'
            if len(value.encode("utf-8")) > MAX_ID_BYTES:
                return f"_id is longer than {MAX_ID_BYTES} bytes"
        problem = _unstorable(value)
        if problem:
            return f"{key} {problem}"
    return None


def _is_valid_id(value: str) -> bool:
    return value != "" and not _WHITESPACE.search(value) and "\0" not in value


def _unstorable(value: object) -> str | None:
    """Why a scalar cannot be stored alike on every engine, or None."""
    if isinstance(value, str) and "\0" in value:
        return "contains the NUL character (\\u0000), which cannot be stored"
    if type(value) is int and not MIN_INTEGER <= value <= MAX_INTEGER:
        return f"is outside the range of 64-bit integers ({MIN_INTEGER} to {MAX_INTEGER})"
    return None


def prepare_patch(payload: object) -> Record:
    """The fields of a PATCH body, checked only so far as every engine can store them alike
    (spec 1.2: no record validation, and any JSON value): top-level keys must be valid keys
    (so no dotted paths or operators), and no string or key at any depth may hold NUL, no
    integer may leave 64 bits. `_id` is never changed. Raises RequestInvalid."""
    if not isinstance(payload, dict):
        raise RequestInvalid("Expected a JSON object of the fields to change")
    for key in payload:
        if not is_valid_key(key):
            raise RequestInvalid(f"{_shown(key)} is not a valid key")
    pending: list[tuple[str, object]] = list(payload.items())
    while pending:
        path, value = pending.pop()
        problem = _unstorable(value)
        if problem:
            raise RequestInvalid(f"{_shown(path)} {problem}")
        if isinstance(value, dict):
            for key, item in value.items():
                if "\0" in key:
                    raise RequestInvalid(f"a key in {_shown(path)} contains the NUL character")
                pending.append((f"{path}.{key}", item))
        elif isinstance(value, list):
            pending.extend((f"{path}[{index}]", item) for index, item in enumerate(value))
    return {key: value for key, value in payload.items() if key != "_id"}


def _shown(text: str) -> str:
    """A client's key or id as a message quotes it: whole up to MAX_KEY_LENGTH characters
    (every spec example), else its start, so an error never echoes megabytes."""
    return text if len(text) <= MAX_KEY_LENGTH else text[:64] + "..."


def _py2_str(value: object) -> str:
    if value is None or isinstance(value, bool):
        return repr(value)
    return str(value)
