"""A database that does not answer: StorageUnavailable, never a driver error; the engine can
be built before the database is up (the apps start first)."""

from __future__ import annotations

import pytest

from backdrop.core.errors import StorageUnavailable
from backdrop.core.query import Query
from backdrop.core.storage.base import Storage
from backdrop.core.storage.mongo import MongoStorage
from backdrop.core.storage.postgres import PostgresStorage
from tests.support.processes import free_port


def unreachable(engine: str) -> Storage:
    port = free_port()
    if engine == "postgres":
        return PostgresStorage(f"postgresql://postgres@127.0.0.1:{port}/none", timeout=0.5)
    return MongoStorage(f"mongodb://127.0.0.1:{port}/none?directConnection=true", timeout=0.5)


def test_an_unreachable_database_raises_storage_unavailable(database_engine: str) -> None:
    storage = unreachable(database_engine)
    try:
        with pytest.raises(StorageUnavailable):
            storage.ping()
        with pytest.raises(StorageUnavailable):
            list(storage.find("any", Query()))
        with pytest.raises(StorageUnavailable):
            storage.save("any", [{"_id": "a"}])
    finally:
        storage.close()
