"""The read app factory: `gunicorn "backdrop.read.app:create_app()"`."""

from __future__ import annotations

from flask import Flask

from backdrop.core.config import Settings
from backdrop.core.errors import DataSetNotFound
from backdrop.core.services import Services
from backdrop.core.storage.base import Storage
from backdrop.read import explorer, queries, status
from backdrop.read.openapi import read_document
from backdrop.web import pages, readiness
from backdrop.web.errors import ErrorStyle
from backdrop.web.factory import AppKind, new_app

READ = AppKind(
    component="read",
    description="Backdrop's read API: query data sets, grouped and bucketed by period",
    errors=ErrorStyle(
        messages={DataSetNotFound: "data_set not found"},
        http_error_message=lambda error: error.name,
        headers={"Access-Control-Allow-Origin": "*"},
    ),
    document=read_document,
    status=status.status_blueprint,
)


def create_app(settings: Settings | None = None, *, storage: Storage | None = None) -> Flask:
    """A new read app; tests pass their own settings, or a storage they already opened."""
    app = new_app(__name__, READ, settings, storage)
    svc: Services = app.extensions["backdrop"]
    if svc.settings.database_read_url is not None:
        # A replica that is down takes this instance out of a load balancer's rotation.
        readiness.add_check(app, "read_database", svc.read_storage.ping)
    app.register_blueprint(queries.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(explorer.bp)
    return app
