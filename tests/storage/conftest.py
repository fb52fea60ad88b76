"""The conformance suite runs every test once per storage engine, on real servers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from backdrop.core.config import Settings
from backdrop.core.storage import ENGINES, open_storage
from backdrop.core.storage.base import Storage


@pytest.fixture(scope="session", params=tuple(ENGINES))
def storage(request: pytest.FixtureRequest) -> Iterator[Storage]:
    url = request.getfixturevalue(f"{request.param}_url")
    engine = open_storage(Settings(database_engine=request.param, database_url=url))
    yield engine
    engine.close()


@pytest.fixture
def data_set(name: str) -> str:
    """A fresh data set name for each test."""
    return name
