"""Structured logging: one JSON object per line, each carrying the current request id.

Entry points call `configure_logging` once. The request id lives in a context variable, so the
read/write apps, the Stagecraft client and the worker all tag lines without passing it around.
Every line a Backdrop process writes goes through the one formatter: Python warnings, uncaught
exceptions (in any thread) and gunicorn's own lines (`GUNICORN_LOGGING`) included.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
import uuid
from contextvars import ContextVar
from types import TracebackType
from typing import Any
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


ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def withheld_traceback(exc_info: ExcInfo | tuple[None, None, None]) -> str:
    """A traceback with every frame but no exception text: messages of driver and parser
    errors quote the values they choke on (record data), so only the exception's type, and a
    database error's SQLSTATE, are shown. Causes and contexts are followed as Python does."""
    error = exc_info[1]
    if error is None:
        return ""
    chain: list[tuple[BaseException, str]] = []
    seen: set[int] = set()
    link = ""
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        chain.append((error, link))
        if error.__cause__ is not None:
            error, link = error.__cause__, "The above exception was the direct cause of"
        elif error.__context__ is not None and not error.__suppress_context__:
            error, link = error.__context__, "During handling of the above exception,"
        else:
            error = None
    lines: list[str] = []
    for error, link in reversed(chain):
        lines.append("Traceback (most recent call last):\n")
        lines.extend(
            traceback.StackSummary.extract(traceback.walk_tb(error.__traceback__)).format()
        )
        kind = type(error)
        sqlstate = getattr(error, "sqlstate", None)
        lines.append(
            f"{kind.__module__}.{kind.__qualname__}"
            + (f" (SQLSTATE {sqlstate})" if sqlstate else "")
            + " [message withheld]\n"
        )
        if link:
            lines.append(f"\n{link} the following exception:\n\n")
    return "".join(lines)


class _SafeJsonFormatter(JsonFormatter):
    """One JSON object per line, tracebacks without exception texts (`withheld_traceback`)."""

    def formatException(self, ei: ExcInfo | tuple[None, None, None]) -> str:  # noqa: N802
        return withheld_traceback(ei)


def json_formatter() -> logging.Formatter:
    """The formatter of every line: time, level, logger, message and the record's extras."""
    return _SafeJsonFormatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s",
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        json_default=str,
    )


def json_handler() -> logging.Handler:
    """A stderr handler writing JSON lines tagged with the request id."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(json_formatter())
    handler.addFilter(_RequestIdFilter())
    return handler


_uncaught = logging.getLogger("backdrop.uncaught")


def _log_uncaught(
    kind: type[BaseException], error: BaseException, trace: TracebackType | None
) -> None:
    _uncaught.critical("uncaught exception", exc_info=(kind, error, trace))


def _log_uncaught_in_thread(args: threading.ExceptHookArgs) -> None:
    if issubclass(args.exc_type, SystemExit):
        return  # threading's own hook ignores it too
    error = args.exc_value or args.exc_type()
    _uncaught.critical(
        "uncaught exception in thread",
        exc_info=(args.exc_type, error, args.exc_traceback),
        extra={"thread_name": args.thread.name if args.thread else None},
    )


def configure_logging(level: str) -> None:
    """JSON lines on stderr at `level` (LOG_LEVEL); replaces any handlers already installed.

    Python warnings become log lines, and an exception nobody caught (main thread or any
    other) is logged as one JSON line, its text withheld like every traceback's.
    """
    root = logging.getLogger()
    handler = json_handler()
    handler.setLevel(level)  # also for libraries that set their own logger's level (psycopg)
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Loggers that do not propagate and have no handler (billiard's "multiprocessing") end up
    # in logging's last resort: JSON too.
    last_resort = json_handler()
    last_resort.setLevel(logging.WARNING)
    logging.lastResort = last_resort
    logging.captureWarnings(True)
    sys.excepthook = _log_uncaught
    threading.excepthook = _log_uncaught_in_thread


def gunicorn_logging() -> dict[str, Any]:
    """gunicorn's `logconfig_dict` (backdrop/gunicorn_config.py): its own lines (starting,
    booting and stopping workers, timeouts) through the same formatter. Its access lines stay
    off (WARNING): the apps log one line per request themselves; set INFO to have both."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "backdrop.core.logs.json_formatter"}},
        "handlers": {
            "json": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"level": "INFO", "handlers": ["json"]},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["json"], "propagate": False},
            "gunicorn.access": {"level": "WARNING", "handlers": ["json"], "propagate": False},
        },
    }


def redact(url: str) -> str:
    """The URL without credentials, safe to log."""
    parts = urlsplit(url)
    if parts.password is None and parts.username is None:
        return url
    host = parts.hostname or ""
    netloc = f"***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def startup_failure(error: Exception) -> None:
    """Log why a process cannot start (bad settings) as one JSON line, before logging is
    configured from the very settings that failed; the caller re-raises."""
    configure_logging("INFO")
    logging.getLogger("backdrop.startup").critical(
        "cannot start", extra={"error": getattr(error, "message", type(error).__name__)}
    )
