"""The worker's two tasks, by the names the original used (spec 6.2-6.3), and their retries.

`entrypoint(data_set_name, earliest, latest)` queues `run_transform` once per transform of the
data set; `run_transform(source_config, transform, earliest, latest)` computes one and writes
its output, then queues the output data set's own transforms (chaining), as the original's
HTTP write did. Both acknowledge late and are idempotent, so a redelivery is harmless.

Failures: errors that a retry cannot fix (unknown transform, a query or output the checks
refuse, a transform that cannot compute) are logged once and dropped; any other error (config
service or database unavailable, broker trouble, the unexpected) is retried with exponential
back-off, `RETRY_BASE_SECONDS * 2**n`, at most `MAX_RETRIES` times, then logged with the data
set and range. The write that triggered the task is already stored either way.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from celery import Celery, Task

from backdrop.core.config import Settings
from backdrop.core.errors import (
    BadRequest,
    DataSetNotFound,
    StorageError,
    TransformInvalid,
    UnknownTransform,
)
from backdrop.core.logs import set_request_id
from backdrop.core.metrics import Metrics
from backdrop.core.services import Services
from backdrop.core.timeutils import as_utc, now, parse_lenient
from backdrop.transformers import runner
from backdrop.transformers.outbox import OutboxDrainer
from backdrop.transformers.publish import (
    ENTRYPOINT,
    RUN_TRANSFORM,
    TransformPublisher,
    wire_datetime,
)
from backdrop.transformers.sources import TransformSource, open_source

logger = logging.getLogger(__name__)

MAX_RETRIES = 5
RETRY_BASE_SECONDS = 1.0
PERMANENT_ERRORS: tuple[type[Exception], ...] = (
    UnknownTransform,
    TransformInvalid,
    BadRequest,
    DataSetNotFound,
    KeyError,
    TypeError,
    ValueError,
    ZeroDivisionError,
)


class WorkerContext:
    """Per-process worker state: Settings, and Services and a publisher opened lazily in each
    process (neither a database client nor a broker connection may survive the fork of a pool
    process)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.metrics = Metrics.build(settings, "worker")
        self._services: Services | None = None
        self._publisher: TransformPublisher | None = None
        self._drainer: OutboxDrainer | None = None
        self._pid: int | None = None

    @property
    def services(self) -> Services:
        if self._services is None or self._pid != os.getpid():
            self._services = Services.build(self.settings, for_worker=True, metrics=self.metrics)
            self._publisher = None
            self._pid = os.getpid()
        return self._services

    @property
    def publisher(self) -> TransformPublisher:
        """Publishes the chained dispatches of outputs, as the write app does for writes."""
        services = self.services
        if self._publisher is None:
            self._publisher = TransformPublisher(self.settings, services.storage)
        return self._publisher

    def source(self) -> TransformSource:
        return open_source(self.services)

    def start_draining(self) -> None:
        """Deliver waiting dispatches from this process until `close` (the worker's main
        process, once it is ready: its pool has forked by then)."""
        self._drainer = OutboxDrainer(self.services.storage, self.publisher)
        self._drainer.start()

    def close(self) -> None:
        if self._drainer is not None:
            self._drainer.stop()
            self._drainer = None
        if self._pid == os.getpid():
            if self._publisher is not None:
                self._publisher.close()
            if self._services is not None:
                self._services.close()
        self._services = self._publisher = None


def wire_text(value: str | datetime) -> str:
    """A range bound as sent on: kombu 5 may hand us a datetime where kombu 4 sent text."""
    return wire_datetime(value) if isinstance(value, datetime) else value


