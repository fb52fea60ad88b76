"""JSON bodies as the original's encoder wrote them (spec 1.3), compact and fast.

Keys sorted, datetimes in UTC `isoformat()`, ObjectIds as hex strings. Pretty-printing is not
part of the contract, so every body is compact.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import orjson
from flask import Response

from backdrop.core.timeutils import isoformat

_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return isoformat(value)
    return str(value)  # bson ObjectId and other scalar ids


def dumps(value: Any) -> bytes:
    """Compact, key-sorted JSON bytes."""
    try:
        return orjson.dumps(value, default=_default, option=_OPTIONS)
    except TypeError:  # integers beyond 64 bits: orjson refuses them, json does not
        return json.dumps(value, default=_default, sort_keys=True, separators=(",", ":")).encode()


def json_response(value: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A JSON response with the given status and headers."""
    return Response(dumps(value), status=status, headers=headers, mimetype="application/json")
