"""The read app factory: `gunicorn "backdrop.read.app:create_app()"`."""

from __future__ import annotations

import os

from flask import Flask

from backdrop.core.config import Settings
from backdrop.core.logs import configure_logging
from backdrop.core.services import Services
from backdrop.core.storage.base import Storage
from backdrop.read import explorer, queries, status
from backdrop.web import pages, readiness
from backdrop.web.errors import ErrorStyle, register_error_handlers
from backdrop.web.headers import init_headers
from backdrop.web.request_log import init_request_log

READ_ERRORS = ErrorStyle(
    data_set_not_found="data_set not found",
    http_error_message=lambda error: error.name,
    headers={"Access-Control-Allow-Origin": "*"},
)


def create_app(settings: Settings | None = None, *, storage: Storage | None = None) -> Flask:
    """A new read app; tests pass their own settings, or a storage they already opened."""
    if settings is None:
        settings = Settings.from_env(os.environ)
        configure_logging(settings.log_level)
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.limits.max_body_bytes
    app.extensions["backdrop"] = Services.build(settings, storage)
    init_request_log(app)
    init_headers(app)
    register_error_handlers(app, READ_ERRORS)
    app.register_blueprint(status.bp)
    app.register_blueprint(readiness.bp)
    app.register_blueprint(queries.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(explorer.bp)
    return app
