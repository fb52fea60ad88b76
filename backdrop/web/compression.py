"""Compressed answers for clients that send `Accept-Encoding: gzip` (flask-compress).

Query answers run to megabytes of repetitive JSON or CSV; gzip makes them a tenth of that.
Only gzip is offered (every client has it). flask-compress adds `Vary: Accept-Encoding` and
gives a compressed answer its own strong ETag (`"<sha1>:gzip"`, RFC 9110: a different
representation), answering `If-None-Match` on it with a 304 as the plain ETag is.
"""

from __future__ import annotations

from flask import Flask
from flask_compress import Compress

COMPRESSED_TYPES = [
    "application/json",
    "text/csv",
    "text/plain",
    "text/html",
    "text/css",
    "text/javascript",
    "application/javascript",
]


def init_compression(app: Flask) -> None:
    """Install the after-request hook; call it first so it runs after every other hook."""
    app.config.update(
        COMPRESS_ALGORITHM=["gzip"],
        COMPRESS_MIMETYPES=COMPRESSED_TYPES,
        COMPRESS_MIN_SIZE=500,
        COMPRESS_STREAMS=False,
    )
    Compress(app)
