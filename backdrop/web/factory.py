"""What both app factories do alike: settings and logging for a process, the Flask app with the
pieces every app has (compression, request log, metrics, headers, error handlers, and the index,
docs, status and readiness routes), and closing what the app opened when its process ends.

gunicorn calls `close_app` from its `worker_exit` hook (gunicorn_config.py), so storage pools
and the transform publisher's broker connection are closed, not dropped, when a worker stops.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Flask
from prometheus_client.registry import Collector
from werkzeug.routing import BaseConverter

from backdrop.core.config import Settings
from backdrop.core.errors import SettingsInvalid
from backdrop.core.logs import configure_logging, startup_failure
from backdrop.core.metrics import Metrics
from backdrop.core.services import Services
from backdrop.core.storage.base import Storage
from backdrop.web import readiness
from backdrop.web.compression import init_compression
from backdrop.web.docs import docs_blueprint
from backdrop.web.errors import ErrorStyle, register_error_handlers
from backdrop.web.headers import init_headers
from backdrop.web.index import index_blueprint
from backdrop.web.metrics import init_metrics
from backdrop.web.request_log import init_request_log
from backdrop.web.reserved import DataSetName
from backdrop.web.status import status_blueprint

logger = logging.getLogger(__name__)

CLOSERS = "backdrop_closers"

# What an app adds once its services exist (the write app: its transform publisher); returns
# the collectors its metrics page asks at each scrape.
Extension = Callable[[Flask, Services], Sequence[Collector]]


@dataclass(frozen=True, slots=True)
class AppKind:
    """What tells the read app from the write app where both do the same thing."""

    component: str  # "read" or "write": metrics, statsd prefix, `GET /` name
    description: str
    errors: ErrorStyle  # its headers (CORS on read) go on the index and status answers too
    document: Callable[[], dict[str, Any]]  # its OpenAPI document
    # The `<data_set:…>` converter of the legacy routes: any segment no route owns, or narrower.
    data_set_name: type[BaseConverter] = DataSetName
    # The `status` blueprint, given the headers: `/_status`, or more status routes with it.
    status: Callable[[Mapping[str, str]], Blueprint] = status_blueprint


def settings_for_process(settings: Settings | None) -> Settings:
    """The settings a factory was given (tests), else the environment's, with logging set up;
    unusable ones end the start with one JSON line."""
    if settings is not None:
        return settings
    try:
        settings = Settings.from_env(os.environ)
    except SettingsInvalid as exc:
        startup_failure(exc)
        raise
    configure_logging(settings.log_level)
    return settings


def new_app(
    import_name: str,
    kind: AppKind,
    settings: Settings | None,
    storage: Storage | None,
    extend: Extension | None = None,
) -> Flask:
    """A new app of `kind` with everything both apps serve; the caller adds its own routes."""
    settings = settings_for_process(settings)
    app = Flask(import_name)
    app.config["MAX_CONTENT_LENGTH"] = settings.limits.max_body_bytes
    init_compression(app)
    app.url_map.converters["data_set"] = kind.data_set_name
    metrics = Metrics.build(settings, kind.component)
    services = Services.build(settings, storage, metrics=metrics)
    app.extensions["backdrop"] = services
    on_close(app, services.close)
    collectors = extend(app, services) if extend is not None else ()
    init_request_log(app)
    init_metrics(app, metrics, collectors)
    init_headers(app)
    register_error_handlers(app, kind.errors)
    headers = kind.errors.headers
    app.register_blueprint(index_blueprint(kind.component, kind.description, headers))
    app.register_blueprint(docs_blueprint(kind.component, kind.document()))
    app.register_blueprint(kind.status({"Cache-Control": "no-cache", **headers}))
    app.register_blueprint(readiness.bp)
    return app


def on_close(app: Flask, closer: Callable[[], None]) -> None:
    """Have `close_app` call `closer`: the last registered first, each even if another fails."""
    stack = app.extensions.setdefault(CLOSERS, ExitStack())
    stack.callback(closer)


def close_app(app: Flask) -> None:
    """Close what the app opened (storage, config source, broker connection), once: for the
    end of its process."""
    stack: ExitStack | None = app.extensions.pop(CLOSERS, None)
    if stack is not None:
        stack.close()
        logger.info("app closed", extra={"app": app.import_name})
