"""The engine's one seam for driver failures: each psycopg error becomes a Backdrop error by
its kind, its cause is logged once, and the circuit breaker hears whether the database could
be reached (the breaker's part is every engine's: core/storage/seam.py).

    cannot reach it (connection failures, pool timeout,
      class 08, 57P01-57P03, 53300)            -> StorageUnavailable ("PostgreSQL is unavailable")
    deadlock (40P01), serialization (40001)    -> Conflict, a StorageBusy the writers retry
    program limit (class 54, e.g. a btree row
      over its maximum)                        -> ValueTooLarge (413)
    text it cannot hold (22021, 22P05, NUL in
      a parameter, unencodable surrogates)     -> ValueNotStorable (400)
    a missing table (42P01)                    -> MissingTable (the data set does not exist)
    anything else                              -> StorageError (a 500 with a generic body)

The log line carries the SQLSTATE, the exception's class and the diagnostic fields that name
objects (schema, table, column, constraint), never the message, detail, context or hint:
PostgreSQL quotes record data in those.
"""

from __future__ import annotations

import logging

import psycopg

from backdrop.core.errors import StorageBusy, StorageError, ValueNotStorable, ValueTooLarge
from backdrop.core.storage.seam import DriverSeam

logger = logging.getLogger(__name__)

UNAVAILABLE = "PostgreSQL is unavailable"
NOT_STORABLE = "The value cannot be stored"
_UNREACHABLE_STATES = frozenset(
    {
        "57P01",  # admin_shutdown: the server is stopping
        "57P02",  # crash_shutdown
        "57P03",  # cannot_connect_now: the server is starting
        "53300",  # too_many_connections
    }
)
_CONFLICT_STATES = frozenset({"40P01", "40001"})  # deadlock_detected, serialization_failure
_UNREPRESENTABLE_STATES = frozenset({"22021", "22P05"})  # not in repertoire, untranslatable
_NAMING_FIELDS = ("schema_name", "table_name", "column_name", "constraint_name")


class MissingTable(StorageError):
    """The data set has no table: never created, dropped meanwhile, or a name no data set can
    have (see `UnusableName`)."""


class UnusableName(MissingTable, ValueNotStorable):
    """A name core's rule refuses (`is_data_set_name`): no table exists for it, so a lookup
    finds nothing, and none can be made, so a write is refused as a client error."""


class Conflict(StorageBusy):
    """The transaction deadlocked or failed to serialise against a concurrent one; running it
    again is safe, and `Connections.transaction` does so a bounded number of times."""


class PostgresSeam(DriverSeam):
    """The engine's seam (module docstring): `Connections` hands out every connection through
    its guard."""

    failures = (psycopg.Error, UnicodeEncodeError)
    unavailable = UNAVAILABLE

    def unreachable(self, failure: BaseException) -> bool:
        if not isinstance(failure, psycopg.OperationalError):
            return False
        sqlstate = failure.sqlstate
        # No SQLSTATE: the client failed to connect or lost the connection (PoolTimeout too).
        return sqlstate is None or sqlstate.startswith("08") or sqlstate in _UNREACHABLE_STATES

    def translate(self, failure: BaseException) -> StorageError:
        """Any answer from the database, even an error, closes the breaker (`answered`)."""
        if not isinstance(failure, psycopg.Error):  # lone surrogates: no UTF-8 for them
            return ValueNotStorable(NOT_STORABLE)
        sqlstate = failure.sqlstate or ""
        if sqlstate in _CONFLICT_STATES:
            return Conflict("PostgreSQL is busy with conflicting writes")
        if sqlstate.startswith("54"):
            return ValueTooLarge("The value is too large to store")
        if sqlstate in _UNREPRESENTABLE_STATES or (
            isinstance(failure, psycopg.DataError) and not sqlstate  # NUL in a text parameter
        ):
            return ValueNotStorable(NOT_STORABLE)
        if isinstance(failure, psycopg.errors.UndefinedTable):
            return MissingTable("data set table missing")
        return StorageError("PostgreSQL failed")

    def log(self, operation: str, failure: BaseException, error: StorageError) -> None:
        facts: dict[str, str | None] = {
            "error": type(failure).__name__,
            "kind": type(error).__name__,
        }
        if isinstance(failure, psycopg.Error):
            facts["sqlstate"] = failure.sqlstate
            facts.update((name, getattr(failure.diag, name, None)) for name in _NAMING_FIELDS)
        if isinstance(error, MissingTable):
            logger.debug("database error", extra=facts)
        elif type(error) is StorageError:
            logger.error("database error", extra=facts)
        else:
            logger.warning("database error", extra=facts)
