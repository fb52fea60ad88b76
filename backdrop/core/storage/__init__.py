"""Storage engines behind one interface: the table of engines, and opening one.

An engine joins by describing itself in its package (`ENGINE`, see `engine.py`) and taking a
line here; settings, the CLI and the tests learn its name, URL schemes and default URL from
this table, and nowhere else.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from backdrop.core.errors import SettingsInvalid
from backdrop.core.storage import mongo, postgres
from backdrop.core.storage.engine import Engine

if TYPE_CHECKING:
    from backdrop.core.config import Settings
    from backdrop.core.storage.base import Storage

# By `DATABASE_ENGINE` name; the first is the default engine.
ENGINES: Mapping[str, Engine] = MappingProxyType(
    {engine.name: engine for engine in (mongo.ENGINE, postgres.ENGINE)}
)
DEFAULT_ENGINE = next(iter(ENGINES.values()))


def engine_named(name: str) -> Engine:
    """The engine `DATABASE_ENGINE` names; SettingsInvalid for any other name."""
    try:
        return ENGINES[name]
    except KeyError:
        raise SettingsInvalid(f'Database engine not implemented "{name}"') from None


def engine_for_url(url: str) -> Engine:
    """The engine that serves a database URL, from its scheme (`mongodb://`, `postgresql://`)."""
    scheme = urlsplit(url).scheme.lower()
    for engine in ENGINES.values():
        if scheme in engine.schemes:
            return engine
    raise SettingsInvalid(f'No database engine for URLs starting "{scheme}://"')


def open_storage(settings: Settings) -> Storage:
    """The engine named by `DATABASE_ENGINE`, connected lazily to `DATABASE_URL`."""
    return ENGINES[settings.database_engine].open(settings.database_url, settings.database_timeout)


def ensure_database(url: str, timeout: float) -> bool:
    """Create the database `url` names if its server has none of that name; True if created.

    Raises DatabaseMissing when it does not exist and cannot be created, StorageUnavailable
    when the server cannot be reached within `timeout` seconds.
    """
    return engine_for_url(url).ensure_database(url, timeout)
