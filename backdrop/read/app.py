"""The read app factory: `gunicorn "backdrop.read.app:create_app()"`."""

from __future__ import annotations

import os

from flask import Flask

from backdrop.core.config import Settings
from backdrop.core.errors import SettingsInvalid
from backdrop.core.logs import configure_logging, startup_failure
from backdrop.core.metrics import Metrics
from backdrop.core.services import Services
from backdrop.core.storage.base import Storage
from backdrop.read import explorer, queries, status
from backdrop.read.openapi import read_document
from backdrop.web import pages, readiness
from backdrop.web.compression import init_compression
from backdrop.web.docs import docs_blueprint
from backdrop.web.errors import ErrorStyle, register_error_handlers
from backdrop.web.headers import init_headers
from backdrop.web.index import index_blueprint
from backdrop.web.metrics import init_metrics
from backdrop.web.request_log import init_request_log
from backdrop.web.reserved import DataSetName

READ_ERRORS = ErrorStyle(
    data_set_not_found="data_set not found",
    http_error_message=lambda error: error.name,
    headers={"Access-Control-Allow-Origin": "*"},
)


DESCRIPTION = "Backdrop's read API: query data sets, grouped and bucketed by period"


def create_app(settings: Settings | None = None, *, storage: Storage | None = None) -> Flask:
    """A new read app; tests pass their own settings, or a storage they already opened."""
    if settings is None:
        try:
            settings = Settings.from_env(os.environ)
        except SettingsInvalid as exc:
            startup_failure(exc)
            raise
        configure_logging(settings.log_level)
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.limits.max_body_bytes
    init_compression(app)
    app.url_map.converters["data_set"] = DataSetName
    metrics = Metrics.build(settings, "read")
    app.extensions["backdrop"] = svc = Services.build(settings, storage, metrics=metrics)
    init_request_log(app)
    init_metrics(app, metrics)
    init_headers(app)
    register_error_handlers(app, READ_ERRORS)
    app.register_blueprint(index_blueprint("read", DESCRIPTION, READ_ERRORS.headers))
    app.register_blueprint(docs_blueprint("read", read_document()))
    app.register_blueprint(status.bp)
    app.register_blueprint(readiness.bp)
    if settings.database_read_url is not None:
        readiness.add_check(app, "read_database", svc.read_storage.ping)
    app.register_blueprint(queries.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(explorer.bp)
    return app
