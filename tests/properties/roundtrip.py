"""What "reads back identical" means for the property tests: the client's fields, value and
type (an int stays an int, -0.0 stays -0.0, nested objects key for key); the time fields as
the same instant at the millisecond."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from backdrop.core.records import TIME_KEYS
from backdrop.core.timeutils import parse_lenient

MILLISECOND = timedelta(milliseconds=1)


def identical(sent: Any, read: Any) -> bool:
    """Same JSON value and type, recursively; floats bit for bit (sign of zero included)."""
    if type(sent) is not type(read):
        return False
    if isinstance(sent, float):
        return sent == read and math.copysign(1, sent) == math.copysign(1, read)
    if isinstance(sent, dict):
        return sent.keys() == read.keys() and all(identical(sent[k], read[k]) for k in sent)
    if isinstance(sent, list):
        return len(sent) == len(read) and all(map(identical, sent, read))
    return bool(sent == read)


def client_fields(record: Mapping[str, Any]) -> dict[str, Any]:
    """The fields a client owns: every key not starting with `_`."""
    return {key: value for key, value in record.items() if not key.startswith("_")}


def same_record(sent: Mapping[str, Any], read: Mapping[str, Any]) -> bool:
    """The read record holds what was sent: client fields identical, `_id` equal when one was
    sent, time keys the same instant (millisecond precision)."""
    if not identical(client_fields(sent), client_fields(read)):
        return False
    if "_id" in sent and read.get("_id") != sent["_id"]:
        return False
    for key in TIME_KEYS:
        if key in sent:
            if key not in read:
                return False
            stored = datetime.fromisoformat(read[key])
            if abs(stored - parse_lenient(sent[key])) >= MILLISECOND:
                return False
    return True


def expected_records(body: Any) -> list[Mapping[str, Any]]:
    """The records a fresh data set holds after an accepted body: one per `_id` (the last
    wins within a batch) plus every record without one."""
    posted = body if isinstance(body, list) else [body]
    by_id: dict[str, Mapping[str, Any]] = {}
    anonymous = []
    for record in posted:
        if "_id" in record:
            by_id.pop(record["_id"], None)
            by_id[record["_id"]] = record
        else:
            anonymous.append(record)
    return [*by_id.values(), *anonymous]


def unmatched(
    expected: Sequence[Mapping[str, Any]], read: Sequence[Mapping[str, Any]]
) -> list[Mapping[str, Any]]:
    """Expected records with no read record holding them (each read record matched once), and
    any read records left over."""
    left = list(read)
    missing: list[Mapping[str, Any]] = []
    for record in expected:
        match = next((r for r in left if same_record(record, r)), None)
        if match is None:
            missing.append(record)
        else:
            left.remove(match)
    return missing + left
