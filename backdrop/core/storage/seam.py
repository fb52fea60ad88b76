"""The door every engine's driver calls go through, with the engine's circuit breaker.

What is the same for every engine lives here: a call is refused at once while the breaker is
open; a driver failure that means the database cannot be reached becomes StorageUnavailable
and opens the breaker (only that is "unavailable": STYLE 12b); any other driver failure
becomes what the engine's `translate` says; each is logged once, by the engine's `log` (which
knows what its driver's errors may quote); anything else that ends the call (an error of ours,
a consumer stopping early) leaves the breaker as it was, freeing a probe it held.

Each engine subclasses `DriverSeam` once (`mongo/seam.py`, `postgres/errors.py`).
"""

from __future__ import annotations

import abc
import contextlib
from collections.abc import Iterator
from typing import ClassVar

from backdrop.core.breaker import CircuitBreaker
from backdrop.core.errors import StorageError, StorageUnavailable


class DriverSeam(abc.ABC):
    """One engine's seam: `failures` are its driver's exception classes, `unavailable` the
    message of its StorageUnavailable."""

    failures: ClassVar[tuple[type[BaseException], ...]]
    unavailable: ClassVar[str]

    def __init__(self, breaker: CircuitBreaker) -> None:
        self.breaker = breaker

    @abc.abstractmethod
    def unreachable(self, failure: BaseException) -> bool:
        """Does this failure mean the database cannot be reached (down, gone, too slow)?"""

    @abc.abstractmethod
    def translate(self, failure: BaseException) -> StorageError:
        """The storage error for a failure of a database that could be reached."""

    @abc.abstractmethod
    def log(self, operation: str, failure: BaseException, error: StorageError) -> None:
        """Log the failure once, without anything the driver's text may quote."""

    def answered(self, failure: BaseException) -> bool:
        """Did the database answer, for all this (reachable) failure? Then the breaker closes;
        else it stays as it was."""
        return True

    @contextlib.contextmanager
    def guard(self, operation: str, *, admitted: bool = False) -> Iterator[None]:
        """Run one call through the seam (module docstring). `admitted`: a step of a call the
        breaker already let through (asking again would refuse the half-open breaker's probe)."""
        if not admitted and not self.breaker.allow():
            raise StorageUnavailable(self.unavailable)
        try:
            yield
        except self.failures as failure:
            if self.unreachable(failure):
                error: StorageError = StorageUnavailable(self.unavailable)
                self.breaker.failed()
            else:
                error = self.translate(failure)
                if self.answered(failure):
                    self.breaker.succeeded()
                else:
                    self.breaker.released()
            self.log(operation, failure, error)
            raise error from failure
        except BaseException:
            self.breaker.released()
            raise
        else:
            self.breaker.succeeded()
