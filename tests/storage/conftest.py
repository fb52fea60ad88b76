"""The conformance suite runs every test once per storage engine, on real servers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from backdrop.core.config import Settings
from backdrop.core.storage import open_storage
from backdrop.core.storage.base import Storage


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
