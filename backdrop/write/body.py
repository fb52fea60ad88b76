"""Reading a request body (spec 1.2, 3.8): the body cap, gzip with an inflation cap, JSON, and
a nesting limit, all before anything else looks at the body.

A plain body over the cap never gets read: the app's MAX_CONTENT_LENGTH (set from Limits) makes
Werkzeug refuse it from its Content-Length, or stop reading a chunked one at the cap.
"""

from __future__ import annotations

import gzip
import io
import zlib
from typing import Any, Final

import orjson
from flask import Request

from backdrop.core.errors import RequestInvalid
from backdrop.core.limits import Limits, nesting_exceeds
from backdrop.web.context import services
from backdrop.web.errors import body_too_large


class NotJson:
    """Marks a body sent without a JSON media type; each route words its own 400."""


NOT_JSON: Final = NotJson()


def read_body(request: Request) -> Any:
    """The decoded JSON body, or NOT_JSON when the media type is not JSON.

    Raises RequestInvalid for an empty body, bad gzip, malformed or too deeply nested JSON, and
    PayloadTooLarge when a body is over the cap, plain or once inflated (spec 3.8: 10 MiB).
    """
    limits = services().settings.limits
    raw = request.get_data(cache=False)
    if "gzip" in request.headers.get("Content-Encoding", "").lower():
        raw = _gunzip(raw, limits)
    if not raw:
        raise RequestInvalid("Expected JSON request body but received zero bytes.")
    if not request.is_json:
        return NOT_JSON
    try:
        payload = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise RequestInvalid(f'Error parsing JSON: "{exc}"') from exc
    if nesting_exceeds(payload, limits.max_depth):
        raise RequestInvalid(f"The JSON body is nested more than {limits.max_depth} levels deep")
    return payload


def _gunzip(raw: bytes, limits: Limits) -> bytes:
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(raw)) as inflating:
            inflated = inflating.read(limits.max_body_bytes + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise RequestInvalid("Could not decompress the gzip request body") from exc
    if len(inflated) > limits.max_body_bytes:
        raise body_too_large(limits.max_body_bytes)
    return inflated
