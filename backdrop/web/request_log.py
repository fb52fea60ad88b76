"""One structured log line per request, tagged with the request id (GOV.UK style).

The id is the incoming `GOVUK-Request-Id` (or `Request-Id`) header, else a new uuid; it is bound
to the logging context, forwarded to Stagecraft and echoed in the response. Tokens and bodies
are never logged.
"""

from __future__ import annotations

import logging
import time

from flask import Flask, Response, g, request

from backdrop.core.logs import set_request_id

logger = logging.getLogger("backdrop.request")


def init_request_log(app: Flask) -> None:
    """Install the before/after hooks that time and log each request."""

    @app.before_request
    def _start() -> None:
        g.started = time.perf_counter()
        g.request_id = set_request_id(
            request.headers.get("GOVUK-Request-Id") or request.headers.get("Request-Id")
        )

    @app.after_request
    def _finish(response: Response) -> Response:
        response.headers["GOVUK-Request-Id"] = g.get("request_id", "")
        logger.info(
            "request",
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - g.get("started", 0.0)) * 1000, 2),
                "data_set": g.get("data_set"),
            },
        )
        return response
