"""A clock tests move by hand, for code that takes `clock: Callable[[], float]`."""

from __future__ import annotations


class Clock:
    """Monotonic seconds that change only when a test sets `now`."""

    def __init__(self, now: float = 100.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now
