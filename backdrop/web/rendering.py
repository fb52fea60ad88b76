"""JSON bodies as the original's encoder wrote them (spec 1.3), compact and fast.

Keys sorted, datetimes in UTC `isoformat()`, ObjectIds as hex strings. Pretty-printing is not
part of the contract, so every body is compact.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Response

from backdrop.core.encoding import dumps

__all__ = ["dumps", "json_response"]


def json_response(
    value: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    """A JSON response with the given status and headers."""
    return Response(dumps(value), status=status, headers=headers, mimetype="application/json")
