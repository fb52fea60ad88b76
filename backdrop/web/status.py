"""`GET /_status` on both apps: the spec's liveness answer (1.1), touching no dependency."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Blueprint, Response

from backdrop import __version__
from backdrop.web.rendering import json_response


def status_blueprint(headers: Mapping[str, str]) -> Blueprint:
    """The `status` blueprint (its endpoints name the statsd timers, spec 8.3) holding
    `/_status`, answered with `headers`; an app adds its other status routes to it."""
    bp = Blueprint("status", __name__)
    body = {"status": "ok", "message": "app is up", "version": __version__}

    @bp.get("/_status")
    def status() -> Response:
        return json_response(body, headers=headers)

    return bp
