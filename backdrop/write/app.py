"""The write app factory: `gunicorn "backdrop.write.app:create_app()"`."""

from __future__ import annotations

import os

from flask import Blueprint, Flask, Response
from werkzeug.exceptions import HTTPException
from werkzeug.routing import BaseConverter

from backdrop.core.config import Settings
from backdrop.core.logs import configure_logging
from backdrop.core.services import Services
from backdrop.core.storage.base import Storage
from backdrop.transformers.publish import TransformPublisher
from backdrop.web import pages, readiness
from backdrop.web.errors import ErrorStyle, register_error_handlers
from backdrop.web.headers import init_headers
from backdrop.web.rendering import json_response
from backdrop.web.request_log import init_request_log
from backdrop.write import admin, records, transforms, triggers, upload

# spec 1.3: the routing texts of the original's Werkzeug, whose 404 text had two spaces after
# "server." (current Werkzeug has one).
_ROUTING_TEXTS = {
    404: "The requested URL was not found on the server.  "
    "If you entered the URL manually please check your spelling and try again.",
    405: "The method is not allowed for the requested URL.",
}


def _http_error_message(error: HTTPException) -> str:
    return _ROUTING_TEXTS.get(error.code or 0) or error.description or error.name


WRITE_ERRORS = ErrorStyle(
    data_set_not_found="Could not find data_set_config",
    http_error_message=_http_error_message,
    returned_headers={"Cache-Control": "no-cache"},
)

status_bp = Blueprint("status", __name__)


@status_bp.get("/_status")
def status() -> Response:
    return json_response({"status": "ok", "message": "app is up"}, headers=records.NO_CACHE)


class DataSetNameConverter(BaseConverter):
    """A data set name in a URL: `^[a-z_][a-z0-9_]+$` case-insensitively, not starting with `_`
    (spec 1.2), so `/_status` and `/_data_set` never reach the deprecated write route."""

    regex = "[A-Za-z][A-Za-z0-9_]+"


def create_app(settings: Settings | None = None, *, storage: Storage | None = None) -> Flask:
    """A new write app; tests pass their own settings, or a storage they already opened."""
    if settings is None:
        settings = Settings.from_env(os.environ)
        configure_logging(settings.log_level)
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.limits.max_body_bytes
    app.url_map.converters["data_set"] = DataSetNameConverter
    services = Services.build(settings, storage)
    app.extensions["backdrop"] = services
    app.extensions[triggers.EXTENSION] = TransformPublisher(settings, services.storage)
    init_request_log(app)
    init_headers(app)
    register_error_handlers(app, WRITE_ERRORS)
    app.register_blueprint(status_bp)
    app.register_blueprint(readiness.bp)
    app.register_blueprint(records.bp)
    app.register_blueprint(transforms.bp)
    app.register_blueprint(upload.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(admin.bp)
    return app
