"""Headers every response of both apps carries, whatever produced it (views, error handlers)."""

from __future__ import annotations

from flask import Flask, Response


def init_headers(app: Flask) -> None:
    """Install the after-request hook; `nosniff` stops browsers from reading a JSON or CSV
    body that quotes client data as HTML or script."""

    @app.after_request
    def _harden(response: Response) -> Response:
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response
