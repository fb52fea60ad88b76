"""The write app factory: `gunicorn "backdrop.write.app:create_app()"`."""

from __future__ import annotations

import os

from flask import Blueprint, Flask, Response
from werkzeug.exceptions import HTTPException

from backdrop import __version__
from backdrop.core.config import Settings
from backdrop.core.errors import SettingsInvalid
from backdrop.core.logs import configure_logging, startup_failure
from backdrop.core.metrics import Metrics
from backdrop.core.services import Services
from backdrop.core.storage.base import Storage
from backdrop.transformers.publish import TransformPublisher
from backdrop.web import pages, readiness
from backdrop.web.compression import init_compression
from backdrop.web.docs import docs_blueprint
from backdrop.web.errors import ErrorStyle, register_error_handlers
from backdrop.web.headers import init_headers
from backdrop.web.index import index_blueprint
from backdrop.web.metrics import init_metrics
from backdrop.web.rendering import json_response
from backdrop.web.request_log import init_request_log
from backdrop.web.reserved import WritableDataSetName
from backdrop.write import admin, records, transforms, triggers, upload
from backdrop.write.openapi import write_document

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
    body = {"status": "ok", "message": "app is up", "version": __version__}
    return json_response(body, headers=records.NO_CACHE)


DESCRIPTION = "Backdrop's write API: records in, with a bearer token per data set"


def create_app(settings: Settings | None = None, *, storage: Storage | None = None) -> Flask:
    """A new write app; tests pass their own settings, or a storage they already opened."""
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
    app.url_map.converters["data_set"] = WritableDataSetName
    metrics = Metrics.build(settings, "write")
    services = Services.build(settings, storage, metrics=metrics)
    app.extensions["backdrop"] = services
    publisher = TransformPublisher(settings, services.storage)
    app.extensions[triggers.EXTENSION] = publisher
    readiness.add_information(app, "broker", publisher.state)
    init_request_log(app)
    init_metrics(app, metrics, [triggers.pending_dispatches(services)])
    init_headers(app)
    register_error_handlers(app, WRITE_ERRORS)
    app.register_blueprint(index_blueprint("write", DESCRIPTION, {}))
    app.register_blueprint(docs_blueprint("write", write_document()))
    app.register_blueprint(status_bp)
    app.register_blueprint(readiness.bp)
    app.register_blueprint(records.bp)
    app.register_blueprint(transforms.bp)
    app.register_blueprint(upload.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(admin.bp)
    return app
