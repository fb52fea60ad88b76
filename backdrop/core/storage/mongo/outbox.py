"""The transform outbox in the `backdrop.outbox` collection: one document per waiting dispatch,
hidden from other claimers until its lease (`available_at`) ends."""

from __future__ import annotations

from datetime import timedelta

from bson import ObjectId
from pymongo.client_session import ClientSession
from pymongo.collection import Collection

from backdrop.core.storage.base import Dispatch, Document
from backdrop.core.timeutils import now


def add(outbox: Collection[Document], dispatch: Dispatch, session: ClientSession | None) -> None:
    """Keep `dispatch` (once: adding it again changes nothing), in `session`'s transaction."""
    stamp = now()
    document = {
        "_id": dispatch.id,
        "data_set": dispatch.data_set,
        "earliest": dispatch.earliest,
        "latest": dispatch.latest,
        "created_at": stamp,
        # BSON dates count milliseconds: dispatches stored within one keep their order by this
        # (an ObjectId's counter rises with every id a process makes).
        "order": ObjectId(),
        "available_at": stamp,
        "attempts": 0,
    }
    outbox.update_one(
        {"_id": dispatch.id}, {"$setOnInsert": document}, upsert=True, session=session
    )


def claim(
    outbox: Collection[Document], limit: int, lease_seconds: float, min_age: float
) -> list[Dispatch]:
    """Up to `limit` available dispatches stored at least `min_age` seconds ago, oldest first,
    each leased by one atomic update."""
    claimed = []
    for _ in range(limit):
        stamp = now()
        document = outbox.find_one_and_update(
            {
                "available_at": {"$lte": stamp},
                "created_at": {"$lte": stamp - timedelta(seconds=min_age)},
            },
            {
                "$set": {"available_at": stamp + timedelta(seconds=lease_seconds)},
                "$inc": {"attempts": 1},
            },
            sort=[("created_at", 1), ("order", 1)],
        )
        if document is None:
            break
        claimed.append(
            Dispatch(
                str(document["_id"]),
                str(document["data_set"]),
                document["earliest"],
                document["latest"],
            )
        )
    return claimed
