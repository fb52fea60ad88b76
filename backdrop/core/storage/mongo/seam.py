"""The MongoDB engine's one seam to pymongo: every public `Storage` method runs through it
(`guarded`). The breaker's part is every engine's (core/storage/seam.py).

There, and nowhere else, driver and BSON failures become storage errors by kind, most specific
first:

* the database cannot be reached (no server selected in time, a dropped connection, a network
  timeout) -> StorageUnavailable, and the circuit breaker opens, so the next calls answer at
  once instead of each waiting out the timeout;
* a record over MongoDB's 16 MB document limit (or an index key over its limit) -> ValueTooLarge;
* a value BSON cannot encode (an integer beyond 64 bits, a NUL in a key, text with a lone
  surrogate) or a field name the server refuses -> ValueNotStorable;
* a write conflict that the transaction runner's bounded retries did not resolve -> StorageBusy;
* anything else -> StorageError (a 500 with a generic message).

The cause is logged once, here: the exception class, the server's error code and codeName.
Never the server's message or details: they quote the documents they refused.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar, cast

from bson.errors import BSONError
from pymongo.errors import (
    BulkWriteError,
    ConnectionFailure,
    DocumentTooLarge,
    OperationFailure,
    PyMongoError,
)

from backdrop.core.breaker import CircuitBreaker
from backdrop.core.errors import StorageBusy, StorageError, ValueNotStorable, ValueTooLarge
from backdrop.core.storage.seam import DriverSeam

logger = logging.getLogger(__name__)

UNAVAILABLE = "MongoDB is unavailable"
BUSY = "MongoDB kept refusing the write because of concurrent writes to the same records"
TOO_LARGE = "A record is too large to store: MongoDB keeps at most 16 MB per record"
NOT_STORABLE = "A value in the request cannot be stored in MongoDB"

# Server error codes by kind (mongod's error_codes.yml; SecantusDB uses the same numbers).
_TOO_LARGE_CODES = frozenset(
    {
        10334,  # BSONObjectTooLarge: an inserted or updated document over 16 MB
        17419,  # an update whose resulting document is over 16 MB
        17420,  # an upsert (a record with an `_id`) over 16 MB
        17280,  # KeyTooLong: an index key over 1024 bytes (MongoDB before 4.2)
    }
)
_NOT_STORABLE_CODES = frozenset(
    {
        52,  # DollarPrefixedFieldName
        56,  # EmptyFieldName
        57,  # DottedFieldName
    }
)
_CONFLICT_CODES = frozenset({112})  # WriteConflict
_TRANSIENT = "TransientTransactionError"

# BSON refuses an integer past 64 bits with OverflowError, text with a lone surrogate with
# UnicodeEncodeError.
DriverFailure = (PyMongoError, BSONError, OverflowError, UnicodeEncodeError)


def _server_code(error: BaseException) -> tuple[int | None, str | None]:
    """The server's code and codeName; for a bulk write, those of its first refused write."""
    if isinstance(error, BulkWriteError):
        details: Mapping[str, Any] = error.details or {}
        refused = details.get("writeErrors") or details.get("writeConcernErrors") or [{}]
        return refused[0].get("code"), refused[0].get("codeName")
    if isinstance(error, OperationFailure):
        return error.code, (error.details or {}).get("codeName")
    return None, None


def storage_error(error: BaseException) -> StorageError:
    """The storage error for a driver or BSON failure of a server that could be reached (see
    the module docstring)."""
    code, _ = _server_code(error)
    if isinstance(error, DocumentTooLarge) or code in _TOO_LARGE_CODES:
        return ValueTooLarge(TOO_LARGE)
    if isinstance(error, BSONError | OverflowError | UnicodeEncodeError) or (
        code in _NOT_STORABLE_CODES
    ):
        return ValueNotStorable(NOT_STORABLE)
    if isinstance(error, PyMongoError) and (
        error.has_error_label(_TRANSIENT) or code in _CONFLICT_CODES
    ):
        return StorageBusy(BUSY)
    return StorageError(f"MongoDB failed: {type(error).__name__}")


def is_transient(error: PyMongoError) -> bool:
    """A transaction that failed this way can be run again from the start at once: a conflict
    with a concurrent writer. Not a lost connection (pymongo labels those transient too), as
    trying again would wait out the timeout once more."""
    return error.has_error_label(_TRANSIENT) and not isinstance(error, ConnectionFailure)


class Seam(DriverSeam):
    """The seam of one MongoStorage (one per process): pymongo's and BSON's failures, and a
    guard that a method calling another on the same thread enters once."""

    failures = DriverFailure
    unavailable = UNAVAILABLE

    def __init__(self, breaker: CircuitBreaker) -> None:
        super().__init__(breaker)
        self._local = threading.local()

    def unreachable(self, failure: BaseException) -> bool:
        return isinstance(failure, ConnectionFailure)

    def translate(self, failure: BaseException) -> StorageError:
        return storage_error(failure)

    def answered(self, failure: BaseException) -> bool:
        """A refusal leaves the breaker as it was (BSON fails before anything is sent)."""
        return False

    def log(self, operation: str, failure: BaseException, error: StorageError) -> None:
        code, code_name = _server_code(failure)
        logger.warning(
            "mongodb call failed",
            extra={
                "operation": operation,
                "error": type(failure).__name__,
                "code": code,
                "code_name": code_name,
                "outcome": type(error).__name__,
            },
        )

    @contextlib.contextmanager
    def guard(self, operation: str, *, admitted: bool = False) -> Iterator[None]:
        """The seam's guard, once per thread: a guard inside another (a method calling another)
        leaves all to the outer one, so a failure is mapped, counted and logged once."""
        if getattr(self._local, "inside", False):
            yield
            return
        self._local.inside = True
        try:
            with super().guard(operation, admitted=admitted):
                yield
        finally:
            self._local.inside = False

    def iterate(self, operation: str, steps: Iterator[Any]) -> Iterator[Any]:
        """`steps` with each step guarded, never the time the consumer holds an item (it may
        call other storage methods meanwhile, each then guarded on its own)."""
        while True:
            with self.guard(operation):
                try:
                    item = next(steps)
                except StopIteration:
                    return
            yield item


class Guarded(Protocol):
    """What `guarded` methods belong to: an engine with a seam."""

    @property
    def seam(self) -> Seam: ...


S = TypeVar("S", bound=Guarded)
P = ParamSpec("P")
R = TypeVar("R")


def guarded(method: Callable[Concatenate[S, P], R]) -> Callable[Concatenate[S, P], R]:
    """Run a storage method through its engine's seam; a generator method step by step."""
    name = method.__name__
    if inspect.isgeneratorfunction(method):

        def steps(self: S, /, *args: P.args, **kwargs: P.kwargs) -> Iterator[Any]:
            return self.seam.iterate(name, iter(method(self, *args, **kwargs)))

        return cast(Callable[Concatenate[S, P], R], functools.wraps(method)(steps))

    def call(self: S, /, *args: P.args, **kwargs: P.kwargs) -> R:
        with self.seam.guard(name):
            return method(self, *args, **kwargs)

    return cast(Callable[Concatenate[S, P], R], functools.wraps(method)(call))
