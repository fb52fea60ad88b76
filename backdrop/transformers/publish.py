"""Publishing the `entrypoint` task by name: all the write app knows of the worker (spec 6.1).

A broker that is down must not fail or hang a write: one connection attempt with a short
timeout, no retry loop; the failure is logged with the data set and range, and counted.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from typing import Any

from celery import Celery
from kombu.exceptions import KombuError

from backdrop.core.config import Settings
from backdrop.core.errors import StorageError
from backdrop.core.storage.base import Dispatch, Storage
from backdrop.core.timeutils import as_utc
from backdrop.transformers.celery_app import create_celery

logger = logging.getLogger(__name__)

ENTRYPOINT = "backdrop.transformers.dispatch.entrypoint"
RUN_TRANSFORM = "backdrop.transformers.dispatch.run_transform"


def wire_datetime(moment: datetime) -> str:
    """A datetime as the original's kombu 4 JSON encoder wrote it: ISO-8601, UTC as `Z`."""
    text = as_utc(moment).isoformat()
    return text[: -len("+00:00")] + "Z"


def publish_entrypoint(
    app: Celery, data_set: str, earliest: str, latest: str, **options: Any
) -> None:
    """Queue `entrypoint(data_set, earliest, latest)`; raises what the broker raised."""
    app.send_task(ENTRYPOINT, args=[data_set, earliest, latest], **options)


class TransformPublisher:
    """The write app's producer: queues `entrypoint` after writes and manual triggers.

    Thread-safe; one per write-app process. `published` and `failed` count the attempts of this
    process since it started (each gunicorn worker has its own).
    """

    def __init__(self, settings: Settings, storage: Storage) -> None:
        self._app = create_celery(settings, publisher=True)
        self._storage = storage
        connection = self._app.connection_for_write()
        self._errors: tuple[type[BaseException], ...] = (
            KombuError,
            OSError,
            *connection.connection_errors,
            *connection.channel_errors,
        )
        self._lock = threading.Lock()
        self.published = 0
        self.failed = 0

    def trigger(self, data_set: str, earliest: datetime, latest: datetime) -> bool:
        """Queue the data set's transforms over [earliest, latest]; False when the broker
        refused (logged and counted, never raised)."""
        facts = {
            "data_set": data_set,
            "earliest": wire_datetime(earliest),
            "latest": wire_datetime(latest),
        }
        try:
            publish_entrypoint(self._app, data_set, facts["earliest"], facts["latest"], retry=False)
        except self._errors as exc:
            with self._lock:
                self.failed += 1
            logger.error("transform dispatch failed", extra={**facts, "error": type(exc).__name__})
            return False
        with self._lock:
            self.published += 1
        logger.info("transform dispatched", extra=facts)
        return True

    def deliver(self, dispatch: Dispatch, *, stored: bool) -> bool:
        """Publish a dispatch and forget it in the outbox; when the broker refuses, keep it
        there (adding it unless `stored`) for a later delivery. False when it was kept."""
        if self.trigger(dispatch.data_set, dispatch.earliest, dispatch.latest):
            if stored:
                self._forget(dispatch)
            return True
        if not stored:
            self._keep(dispatch)
        return False

    def _forget(self, dispatch: Dispatch) -> None:
        try:
            self._storage.finish_dispatch(dispatch.id)
        except StorageError as exc:  # published; a later delivery repeats it, harmlessly
            logger.warning(
                "dispatch not cleared",
                extra={"data_set": dispatch.data_set, "error": type(exc).__name__},
            )

    def _keep(self, dispatch: Dispatch) -> None:
        self._storage.add_dispatch(dispatch)

    def close(self) -> None:
        self._app.close()
