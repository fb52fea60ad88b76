"""Structured logging: one JSON object per line, each carrying the current request id.

Entry points call `configure_logging` once. The request id lives in a context variable, so the
read/write apps, the Stagecraft client and the worker all tag lines without passing it around.
"""

from __future__ import annotations

import logging
import sys
import uuid
from contextvars import ContextVar
from urllib.parse import urlsplit, urlunsplit

from pythonjsonlogger.json import JsonFormatter

_request_id: ContextVar[str | None] = ContextVar("backdrop_request_id", default=None)


def current_request_id() -> str | None:
    """The id of the request (or task) being handled, if any."""
    return _request_id.get()


def set_request_id(value: str | None) -> str:
    """Bind the incoming id (or a new uuid when none was sent) to the current context."""
    request_id = value or uuid.uuid4().hex
    _request_id.set(request_id)
    return request_id


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        request_id = _request_id.get()
        if request_id is not None and not hasattr(record, "request_id"):
            record.request_id = request_id
        return True


def configure_logging(level: str) -> None:
    """JSON lines on stderr at `level` (LOG_LEVEL); replaces any handlers already installed."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            json_default=str,
        )
    )
    handler.addFilter(_RequestIdFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def redact(url: str) -> str:
    """The URL without credentials, safe to log."""
    parts = urlsplit(url)
    if parts.password is None and parts.username is None:
        return url
    host = parts.hostname or ""
    netloc = f"***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))
