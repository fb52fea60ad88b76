"""How Backdrop writes answers and records as text: JSON as the original's encoder wrote it
(spec 1.3) and CSV as its `format=csv` did (spec 2.8). The read app's bodies and
`backdrop export` share them."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, TextIO

import orjson

from backdrop.core.timeutils import isoformat

_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return isoformat(value)
    return str(value)  # bson ObjectId and other scalar ids


def _encoded(value: Any) -> tuple[bytes, bool]:
    """The JSON bytes, and whether orjson wrote them: it refuses integers beyond 64 bits, which
    json writes (and then only json reads back exactly: orjson would read them as floats)."""
    try:
        return orjson.dumps(value, default=_default, option=_OPTIONS), True
    except TypeError:
        text = json.dumps(value, default=_default, sort_keys=True, separators=(",", ":"))
        return text.encode(), False


def dumps(value: Any) -> bytes:
    """Compact, key-sorted JSON bytes; datetimes in UTC `isoformat()`, ObjectIds as hex."""
    return _encoded(value)[0]


def as_json(value: Any) -> Any:
    """The value as a client decoding `dumps(value)` sees it: plain JSON types, datetimes as
    UTC ISO strings, ids as strings, integers of any size kept."""
    text, by_orjson = _encoded(value)
    return orjson.loads(text) if by_orjson else json.loads(text)


def has_utf8(text: str) -> bool:
    """Has this text a UTF-8 form? Not with a lone surrogate, which JSON (`"\\ud800"`) and URLs
    can carry and no database can store."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def csv_text(value: Any) -> str:
    """A CSV cell: Python's `str()` of the value, null as empty (spec 2.8)."""
    if value is None:
        return ""
    return str(value)


def csv_header(rows: Iterable[Mapping[str, Any]]) -> list[str]:
    """The sorted union of the rows' keys (spec 2.8)."""
    return sorted({key for row in rows for key in row})


def write_csv(rows: Iterable[Mapping[str, Any]], header: Sequence[str], out: TextIO) -> int:
    """The header line, then each non-empty row in header order (CRLF line ends); how many rows
    were written."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    written = 0
    for row in rows:
        if row:
            writer.writerow([csv_text(row.get(key)) for key in header])
            written += 1
    return written
