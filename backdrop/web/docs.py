"""`/openapi.json` and `/docs` on both apps: the app's OpenAPI document, and a page that
renders it (Swagger UI, served by the app itself from the swagger-ui-py package: no CDN) next
to a short guide with examples that run against this very app."""

from __future__ import annotations

import importlib.resources
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, render_template, request, send_from_directory

from backdrop.web.rendering import json_response

SWAGGER_UI = Path(str(importlib.resources.files("swagger_ui") / "static"))
OWN_ASSETS = Path(__file__).resolve().parent / "static"
# The only files /docs/assets/ serves, and where each comes from.
ASSETS: Mapping[str, Path] = {
    "swagger-ui-bundle.js": SWAGGER_UI,
    "swagger-ui.css": SWAGGER_UI,
    "favicon-32x32.png": SWAGGER_UI,
    "swagger-ui-LICENSE.txt": SWAGGER_UI,
    "docs.js": OWN_ASSETS,
    "docs.css": OWN_ASSETS,
}
RENAMED = {"swagger-ui-LICENSE.txt": "LICENSE"}
# Scripts only from this app (no inline script); Swagger UI sets inline styles.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)


def docs_blueprint(app: str, document: Mapping[str, Any]) -> Blueprint:
    """The docs routes of `app` ("read" or "write") serving `document`."""
    bp = Blueprint("docs", __name__, template_folder="templates")

    @bp.get("/openapi.json")
    def openapi() -> Response:
        return json_response(
            document, headers={"Cache-Control": "no-cache", "Access-Control-Allow-Origin": "*"}
        )

    @bp.get("/docs")
    def docs() -> Response:
        page = render_template(
            "docs.html",
            app=app,
            info=document["info"],
            base=request.host_url.rstrip("/"),
        )
        return Response(
            page,
            mimetype="text/html",
            headers={
                "Content-Security-Policy": CONTENT_SECURITY_POLICY,
                "Cache-Control": "no-cache",
            },
        )

    @bp.get("/docs/assets/<filename>")
    def asset(filename: str) -> Response:
        directory = ASSETS.get(filename)
        if directory is None:
            abort(404)
        response = send_from_directory(directory, RENAMED.get(filename, filename), max_age=3600)
        if filename.endswith(".txt"):
            response.mimetype = "text/plain"
        return response

    return bp
