"""The MongoDB storage engine."""

from backdrop.core.storage.mongo.storage import MongoStorage

__all__ = ["MongoStorage"]
