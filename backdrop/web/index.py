"""`GET /` on both apps: what this service is, its version, and where to read more."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Blueprint, Response

from backdrop import __version__
from backdrop.web.rendering import json_response

LINKS = {
    "docs": "/docs",
    "openapi": "/openapi.json",
    "status": "/_status",
    "ready": "/_status/ready",
    "metrics": "/metrics",
}


def index_blueprint(app: str, description: str, headers: Mapping[str, str]) -> Blueprint:
    """The index route of the `app` ("read" or "write")."""
    bp = Blueprint("index", __name__)
    body = {
        "name": f"backdrop-{app}",
        "description": description,
        "version": __version__,
        "links": LINKS,
    }

    @bp.get("/")
    def index() -> Response:
        return json_response(body, headers={"Cache-Control": "no-cache", **headers})

    return bp
