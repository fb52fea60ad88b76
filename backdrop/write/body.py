"""Reading a request body (spec 1.2, 3.8): gzip with an inflation cap, then JSON."""

from __future__ import annotations

import gzip
import io
import zlib
from typing import Any, Final

import orjson
from flask import Request

from backdrop.core.errors import PayloadTooLarge, RequestInvalid

MAX_INFLATED_BYTES: Final = 10 * 1024 * 1024  # spec 3.8: 10 MiB decompressed


class NotJson:
    """Marks a body sent without a JSON media type; each route words its own 400."""


NOT_JSON: Final = NotJson()


def read_body(request: Request) -> Any:
    """The decoded JSON body, or NOT_JSON when the media type is not JSON.

    Raises RequestInvalid for an empty body, bad gzip or malformed JSON, and PayloadTooLarge
    when a gzip body inflates past 10 MiB.
    """
    raw = request.get_data(cache=False)
    if "gzip" in request.headers.get("Content-Encoding", "").lower():
        raw = _gunzip(raw)
    if not raw:
        raise RequestInvalid("Expected JSON request body but received zero bytes.")
    if not request.is_json:
        return NOT_JSON
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise RequestInvalid(f'Error parsing JSON: "{exc}"') from exc


def _gunzip(raw: bytes) -> bytes:
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(raw)) as inflating:
            inflated = inflating.read(MAX_INFLATED_BYTES + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise RequestInvalid("Could not decompress the gzip request body") from exc
    if len(inflated) > MAX_INFLATED_BYTES:
        raise PayloadTooLarge(f"The request body inflates to more than {MAX_INFLATED_BYTES} bytes")
    return inflated
