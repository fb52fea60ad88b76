"""A database that does not answer: StorageUnavailable, never a driver error; the engine can
be built before the database is up (the apps start first)."""

from __future__ import annotations

import pytest

from backdrop.core.config import Settings
from backdrop.core.errors import StorageUnavailable
from backdrop.core.query import Query
from backdrop.core.storage import open_storage
from backdrop.core.storage.base import Storage
from tests.support.engines import EngineUnderTest
from tests.support.servers import free_port


def unreachable(engine: EngineUnderTest) -> Storage:
    url = engine.url_at(free_port())
    return open_storage(
        Settings(database_engine=engine.name, database_url=url, database_timeout=0.5)
    )


def test_an_unreachable_database_raises_storage_unavailable(
    engine_under_test: EngineUnderTest,
) -> None:
    storage = unreachable(engine_under_test)
    try:
        with pytest.raises(StorageUnavailable):
            storage.ping()
        with pytest.raises(StorageUnavailable):
            list(storage.find("any", Query()))
        with pytest.raises(StorageUnavailable):
            storage.save("any", [{"_id": "a"}])
    finally:
        storage.close()
