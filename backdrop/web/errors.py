"""Error responses: the one place that turns exceptions into status codes and bodies.

Core raises `BackdropError`s; `status_for` maps them by class (most specific wins). Each app
passes an `ErrorStyle` for the few things the spec words differently on read and write.

Every error body of both apps has one shape: the spec's fields (`status` and `message`, or
`messages`), with the spec's texts unchanged, plus `detail` when there is more to say (what
exactly was wrong and how to fix it) and `request_id` on a 500.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from backdrop.core.errors import (
    BackdropError,
    BadRequest,
    CollectionNotFound,
    ConfigUnavailable,
    DataSetNotFound,
    PayloadTooLarge,
    RecordsInvalid,
    ScannerUnavailable,
    StorageBusy,
    StorageError,
    StorageUnavailable,
    Unauthorized,
    ValueNotStorable,
    ValueTooLarge,
)
from backdrop.core.logs import current_request_id
from backdrop.web.context import services
from backdrop.web.rendering import json_response

logger = logging.getLogger(__name__)

T = TypeVar("T")

STATUS: Mapping[type[BackdropError], int] = {
    DataSetNotFound: 404,
    CollectionNotFound: 404,
    Unauthorized: 401,
    BadRequest: 400,
    PayloadTooLarge: 413,
    ValueNotStorable: 400,
    ValueTooLarge: 413,
    ConfigUnavailable: 503,
    StorageUnavailable: 503,
    StorageBusy: 503,
    ScannerUnavailable: 503,
}
# A 503 tells the client when trying again makes sense.
RETRY_AFTER_SECONDS = "1"
INTERNAL_ERROR = "Internal Server Error"


def most_specific(table: Mapping[type[BackdropError], T], error: BackdropError) -> T | None:
    """The entry of the error's most specific class in `table`; None when no class has one."""
    return next((table[kind] for kind in type(error).__mro__ if kind in table), None)


def status_for(error: BackdropError) -> int:
    """The status of the most specific mapped class; unmapped errors are 500s."""
    return most_specific(STATUS, error) or 500


@dataclass(frozen=True, slots=True)
class ErrorStyle:
    """How one app words and decorates its error responses (spec 1.3)."""

    http_error_message: Callable[[HTTPException], str]
    # The app's own message for some errors instead of the one core gave (most specific wins).
    messages: Mapping[type[BackdropError], str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    # Added to errors the original returned from its handlers ({"messages": ...} bodies).
    returned_headers: Mapping[str, str] = field(default_factory=dict)


def _error_body(message: str, detail: str | None = None) -> dict[str, str]:
    body = {"status": "error", "message": message}
    if detail:
        body["detail"] = detail
    return body


def _routing_detail(error: HTTPException, allowed: list[str] | None) -> str | None:
    """What a client needs after a routing 404 or 405: where the routes are described."""
    path = request.path if len(request.path) <= 200 else request.path[:200] + "..."
    if error.code == 404:
        return f"No route matches {path}; this app's routes are described at /docs"
    if error.code == 405 and allowed:
        return f"{request.method} is not allowed on {path}; allowed: {', '.join(allowed)}"
    return None


def _log_safe_reason(error: BackdropError, message: str) -> str:
    """The rejection reason for the log: never a token (401 messages echo it), never record
    data (record messages quote the values sent)."""
    if isinstance(error, Unauthorized):
        return "unauthorized"
    if isinstance(error, RecordsInvalid):
        return f"{len(error.messages)} record errors"
    return message


def register_error_handlers(app: Flask, style: ErrorStyle) -> None:
    """Install the three handlers; nothing else builds an error body."""

    @app.errorhandler(BackdropError)
    def _backdrop_error(error: BackdropError) -> Response:
        if isinstance(error, StorageError):
            services().metrics.database_error(error)
        status = status_for(error)
        if status == 500:
            return _internal_error(error)
        headers = dict(style.headers)
        if isinstance(error, Unauthorized):
            headers["WWW-Authenticate"] = "bearer"
            services().metrics.bad_token(g.get("data_set"))
        if status == 503:
            headers["Retry-After"] = RETRY_AFTER_SECONDS
        message = most_specific(style.messages, error) or error.message
        reason = _log_safe_reason(error, message)
        logger.info(
            "request rejected",
            extra={"data_set": g.get("data_set"), "status": status, "reason": reason},
        )
        if error.shape == "message":
            return json_response({**_error_body(message), **error.details()}, status, headers)
        headers.update(style.returned_headers)
        messages = getattr(error, "messages", None) if error.shape == "messages" else None
        return json_response({"messages": messages or message, **error.details()}, status, headers)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Response:
        if isinstance(error, RequestEntityTooLarge):  # a body over MAX_CONTENT_LENGTH
            cap = request.max_content_length or app.config["MAX_CONTENT_LENGTH"]  # route's own
            return _backdrop_error(body_too_large(cap))
        status = error.code or 500
        headers = dict(style.headers)
        allowed = sorted(getattr(error, "valid_methods", None) or ())
        if status == 405 and allowed:
            headers["Allow"] = ", ".join(allowed)
        body = _error_body(style.http_error_message(error), _routing_detail(error, allowed))
        return json_response(body, status, headers)

    @app.errorhandler(Exception)
    def _internal_error(error: Exception) -> Response:
        """A bug (or a database failure of no known kind): the traceback goes to the log (the
        formatter leaves exception texts out, as they may quote data), the client gets a
        generic message and the request id to quote, never the exception."""
        logger.exception("unhandled error", extra={"data_set": g.get("data_set")})
        services().metrics.server_error(g.get("data_set"))
        body = {**_error_body(INTERNAL_ERROR), "request_id": current_request_id()}
        return json_response(body, 500, dict(style.headers))


def body_too_large(limit: int) -> PayloadTooLarge:
    """The one message for a request body over the cap, plain or once inflated."""
    return PayloadTooLarge(f"The request body is larger than the limit of {limit} bytes")
