"""The conformance suite runs every test once per storage engine, on real servers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from backdrop.core.config import Settings
from tests.support.engines import EngineUnderTest


@pytest.fixture
def fresh(engine_under_test: EngineUnderTest, database_url: str) -> Iterator[Settings]:
    """Settings for a new, empty database of each engine, dropped afterwards: for tests that
    change what the whole database holds, or that a failure could leave broken for others."""
    with engine_under_test.another_database(database_url) as url:
        yield Settings(database_engine=engine_under_test.name, database_url=url)
