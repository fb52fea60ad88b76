"""What the shared suites need to know of each storage engine, supplied by the engine's entry
here (as Kinto's backend test classes each supply their backend), so that no shared test asks
which engine it runs on. An engine joins the suites with one entry in ENGINES_UNDER_TEST."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from tests.support.outages import (
    Restartable,
    RestartableMongo,
    RestartablePostgres,
    mongodb_url,
    postgres_url,
)
from tests.support.servers import another_mongodb_database, embedded_mongodb, throwaway_postgres


@dataclass(frozen=True, slots=True)
class EngineUnderTest:
    """One engine's facts for the tests; `name` is its `DATABASE_ENGINE`."""

    name: str
    session_database: Callable[[Path], AbstractContextManager[str]]
    """A database for a whole run (its files, if it has any, under the folder); yields its URL."""
    another_database: Callable[[str], AbstractContextManager[str]]
    """A new, empty database beside the one at the URL, dropped afterwards; yields its URL."""
    url_at: Callable[[int], str]
    """The URL of a server on 127.0.0.1 at the port (which may have nothing listening)."""
    restartable: Callable[[Path], Restartable]
    """A server of its own, in the folder, that a test stops and starts (outage tests)."""
    migrations: tuple[str, ...]
    """The schema migrations a new database gets, in the order they are applied."""


def _throwaway_postgres_database(_: object) -> AbstractContextManager[str]:
    """Every test database is a new one on the local PostgreSQL server."""
    return throwaway_postgres()


ENGINES_UNDER_TEST: Mapping[str, EngineUnderTest] = MappingProxyType(
    {
        "mongodb": EngineUnderTest(
            name="mongodb",
            session_database=embedded_mongodb,
            another_database=another_mongodb_database,
            url_at=mongodb_url,
            restartable=RestartableMongo,
            migrations=(),
        ),
        "postgres": EngineUnderTest(
            name="postgres",
            session_database=_throwaway_postgres_database,
            another_database=_throwaway_postgres_database,
            url_at=postgres_url,
            restartable=RestartablePostgres,
            migrations=("001_initial", "002_outbox", "003_object_names", "004_grouped_reads"),
        ),
    }
)
