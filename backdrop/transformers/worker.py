"""The worker's Celery application: `celery -A backdrop.transformers.worker worker`.

The one module that builds an app at import (STYLE 9, 13): `celery -A` needs one. It reads
Settings from the environment once, configures logging (JSON lines, `LOG_LEVEL`), opens the
database and config source lazily in each pool process, and drains the transform outbox from
the main process while the worker runs. Nothing imports this module.
"""

from __future__ import annotations

import json
import logging
import os
import warnings
from datetime import datetime
from typing import Any

from celery import signals
from celery.apps import worker as celery_worker
from celery.exceptions import SecurityWarning
from prometheus_client import start_http_server
from prometheus_client.multiprocess import mark_process_dead

from backdrop.core.config import Settings
from backdrop.core.errors import SettingsInvalid
from backdrop.core.logs import configure_logging, redact, startup_failure
from backdrop.transformers.celery_app import broker_url, create_celery
from backdrop.transformers.dispatch import WorkerContext, register_tasks

logger = logging.getLogger(__name__)

try:
    settings = Settings.from_env(os.environ)
except SettingsInvalid as exc:
    startup_failure(exc)
    raise SystemExit(78) from exc  # EX_CONFIG; celery would print a text traceback otherwise
context = WorkerContext(settings)
app = create_celery(settings)
register_tasks(app, context)


class _HideTaskArguments(logging.Filter):
    """Celery logs each task's arguments (in `record.data`); ours carry a source config with
    its bearer token, which must never reach a log. Our own lines log the facts instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        data = getattr(record, "data", None)
        if isinstance(data, dict) and ("args" in data or "kwargs" in data):
            record.data = {**data, "args": "<hidden>", "kwargs": "<hidden>"}
        return True


def _setup_logging(**_: Any) -> None:
    configure_logging(settings.log_level)
    for handler in logging.getLogger().handlers:
        handler.addFilter(_HideTaskArguments())


def _say(message: str, *_: Any) -> None:
    """celery's own notices (`worker: Warm shutdown (MainProcess)`) as JSON lines, written as
    celery writes them: one os.write, safe inside a signal handler."""
    line = {
        "time": datetime.now().strftime("%Y-%m-%d %H:%M:%S,%f")[:-3],
        "level": "INFO",
        "logger": "celery.apps.worker",
        "message": message.strip(),
    }
    os.write(2, (json.dumps(line) + "\n").encode())


def _quiet(instance: Any, **_: Any) -> None:
    """Every line the worker writes is a JSON log line: no banner on stdout, celery's notices
    as JSON, and no warning text about running as root (containers often do; the broker only
    carries JSON, so the pickle risk that warning is about does not arise)."""
    instance.quiet = True
    celery_worker.safe_say = _say
    warnings.filterwarnings(
        "ignore", message="You're running the worker with superuser", category=SecurityWarning
    )


def _serve_metrics() -> None:
    """`/metrics` of the worker (it has no HTTP app) on BACKDROP_WORKER_METRICS_PORT: the
    counts of every pool process when PROMETHEUS_MULTIPROC_DIR is set (start-app.sh sets it).
    Started once the pool has forked, so no pool process holds the listening socket."""
    port = settings.worker_metrics_port
    if not port:
        return
    if settings.metrics_dir is None:
        logger.warning("worker metrics cover the main process only: set PROMETHEUS_MULTIPROC_DIR")
    try:
        start_http_server(port, registry=context.metrics.scrape_registry())
    except OSError as exc:
        logger.warning(
            "worker metrics not served", extra={"port": port, "error": type(exc).__name__}
        )
        return
    logger.info("worker metrics served", extra={"port": port})


def _ready(**_: Any) -> None:
    _serve_metrics()
    context.start_draining()
    logger.info("worker ready", extra={"broker": redact(broker_url(settings))})


def _close(**_: Any) -> None:
    context.close()
    if settings.metrics_dir is not None:
        # prometheus_client leaves it unannotated
        mark_process_dead(os.getpid(), str(settings.metrics_dir))  # type: ignore[no-untyped-call]


# Connected by call, not as decorators (celery is untyped); weak=False keeps them alive.
# `worker_ready` and `worker_shutdown` come in the main process (which drains the outbox),
# `worker_process_shutdown` in each pool process.
signals.celeryd_init.connect(_quiet, weak=False)
signals.setup_logging.connect(_setup_logging, weak=False)
signals.worker_ready.connect(_ready, weak=False)
signals.worker_shutdown.connect(_close, weak=False)
signals.worker_process_shutdown.connect(_close, weak=False)
