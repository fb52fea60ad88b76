"""A circuit breaker: while a dependency is down, answer for it at once instead of queueing.

Each storage engine keeps one per process at its driver seam. After a failure to reach the
database the breaker opens: calls fail immediately (the caller raises StorageUnavailable) for
`cooldown` seconds, then one call at a time is let through as a probe; the first success
closes it again. So a database that is down costs one request one timeout, not every request.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class CircuitBreaker:
    """Thread-safe; `allow()` before a call, then `succeeded()` or `failed()` after it."""

    def __init__(self, cooldown: float = 1.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._cooldown = cooldown
        self._clock = clock
        self._lock = threading.Lock()
        self._open_until: float | None = None  # None: closed
        self._probing = False

    @property
    def is_open(self) -> bool:
        """True while calls are refused (a probe may be under way)."""
        with self._lock:
            return self._open_until is not None

    def allow(self) -> bool:
        """May a call go ahead? When closed, always; when open, only one probe at a time, and
        only once the cool-down has passed."""
        with self._lock:
            if self._open_until is None:
                return True
            if self._probing or self._clock() < self._open_until:
                return False
            self._probing = True
            return True

    def succeeded(self) -> None:
        """The dependency answered: close the breaker."""
        with self._lock:
            self._open_until = None
            self._probing = False

    def failed(self) -> None:
        """The dependency could not be reached: refuse calls for the next cool-down."""
        with self._lock:
            self._open_until = self._clock() + self._cooldown
            self._probing = False

    def released(self) -> None:
        """A call that was allowed ended without telling either way (e.g. the database refused
        the statement): a probe slot it held is free again."""
        with self._lock:
            self._probing = False
