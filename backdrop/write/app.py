"""The write app factory: `gunicorn "backdrop.write.app:create_app()"`."""

from __future__ import annotations

from collections.abc import Sequence

from flask import Flask
from prometheus_client.registry import Collector
from werkzeug.exceptions import HTTPException

from backdrop.core.config import Settings
from backdrop.core.errors import DataSetNotFound
from backdrop.core.services import Services
from backdrop.core.storage.base import Storage
from backdrop.transformers.publish import TransformPublisher
from backdrop.web import pages, readiness
from backdrop.web.errors import ErrorStyle
from backdrop.web.factory import AppKind, new_app, on_close
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


WRITE = AppKind(
    component="write",
    description="Backdrop's write API: records in, with a bearer token per data set",
    errors=ErrorStyle(
        messages={DataSetNotFound: "Could not find data_set_config"},
        http_error_message=_http_error_message,
        returned_headers={"Cache-Control": "no-cache"},
    ),
    document=write_document,
    data_set_name=WritableDataSetName,
)


def _publisher(app: Flask, services: Services) -> Sequence[Collector]:
    """The process's transform publisher (closed with the app), reported by readiness; the
    metrics page counts the dispatches waiting in the outbox."""
    publisher = TransformPublisher(services.settings, services.storage)
    app.extensions[triggers.EXTENSION] = publisher
    on_close(app, publisher.close)
    readiness.add_information(app, "broker", publisher.state)
    return [triggers.pending_dispatches(services)]


def create_app(settings: Settings | None = None, *, storage: Storage | None = None) -> Flask:
    """A new write app; tests pass their own settings, or a storage they already opened."""
    app = new_app(__name__, WRITE, settings, storage, extend=_publisher)
    app.register_blueprint(records.bp)
    app.register_blueprint(transforms.bp)
    app.register_blueprint(upload.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(admin.bp)
    return app
