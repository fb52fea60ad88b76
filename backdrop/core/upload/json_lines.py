"""JSON files for `backdrop import`: JSON Lines (one object a line, read as a stream) or one
JSON document (an object, or an array of objects, read whole)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

import orjson

from backdrop.core.errors import UploadInvalid
from backdrop.core.upload.rows import Numbered, RowError

NOT_AN_OBJECT = "Expected a JSON object"
NOT_JSON = "The file is not JSON"


def json_lines(stream: IO[bytes]) -> Iterator[Numbered | RowError]:
    """Each non-blank line as `(line number, object)`, or a RowError when it is not an object."""
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            value = orjson.loads(line)
        except orjson.JSONDecodeError:
            yield RowError(number, NOT_AN_OBJECT)
            continue
        if isinstance(value, dict):
            yield number, value
        else:
            yield RowError(number, NOT_AN_OBJECT)


def json_document(stream: IO[bytes]) -> Iterator[Numbered | RowError]:
    """The object, or each element of the array, numbered from 1."""
    try:
        document = orjson.loads(stream.read())
    except orjson.JSONDecodeError as exc:
        raise UploadInvalid(NOT_JSON) from exc
    items = document if isinstance(document, list) else [document]
    for number, value in enumerate(items, start=1):
        if isinstance(value, dict):
            yield number, value
        else:
            yield RowError(number, NOT_AN_OBJECT)
