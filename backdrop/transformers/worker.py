"""The worker's Celery application: `celery -A backdrop.transformers.worker worker`.

The one module that builds an app at import (STYLE 9, 13): `celery -A` needs one. It reads
Settings from the environment once, configures logging (JSON lines, `LOG_LEVEL`), opens the
database and config source lazily in each pool process, and drains the transform outbox from
the main process while the worker runs. Nothing imports this module.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from celery import signals

from backdrop.core.config import Settings
from backdrop.core.logs import configure_logging, redact
from backdrop.transformers.celery_app import broker_url, create_celery
from backdrop.transformers.dispatch import WorkerContext, register_tasks

logger = logging.getLogger(__name__)

settings = Settings.from_env(os.environ)
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


def _ready(**_: Any) -> None:
    context.start_draining()
    logger.info("worker ready", extra={"broker": redact(broker_url(settings))})


def _close(**_: Any) -> None:
    context.close()


# Connected by call, not as decorators (celery is untyped); weak=False keeps them alive.
# `worker_ready` and `worker_shutdown` come in the main process (which drains the outbox),
# `worker_process_shutdown` in each pool process.
signals.setup_logging.connect(_setup_logging, weak=False)
signals.worker_ready.connect(_ready, weak=False)
signals.worker_shutdown.connect(_close, weak=False)
signals.worker_process_shutdown.connect(_close, weak=False)
