"""The write app factory: `gunicorn "backdrop.write.app:create_app()"`."""

from __future__ import annotations

import os

from flask import Blueprint, Flask, Response
from werkzeug.routing import BaseConverter

from backdrop.core.config import Settings
from backdrop.core.logs import configure_logging
from backdrop.core.services import Services
from backdrop.core.storage.base import Storage
from backdrop.transformers.publish import TransformPublisher
from backdrop.web.errors import ErrorStyle, register_error_handlers
from backdrop.web.rendering import json_response
from backdrop.web.request_log import init_request_log
from backdrop.write import admin, records, transforms, triggers

WRITE_ERRORS = ErrorStyle(
    data_set_not_found="Could not find data_set_config",
    http_error_message=lambda error: error.description or error.name,
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
    app.url_map.converters["data_set"] = DataSetNameConverter
    app.extensions["backdrop"] = Services.build(settings, storage)
    app.extensions[triggers.EXTENSION] = TransformPublisher(settings)
    init_request_log(app)
    register_error_handlers(app, WRITE_ERRORS)
    app.register_blueprint(status_bp)
    app.register_blueprint(records.bp)
    app.register_blueprint(transforms.bp)
    app.register_blueprint(admin.bp)
    return app
