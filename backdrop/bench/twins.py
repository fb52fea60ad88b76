"""The raw-database twins: the same work as Backdrop does, run directly with the driver."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from pymongo import MongoClient, ReplaceOne

from backdrop.bench.queries import BenchQuery
from backdrop.core.periods import period_starts
from backdrop.core.timeutils import now


class Twin(Protocol):
    """Direct access to the database Backdrop runs on."""

    def load(self, documents: Sequence[dict[str, Any]], batch: int) -> float:
        """Upsert prepared records (as `prepare_records` leaves them) into a scratch data set
        in batches, stored as the engine stores them; seconds taken."""
        ...

    def query(self, query: BenchQuery) -> Callable[[], object]:
        """A call that runs `query`'s aggregation directly."""
        ...

    def close(self) -> None: ...


class MongoTwin:
    """pymongo against the data set's collection."""

    def __init__(self, url: str, data_set: str) -> None:
        self._client: MongoClient[dict[str, Any]] = MongoClient(url, tz_aware=True)
        self._db = self._client.get_default_database("backdrop")
        self._records = self._db[data_set]
        self._scratch = f"{data_set}_raw_load"

    def load(self, documents: Sequence[dict[str, Any]], batch: int) -> float:
        self._db.drop_collection(self._scratch)
        scratch = self._db[self._scratch]
        documents = [{**d, **period_starts(d["_timestamp"])} for d in documents]  # as stored
        started = time.perf_counter()
        for start in range(0, len(documents), batch):
            stamp = now()
            scratch.bulk_write(
                [
                    ReplaceOne({"_id": d["_id"]}, {**d, "_updated_at": stamp}, upsert=True)
                    for d in documents[start : start + batch]
                ],
                ordered=True,
            )
        elapsed = time.perf_counter() - started
        self._db.drop_collection(self._scratch)
        return elapsed

    def query(self, query: BenchQuery) -> Callable[[], object]:
        return lambda: query.mongo(self._records)

    def close(self) -> None:
        self._client.close()
