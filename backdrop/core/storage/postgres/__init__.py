"""The PostgreSQL storage engine."""

from backdrop.core.storage.postgres.storage import PostgresStorage

__all__ = ["PostgresStorage"]
