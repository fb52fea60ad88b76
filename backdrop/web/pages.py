"""HTML pages: what the explorer (read app) and the upload page (write app) share.

The layout and stylesheet, served by the app itself under `/assets/`, and the headers that make
every page safe by construction: a Content-Security-Policy that runs only the app's own script
files (no inline script, no other origin), no framing, no referrer. Templates are Jinja with
autoescaping, so every value a page shows is text, never markup.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, make_response, render_template

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    )
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-cache",
}

bp = Blueprint(
    "pages",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/assets",
)


def page(template: str, **context: Any) -> Response:
    """A rendered page with the page headers."""
    response = make_response(render_template(template, **context))
    response.headers.update(PAGE_HEADERS)
    return response
