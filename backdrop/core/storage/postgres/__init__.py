"""The PostgreSQL storage engine: its description."""

from __future__ import annotations

from typing import TYPE_CHECKING

from backdrop.core.storage.engine import Engine

if TYPE_CHECKING:
    from backdrop.core.storage.base import Storage


def _open(url: str, timeout: float) -> Storage:
    from backdrop.core.storage.postgres.storage import PostgresStorage

    return PostgresStorage(url, timeout=timeout)


def _ensure_database(url: str, timeout: float) -> bool:
    from backdrop.core.storage.postgres.provision import ensure_database

    return ensure_database(url, timeout)


ENGINE = Engine(
    name="postgres",
    schemes=("postgresql", "postgres"),
    default_url="postgresql://127.0.0.1:5432/backdrop",
    open=_open,
    ensure_database=_ensure_database,
)
