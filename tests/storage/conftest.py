"""The conformance suite runs every test once per storage engine, on real servers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from backdrop.core.config import Settings
from backdrop.core.storage import open_storage
from backdrop.core.storage.base import Storage
from tests.support.servers import another_mongodb_database, throwaway_postgres


@pytest.fixture(scope="session")
def storage(database_engine: str, database_url: str) -> Iterator[Storage]:
    """Each engine in turn (`database_engine` is parametrised in tests/conftest.py)."""
    engine = open_storage(Settings(database_engine=database_engine, database_url=database_url))
    yield engine
    engine.close()


@pytest.fixture
def data_set(name: str) -> str:
    """A fresh data set name for each test."""
    return name


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
