"""Records as MongoDB keeps and finds them: the stored document, the filter for an id the read
API showed, and a batch as bulk-write operations."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo import InsertOne, ReplaceOne

from backdrop.core.periods import period_starts
from backdrop.core.storage.base import Document, Record
from backdrop.core.storage.mongo.names import encodable

_GENERATED_ID = re.compile(r"[0-9a-f]{24}")

Operation = InsertOne[Document] | ReplaceOne[Document]


def stored(record: Record, updated_at: datetime) -> Document:
    """The document MongoDB keeps: the record, its derived period keys, `_updated_at`."""
    stamp = record.get("_timestamp")
    derived = period_starts(stamp) if isinstance(stamp, datetime) else {}
    return {**record, **derived, "_updated_at": updated_at}


def by_id(record_id: str) -> dict[str, Any] | None:
    """The filter for the record the read API shows as `record_id`: a generated id is stored as
    an ObjectId and read back as its 24 hex digits, so those match both forms (pinned 1). None
    for an id no record can have (text BSON cannot encode)."""
    if _GENERATED_ID.fullmatch(record_id):
        return {"_id": {"$in": [record_id, ObjectId(record_id)]}}
    return {"_id": record_id} if encodable(record_id) else None


def bulk_operations(documents: Sequence[Document], *, capped: bool) -> list[Operation]:
    """One upsert per document with an `_id` (the last wins), an insert for the others."""
    operations: list[Operation] = []
    for record in documents:
        document = dict(record)
        if capped and "_id" not in document:
            # The embedded server trims a capped collection on upserts but not on batched
            # inserts; an id made here keeps it bounded there and costs MongoDB nothing.
            document["_id"] = ObjectId()
        if "_id" in document:
            operations.append(ReplaceOne({"_id": document["_id"]}, document, upsert=True))
        else:
            operations.append(InsertOne(document))
    return operations
