"""What Backdrop knows of a storage engine, as one value.

Each engine's package describes itself in its `__init__` (`ENGINE`) without importing its
driver, so reading the description (settings validation, the CLI) costs nothing; the driver is
imported when a storage is opened. `backdrop.core.storage.ENGINES` collects them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from backdrop.core.storage.base import Storage


def created_on_first_write(url: str, timeout: float) -> bool:
    """`ensure_database` for an engine that makes a database with its first write."""
    return False


@dataclass(frozen=True, slots=True)
class Engine:
    """One engine: its `DATABASE_ENGINE` name, the URL schemes it serves, the URL it uses when
    `DATABASE_URL` is unset, and how to open a storage on it or create the database a URL
    names."""

    name: str
    schemes: tuple[str, ...]
    default_url: str
    # (url, timeout in seconds) -> a Storage that connects on first use.
    open: Callable[[str, float], Storage]
    # (url, timeout in seconds) -> True when the database was missing and is created now;
    # raises DatabaseMissing when it cannot be, StorageUnavailable when the server is not there.
    ensure_database: Callable[[str, float], bool] = created_on_first_write
