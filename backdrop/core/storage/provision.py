"""Creating the database a URL names, where its engine needs that done by hand (`db copy`).

MongoDB creates a database with its first write; PostgreSQL needs `CREATE DATABASE`. Each
engine's way lives with the engine; this table picks it by engine name, as `open_storage` does.
"""

from __future__ import annotations

from collections.abc import Callable
from types import MappingProxyType

from backdrop.core.config import engine_for_url


def _created_on_first_write(url: str, timeout: float) -> bool:
    return False


def _postgres(url: str, timeout: float) -> bool:
    from backdrop.core.storage.postgres.provision import ensure_database

    return ensure_database(url, timeout)


PROVISIONERS: MappingProxyType[str, Callable[[str, float], bool]] = MappingProxyType(
    {"mongodb": _created_on_first_write, "postgres": _postgres}
)


def ensure_database(url: str, timeout: float) -> bool:
    """Create the database `url` names if its server has none of that name; True if created.

    Raises DatabaseMissing when it does not exist and cannot be created, StorageUnavailable
    when the server cannot be reached within `timeout` seconds.
    """
    return PROVISIONERS[engine_for_url(url)](url, timeout)
