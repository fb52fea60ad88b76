"""The conformance suite runs every test once per storage engine, on real servers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from backdrop.core.config import Settings
from tests.support.servers import another_mongodb_database, throwaway_postgres


@pytest.fixture
def fresh(database_engine: str, request: pytest.FixtureRequest) -> Iterator[Settings]:
    """Settings for a new, empty database of each engine, dropped afterwards: for tests that
    change what the whole database holds, or that a failure could leave broken for others."""
    if database_engine == "postgres":
        with throwaway_postgres() as url:
            yield Settings(database_engine="postgres", database_url=url)
    else:
        with another_mongodb_database(request.getfixturevalue("mongodb_url")) as url:
            yield Settings(database_engine="mongodb", database_url=url)
