"""Publishing the `entrypoint` task by name: all the write app knows of the worker (spec 6.1).

A broker fault never holds a write up, and never loses a transform:

* a publish ends within `PUBLISH_BUDGET` seconds whatever the broker does: refuses, accepts and
  never answers, answers slowly, drops the connection (socket timeouts in celery_app.py, an
  overall deadline in sender.py);
* after a failure a circuit breaker answers for the broker at once for `BROKER_COOLDOWN`
  seconds, then lets one publish through as a probe, so an outage costs a process one slow
  write per cool-down, not every write;
* the dispatch sits in the outbox (stored with its records) until the broker took it; one that
  failed waits there and is delivered later by the worker or by this process after its next
  successful publish (outbox.py).

Each outcome is counted on the publisher (per process) and logged with the data set and range
and, for failures, the error's class name; never record data or tokens.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime
from typing import Any

from backdrop.core.breaker import CircuitBreaker
from backdrop.core.config import Settings
from backdrop.core.data_sets import new_dispatch
from backdrop.core.errors import StorageError
from backdrop.core.storage.base import Dispatch, Storage
from backdrop.core.timeutils import as_utc
from backdrop.transformers import outbox
from backdrop.transformers.celery_app import create_celery
from backdrop.transformers.sender import NotSent, Sender

logger = logging.getLogger(__name__)

ENTRYPOINT = "backdrop.transformers.dispatch.entrypoint"
RUN_TRANSFORM = "backdrop.transformers.dispatch.run_transform"
# Seconds one publish may take in all, whatever the broker does.
PUBLISH_BUDGET = 2.0
# Seconds a failed broker is answered for at once before the next publish probes it.
BROKER_COOLDOWN = 3.0


def wire_datetime(moment: datetime) -> str:
    """A datetime as the original's kombu 4 JSON encoder wrote it: ISO-8601, UTC as `Z`."""
    text = as_utc(moment).isoformat()
    return text[: -len("+00:00")] + "Z"


def _facts(dispatch: Dispatch) -> dict[str, str]:
    return {
        "data_set": dispatch.data_set,
        "earliest": wire_datetime(dispatch.earliest),
        "latest": wire_datetime(dispatch.latest),
    }


class TransformPublisher:
    """A process's producer of `entrypoint` tasks (the write app's; the worker has its own).

    Thread-safe. The counts are this process's since it started (each gunicorn worker has its
    own): `published` and `failed` count publish attempts, `kept` the new dispatches left
    waiting in the outbox, `delivered_later` the waiting ones a drain published;
    `last_outcome` is "published", "failed" or None. `waiting()` counts the outbox (every
    process's dispatches).
    """

    def __init__(
        self,
        settings: Settings,
        storage: Storage,
        *,
        budget: float = PUBLISH_BUDGET,
        cooldown: float = BROKER_COOLDOWN,
    ) -> None:
        self._app = create_celery(settings, publisher=True)
        self._sender = Sender(self._app)
        self._breaker = CircuitBreaker(cooldown)
        self._storage = storage
        self._budget = budget
        self._schedule = outbox.DrainSchedule()
        self._lock = threading.Lock()
        self.published = 0
        self.failed = 0
        self.kept = 0
        self.delivered_later = 0
        self.last_outcome: str | None = None

    def trigger(self, data_set: str, earliest: datetime, latest: datetime) -> bool:
        """Queue the data set's transforms over [earliest, latest] once, outside the outbox;
        False when the broker did not take it (logged and counted, never raised)."""
        dispatch = new_dispatch(data_set, earliest, latest)
        return self._publish(dispatch, time.monotonic() + self._budget)

    def deliver(self, dispatch: Dispatch, *, stored: bool) -> bool:
        """Publish a new dispatch and forget it in the outbox; when the broker does not take
        it, keep it there (adding it unless `stored`) for a later delivery. After a success,
        deliver older waiting ones too while the budget lasts. False when it was kept."""
        deadline = time.monotonic() + self._budget
        if self._publish(dispatch, deadline):
            if stored:
                self._forget(dispatch)
            self._drain_after_success(deadline)
            return True
        if not stored:
            self._storage.add_dispatch(dispatch)
        with self._lock:
            self.kept += 1
        return False

    def deliver_waiting(self, dispatch: Dispatch, deadline: float) -> bool:
        """Publish a dispatch that waited in the outbox, within one publish budget and before
        `deadline`, and forget it; False when the broker did not take it (it stays)."""
        if not self._publish(dispatch, min(deadline, time.monotonic() + self._budget)):
            return False
        self._forget(dispatch)
        with self._lock:
            self.delivered_later += 1
        logger.info("transform dispatch delivered later", extra=_facts(dispatch))
        return True

    def waiting(self) -> int | None:
        """How many dispatches wait in the outbox; None when the database cannot say."""
        try:
            return self._storage.count_dispatches()
        except StorageError:
            return None

    def state(self) -> dict[str, Any]:
        """The counts and the outbox, as readiness reports them."""
        with self._lock:
            counts = {
                "last_publish": self.last_outcome,
                "published": self.published,
                "failed": self.failed,
                "kept": self.kept,
                "delivered_later": self.delivered_later,
            }
        return {**counts, "waiting_dispatches": self.waiting()}

    def close(self) -> None:
        self._sender.close()
        self._app.close()

    def _publish(self, dispatch: Dispatch, deadline: float) -> bool:
        facts = _facts(dispatch)
        if self._breaker.allow():
            try:
                self._sender.send(
                    ENTRYPOINT,
                    [dispatch.data_set, facts["earliest"], facts["latest"]],
                    deadline=deadline,
                )
            except NotSent as exc:
                self._breaker.failed()
                error = exc.reason
            else:
                self._breaker.succeeded()
                self._count(published=True)
                logger.info("transform dispatched", extra=facts)
                return True
        else:
            error = "BrokerCoolingDown"
        self._count(published=False)
        self._schedule.failed()
        logger.error("transform dispatch failed", extra={**facts, "error": error})
        return False

    def _count(self, *, published: bool) -> None:
        with self._lock:
            if published:
                self.published += 1
            else:
                self.failed += 1
            self.last_outcome = "published" if published else "failed"

    def _forget(self, dispatch: Dispatch) -> None:
        try:
            self._storage.finish_dispatch(dispatch.id)
        except StorageError as exc:  # published; a later delivery repeats it, harmlessly
            logger.warning(
                "dispatch not cleared",
                extra={"data_set": dispatch.data_set, "error": type(exc).__name__},
            )

    def _drain_after_success(self, deadline: float) -> None:
        """Deliver waiting dispatches while the broker answers and the budget lasts, when the
        schedule says so; whatever happens, the write that got here has succeeded."""
        if not self._schedule.begin():
            return
        emptied = False
        try:
            emptied = outbox.drain(
                self._storage, self, limit=outbox.WRITE_DRAIN_LIMIT, deadline=deadline
            ).emptied
        except StorageError as exc:
            logger.warning("outbox drain stopped", extra={"error": type(exc).__name__})
        finally:
            self._schedule.end(emptied=emptied)
