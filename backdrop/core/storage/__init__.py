"""Storage engines behind one interface; `open_storage` picks one by name."""

from __future__ import annotations

from collections.abc import Callable
from types import MappingProxyType

from backdrop.core.config import Settings
from backdrop.core.storage.base import Storage


def _mongodb(settings: Settings) -> Storage:
    from backdrop.core.storage.mongo import MongoStorage

    return MongoStorage(settings.database_url, timeout=settings.database_timeout)


def _postgres(settings: Settings) -> Storage:
    from backdrop.core.storage.postgres import PostgresStorage

    return PostgresStorage(settings.database_url, timeout=settings.database_timeout)


ENGINES: MappingProxyType[str, Callable[[Settings], Storage]] = MappingProxyType(
    {"mongodb": _mongodb, "postgres": _postgres}
)


def open_storage(settings: Settings) -> Storage:
    """The engine named by `DATABASE_ENGINE`, connected lazily to `DATABASE_URL`."""
    return ENGINES[settings.database_engine](settings)
