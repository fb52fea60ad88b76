"""Reading a request body (spec 1.2, 3.8): the body cap, gzip with an inflation cap, JSON, and
a nesting limit, all before anything else looks at the body.

A plain body over the cap never gets read: the app's MAX_CONTENT_LENGTH (set from Limits) makes
Werkzeug refuse it from its Content-Length, or stop reading a chunked one at the cap (which is
then refused too, never parsed cut short).
"""

from __future__ import annotations

import gzip
import io
import re
import zlib
from typing import Any

import orjson
from flask import Request

from backdrop.core.errors import RecordsInvalid, RequestInvalid, quoted
from backdrop.core.limits import MAX_INTEGER, MIN_INTEGER, Limits, nesting_exceeds
from backdrop.web.context import services
from backdrop.web.errors import body_too_large

# The original's message for a body sent without a JSON media type: the Python repr of its
# exception, which clients match (spec 1.2); `detail` says it plainly.
NOT_JSON_MESSAGE = "ValidationError('Expected header: Content-type: application/json',)"
GZIP_MAGIC = b"\x1f\x8b"
GZIP_HINT = (
    "The body looks gzip-compressed but the request has no `Content-Encoding: gzip` header: "
    "add the header, or send the JSON uncompressed"
)

INTEGER_OUT_OF_RANGE = (
    f"The JSON body holds an integer outside the range of 64-bit integers ({MIN_INTEGER} to "
    f"{MAX_INTEGER})"
)
# orjson reads an integer literal beyond 64 bits as a float without a word, so such a literal
# would be stored as a different number. Ones orjson keeps as int are left to the record checks,
# whose messages name the field. The scan is only run when the body holds a run of 19 digits.
_DIGITS = bytes(ord("0") if ord("0") <= byte <= ord("9") else ord(" ") for byte in range(256))
_LONG_RUN = b"0" * 19
# A JSON string (skipped whole, digits and all), or an integer literal of 19+ digits: not the
# fraction or exponent of a number, and not followed by one.
_TOKEN = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|(?<![0-9eE+.\-])(-?[0-9]{19,})(?![0-9.eE])')
_ORJSON_INT_MIN = -(2**63)  # orjson keeps i64 ...
_ORJSON_INT_MAX = 2**64 - 1  # ... and u64 integers as int


def json_body(request: Request, *, records: bool = False) -> Any:
    """The decoded JSON body (see `read_body`); a body without a JSON media type is refused
    with the spec's message, in the record errors' shape when `records`."""
    payload = read_body(request)
    if isinstance(payload, NotJson):
        if records:
            raise RecordsInvalid([NOT_JSON_MESSAGE], detail=payload.detail)
        raise RequestInvalid(NOT_JSON_MESSAGE, detail=payload.detail)
    return payload


class NotJson:
    """A body sent without a JSON media type, and what to do about it."""

    def __init__(self, detail: str) -> None:
        self.detail = detail


def read_body(request: Request) -> Any:
    """The decoded JSON body, or a NotJson when the media type is not JSON.

    Raises RequestInvalid for an empty body, bad gzip, malformed or too deeply nested JSON and
    integers beyond 64 bits, and PayloadTooLarge when a body is over the cap, plain or once
    inflated (spec 3.8: 10 MiB).
    """
    limits = services().settings.limits
    raw = _raw_body(request, limits.max_body_bytes)
    gzipped = "gzip" in request.headers.get("Content-Encoding", "").lower()
    if gzipped:
        raw = _gunzip(raw, limits)
    if not raw:
        raise RequestInvalid("Expected JSON request body but received zero bytes.")
    hint = GZIP_HINT if not gzipped and raw.startswith(GZIP_MAGIC) else None
    if not request.is_json:
        sent = request.mimetype or "no Content-Type"
        return NotJson(
            f"Send the body as JSON with the header `Content-Type: application/json` "
            f"(this request said {quoted(sent)})" + (f". {hint}" if hint else "")
        )
    try:
        payload = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise RequestInvalid(
            f'Error parsing JSON: "{exc}"', detail=hint or "The body is not valid JSON"
        ) from exc
    if _integer_out_of_range(raw):
        raise RequestInvalid(INTEGER_OUT_OF_RANGE)
    if nesting_exceeds(payload, limits.max_depth):
        raise RequestInvalid(f"The JSON body is nested more than {limits.max_depth} levels deep")
    return payload


def _raw_body(request: Request, cap: int) -> bytes:
    """The body as sent, at most `cap` bytes. Werkzeug refuses a Content-Length over the cap,
    but stops reading a chunked body (no Content-Length) at the cap without a word: one that
    filled it is over the cap if the server's stream holds another byte."""
    raw = request.get_data(cache=False)
    if request.content_length is None and len(raw) >= cap and request.environ["wsgi.input"].read(1):
        raise body_too_large(cap)
    return raw


def _integer_out_of_range(raw: bytes) -> bool:
    """Does the (valid JSON) body hold an integer literal that orjson turned into a float?"""
    if raw.translate(_DIGITS).find(_LONG_RUN) < 0:
        return False
    for match in _TOKEN.finditer(raw):
        literal = match[1]
        if literal is None:
            continue
        digits = literal.lstrip(b"-")
        if len(digits) > 20 or not _ORJSON_INT_MIN <= int(literal) <= _ORJSON_INT_MAX:
            return True
    return False


def _gunzip(raw: bytes, limits: Limits) -> bytes:
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(raw)) as inflating:
            inflated = inflating.read(limits.max_body_bytes + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise RequestInvalid("Could not decompress the gzip request body") from exc
    if len(inflated) > limits.max_body_bytes:
        raise body_too_large(limits.max_body_bytes)
    return inflated
