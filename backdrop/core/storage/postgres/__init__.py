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
    # The embedded server (`DATABASE_ENGINE=postgres ./start-app.sh db`) listens on 5433, so a
    # system PostgreSQL keeps 5432.
    default_url="postgresql://postgres@127.0.0.1:5433/backdrop",
    open=_open,
    ensure_database=_ensure_database,
)