def register_tasks(app: Celery, context: WorkerContext) -> None:
    """Add `entrypoint` and `run_transform` to `app` (the worker's app only)."""

    def entrypoint(task: Task, data_set_name: str, earliest: Any, latest: Any) -> None:
        bounds = wire_text(earliest), wire_text(latest)
        facts = {"data_set": data_set_name, "earliest": bounds[0], "latest": bounds[1]}

        def work() -> None:
            context.metrics.transform_queued(
                _dispatch(app, context.source(), data_set_name, *bounds)
            )

        _attempt(task, facts, work, context.metrics)

    def run_transform(
        task: Task,
        source_config: dict[str, Any],
        transform: dict[str, Any],
        earliest: Any,
        latest: Any,
    ) -> None:
        bounds = wire_text(earliest), wire_text(latest)
        facts = {
            "data_set": source_config.get("name"),
            "transform": transform.get("id"),
            "earliest": bounds[0],
            "latest": bounds[1],
        }
        _attempt(
            task,
            facts,
            lambda: run_and_chain(context, source_config, transform, bounds),
            context.metrics,
        )

    options = {"bind": True, "max_retries": MAX_RETRIES, "acks_late": True, "ignore_result": True}
    app.task(name=ENTRYPOINT, **options)(entrypoint)
    app.task(name=RUN_TRANSFORM, **options)(run_transform)


def _dispatch(app: Celery, source: TransformSource, name: str, earliest: str, latest: str) -> int:
    """spec 6.2: one `run_transform` per transform of the data set; how many were queued."""
    transforms = source.transforms(name)
    if not transforms:
        logger.info("no transforms", extra={"data_set": name})
        return 0
    source_config = source.source_config(name)
    if source_config is None:
        logger.warning("transform source not found", extra={"data_set": name})
        return 0
    for transform in transforms:
        app.send_task(RUN_TRANSFORM, args=[source_config, transform, earliest, latest])
    logger.info("transforms dispatched", extra={"data_set": name, "count": len(transforms)})
    return len(transforms)


def run_and_chain(
    context: WorkerContext,
    source_config: dict[str, Any],
    transform: dict[str, Any],
    bounds: tuple[str, str],
) -> None:
    """spec 6.3, then the chained dispatch for the output data set: stored in the outbox with
    the output records, so a broker that does not take it now delays the chain, never breaks
    it (the outbox drain delivers it later) and never reruns this transform."""
    earliest, latest = (as_utc(parse_lenient(bound)) for bound in bounds)
    outcome = runner.run_transform(
        context.services, context.source(), source_config, transform, earliest, latest, now()
    )
    logger.info(
        "transform written",
        extra={"data_set": source_config.get("name"), "output": outcome.output.name},
    )
    if outcome.dispatch is not None:
        context.publisher.deliver(outcome.dispatch, stored=True)


def _attempt(task: Task, facts: dict[str, Any], work: Callable[[], None], metrics: Metrics) -> None:
    """Run `work`; log and drop permanent failures, retry the others with back-off. Each run
    is counted and timed by its outcome: succeeded, failed (dropped) or retried."""
    set_request_id(task.request.id)
    started = time.perf_counter()
    outcome = "failed"
    try:
        work()
        outcome = "succeeded"
        return
    except PERMANENT_ERRORS as exc:
        logger.error(
            "transform failed",
            extra={**facts, "error": type(exc).__name__, "retries": task.request.retries},
        )
        return
    except Exception as exc:  # task failure handler: transient or unexpected, so retry
        if isinstance(exc, StorageError):
            metrics.database_error(exc)
        retries = task.request.retries
        if retries >= MAX_RETRIES:
            logger.exception("transform failed", extra={**facts, "retries": retries})
            return
        countdown = RETRY_BASE_SECONDS * 2**retries
        logger.warning(
            "transform retrying",
            extra={
                **facts,
                "error": type(exc).__name__,
                "retries": retries,
                "countdown": countdown,
            },
        )
        error = exc
        outcome = "retried"
    finally:
        metrics.task_run(task.name.rsplit(".", 1)[-1], outcome, time.perf_counter() - started)
    raise task.retry(exc=error, countdown=countdown)
