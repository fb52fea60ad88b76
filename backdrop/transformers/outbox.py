"""Delivering the dispatches that wait in the outbox: those the broker did not take at once.

A dispatch is stored with the records that caused it and forgotten once the broker took it
(publish.py). One that failed waits in the outbox; two deliverers take it from there:

* the worker's main process drains the outbox every `DRAIN_INTERVAL` seconds (`OutboxDrainer`,
  started when the worker is ready, stopped when it shuts down), so transforms run once the
  broker answers again even if nobody writes;
* a writing process drains a bounded number after its own publish succeeded (`DrainSchedule`
  says when: after it saw a failure, else at most every `CHECK_EVERY` seconds), within the
  same time budget as that publish and never failing the write.

Both claim with a lease (`Storage.claim_dispatches`), so two processes never publish the same
dispatch at once, and a claimer that dies leaves its claims to others once the lease ends. A
dispatch younger than `IN_FLIGHT_SECONDS` is left alone: the process that stored it may still
be publishing it. Claims grow from one dispatch, doubling, so a broker that is still down
costs one leased dispatch per attempt, not a whole batch.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from backdrop.core.errors import StorageError
from backdrop.core.storage.base import Dispatch, Storage

logger = logging.getLogger(__name__)

# How long a claimer may hold a dispatch before others may take it: longer than a drain runs.
LEASE_SECONDS = 10.0
# A dispatch is left to the process that stored it this long: its own publish (at most the
# publish budget, 2 s) and the database call that forgets it. Should that call be slower, a
# drain may publish the dispatch again: harmless, transforms are idempotent.
IN_FLIGHT_SECONDS = 3.0
# The worker: how often, for how long and how many at most per round.
DRAIN_INTERVAL = 2.0
DRAIN_BUDGET = 5.0
DRAIN_LIMIT = 500
# A writing process: how many at most after one write, and how often it looks when it saw no
# failure itself (another process may have left dispatches behind).
WRITE_DRAIN_LIMIT = 32
CHECK_EVERY = 5.0
MAX_CLAIM = 64


class Deliverer(Protocol):
    """What a drain needs of a publisher (publish.TransformPublisher)."""

    def deliver_waiting(self, dispatch: Dispatch, deadline: float) -> bool:
        """Publish a waiting dispatch and forget it; False when the broker did not take it."""
        ...


@dataclass(frozen=True, slots=True)
class Drained:
    """What one drain did: how many it delivered, and whether it saw the outbox run dry (no
    more dispatches old enough to take), rather than stopping at its limit, its deadline or
    a broker failure."""

    delivered: int
    emptied: bool


def drain(
    storage: Storage,
    publisher: Deliverer,
    *,
    limit: int,
    deadline: float,
    min_age: float = IN_FLIGHT_SECONDS,
) -> Drained:
    """Deliver up to `limit` waiting dispatches at least `min_age` seconds old, oldest first,
    until `deadline` (a `time.monotonic()` instant). Stops at the first one the broker does
    not take; the rest of that claim reappears when its lease ends. Raises StorageError from
    claiming."""
    delivered, step = 0, 1
    while delivered < limit and time.monotonic() < deadline:
        asked = min(step, limit - delivered)
        claimed = storage.claim_dispatches(asked, LEASE_SECONDS, min_age=min_age)
        for dispatch in claimed:
            if time.monotonic() >= deadline or not publisher.deliver_waiting(dispatch, deadline):
                return Drained(delivered, emptied=False)
            delivered += 1
        if len(claimed) < asked:
            return Drained(delivered, emptied=True)
        step = min(step * 2, MAX_CLAIM)
    return Drained(delivered, emptied=False)


class DrainSchedule:
    """When a writing process looks in the outbox after a successful publish: while it has
    seen a publish fail since a look last found the outbox dry, and otherwise at most every
    `every` seconds; one look at a time per process. Keeps the write path at one cheap claim
    per `every` seconds when nothing waits. Thread-safe."""

    def __init__(self, every: float = CHECK_EVERY, clock: Callable[[], float] = time.monotonic):
        self._every = every
        self._clock = clock
        self._lock = threading.Lock()
        self._suspect = False
        self._looked_at: float | None = None
        self._looking = False

    def failed(self) -> None:
        """A publish failed: its dispatch waits in the outbox."""
        with self._lock:
            self._suspect = True

    def begin(self) -> bool:
        """Should this caller look now? If True, it must call `end` afterwards."""
        with self._lock:
            due = (
                self._suspect
                or self._looked_at is None
                or self._clock() - self._looked_at >= self._every
            )
            if self._looking or not due:
                return False
            self._looking = True
            return True

    def end(self, *, emptied: bool) -> None:
        with self._lock:
            self._looking = False
            self._looked_at = self._clock()
            if emptied:
                self._suspect = False


class OutboxDrainer:
    """The worker's drain: a thread that delivers waiting dispatches at once and then every
    `interval` seconds until `stop`. A database or broker that is down is logged and tried
    again next round."""

    def __init__(
        self, storage: Storage, publisher: Deliverer, *, interval: float = DRAIN_INTERVAL
    ) -> None:
        self._storage = storage
        self._publisher = publisher
        self._interval = interval
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="outbox-drainer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = DRAIN_BUDGET + 1.0) -> None:
        """Ask the thread to stop and wait for it (a round in progress ends by its budget)."""
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            try:
                self.drain_once()
            except Exception:  # the drainer thread's top level: keep draining next round
                logger.exception("outbox drain failed")
            if self._stopping.wait(self._interval):
                return

    def drain_once(self) -> Drained | None:
        """One round; None when the database could not be asked (logged)."""
        try:
            return drain(
                self._storage,
                self._publisher,
                limit=DRAIN_LIMIT,
                deadline=time.monotonic() + DRAIN_BUDGET,
            )
        except StorageError as exc:
            logger.warning("outbox drain stopped", extra={"error": type(exc).__name__})
            return None
