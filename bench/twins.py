"""The raw-database twins: the same work as Backdrop does, run directly with the driver."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from pymongo import MongoClient, ReplaceOne

from backdrop.core.periods import period_starts
from backdrop.core.timeutils import now
from bench.queries import BenchQuery


@dataclass(frozen=True, slots=True)
class Statement:
    """What an engine itself sends the database for a query: its text, and a call running it."""

    text: str
    run: Callable[[], object]


class Twin(Protocol):
    """Direct access to the database Backdrop runs on."""

    label: str  # what the raw figures are, for the report

    def start_load(self) -> None:
        """Create an empty scratch data set for `upsert`."""
        ...

    def upsert(self, records: Sequence[dict[str, Any]]) -> None:
        """Upsert one batch of prepared records (as `prepare_records` leaves them) into the
        scratch data set, stored as the engine stores them, in one transaction or bulk write."""
        ...

    def end_load(self) -> None:
        """Drop the scratch data set."""
        ...

    def query(self, query: BenchQuery) -> Callable[[], object]:
        """A call that runs `query`'s aggregation directly."""
        ...

    def statement(self, query: BenchQuery) -> Statement | None:
        """The statement Backdrop's engine runs for `query`, or None where it builds no single
        statement one can time apart from the app."""
        ...

    def close(self) -> None: ...


class MongoTwin:
    """pymongo against the data set's collection."""

    label = "the same pipeline in pymongo"

    def __init__(self, url: str, data_set: str) -> None:
        self._client: MongoClient[dict[str, Any]] = MongoClient(url, tz_aware=True)
        self._db = self._client.get_default_database("backdrop")
        self._records = self._db[data_set]
        self._scratch = f"{data_set}_raw_load"

    def start_load(self) -> None:
        self._db.drop_collection(self._scratch)

    def upsert(self, records: Sequence[dict[str, Any]]) -> None:
        stamp = now()
        self._db[self._scratch].bulk_write(
            [
                ReplaceOne(
                    {"_id": record["_id"]},
                    {**record, **period_starts(record["_timestamp"]), "_updated_at": stamp},
                    upsert=True,
                )
                for record in records
            ],
            ordered=True,
        )

    def end_load(self) -> None:
        self._db.drop_collection(self._scratch)

    def query(self, query: BenchQuery) -> Callable[[], object]:
        return lambda: query.mongo(self._records)

    def statement(self, query: BenchQuery) -> Statement | None:
        return None

    def close(self) -> None:
        self._client.close()
