"""The MongoDB engine (spec 5.1): one collection per data set, named after it.

The layout is the original's, so an existing Backdrop database is served as it is. Registry
documents live in `backdrop.<kind>` collections, whose dotted names no data set can take.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from bson import ObjectId
from pymongo import DESCENDING, InsertOne, MongoClient, ReplaceOne
from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import CollectionInvalid, ConnectionFailure, OperationFailure, PyMongoError

from backdrop.core.errors import StorageError, StorageUnavailable, TooManyRows
from backdrop.core.periods import period_starts
from backdrop.core.query import Query
from backdrop.core.storage.base import Dispatch, Document, Record, Row, Storage
from backdrop.core.storage.mongo.pipeline import collected, group_pipeline, selection
from backdrop.core.timeutils import now

_NAMESPACE_EXISTS = 48
_VERSIONS = "data_versions"
_OUTBOX = "outbox"
_TIMESTAMP_INDEX = "_timestamp_-1"
_MIN_CAPPED_SIZE = 4096


@contextlib.contextmanager
def _driver_errors() -> Iterator[None]:
    """Turn every pymongo failure into StorageError at the engine's edge."""
    try:
        yield
    except ConnectionFailure as exc:
        raise StorageUnavailable("MongoDB is unavailable") from exc
    except PyMongoError as exc:
        raise StorageError(f"MongoDB failed: {type(exc).__name__}") from exc


def _stored(record: Record, updated_at: datetime) -> Document:
    """The document MongoDB keeps: the record, its derived period keys, `_updated_at`."""
    stamp = record.get("_timestamp")
    derived = period_starts(stamp) if isinstance(stamp, datetime) else {}
    return {**record, **derived, "_updated_at": updated_at}


class MongoStorage(Storage):
    """Storage on MongoDB (or the embedded SecantusDB) through one pooled MongoClient."""

    def __init__(self, url: str, *, timeout_ms: int = 10_000) -> None:
        # Lazy: the client connects in the background, so apps start before the database.
        self._client: MongoClient[Document] = MongoClient(
            url,
            tz_aware=True,
            tzinfo=UTC,
            connect=False,
            serverSelectionTimeoutMS=timeout_ms,
            appname="backdrop",
        )
        self._db: Database[Document] = self._client.get_default_database("backdrop")

    def close(self) -> None:
        self._client.close()

    def ping(self) -> None:
        with _driver_errors():
            self._db.command("ping")

    def _records(self, data_set: str) -> Collection[Document]:
        return self._db[data_set]

    def _bump_version(self, data_set: str) -> None:
        """A new random version after every change (never reused: see `data_version`)."""
        self._documents(_VERSIONS).update_one(
            {"_id": data_set}, {"$set": {"version": uuid.uuid4().hex}}, upsert=True
        )

    # -- data sets -------------------------------------------------------------------------

    def data_set_exists(self, data_set: str) -> bool:
        with _driver_errors():
            return bool(self._db.list_collection_names(filter={"name": data_set}))

    def create_data_set(self, data_set: str, capped_size: int | None) -> None:
        if self.data_set_exists(data_set):
            return
        options: dict[str, Any] = {}
        if capped_size:  # MongoDB caps at 4096 bytes at least; the embedded server is told so
            options = {"capped": True, "size": max(capped_size, _MIN_CAPPED_SIZE)}
        with _driver_errors():
            try:
                self._db.create_collection(data_set, **options)
            except CollectionInvalid:
                return
            except OperationFailure as exc:
                if exc.code != _NAMESPACE_EXISTS:
                    raise
                return
            self._records(data_set).create_index(
                [("_timestamp", DESCENDING)], name=_TIMESTAMP_INDEX
            )

    def drop_data_set(self, data_set: str) -> bool:
        if not self.data_set_exists(data_set):
            return False
        with _driver_errors():
            self._db.drop_collection(data_set)
            self._bump_version(data_set)
        return True

    def empty_data_set(self, data_set: str) -> None:
        with _driver_errors():
            self._records(data_set).delete_many({})
            self._bump_version(data_set)

    def data_sets(self) -> dict[str, int | None]:
        with _driver_errors():
            collections = list(self._db.list_collections())
        found: dict[str, int | None] = {}
        for collection in collections:
            name = str(collection["name"])
            if name.startswith(("backdrop.", "system.")) or collection.get("type") == "view":
                continue
            options = collection.get("options") or {}
            found[name] = int(options["size"]) if options.get("capped") else None
        return dict(sorted(found.items()))

    def count_records(self, data_set: str) -> int:
        with _driver_errors():
            return self._records(data_set).count_documents({})

    # -- records ---------------------------------------------------------------------------

    def save(
        self, data_set: str, records: Sequence[Record], *, dispatch: Dispatch | None = None
    ) -> None:
        stamp = now()
        self._write(data_set, [_stored(record, stamp) for record in records])
        if dispatch is not None:
            self.add_dispatch(dispatch)

    def import_records(self, data_set: str, records: Sequence[Record]) -> None:
        self._write(data_set, records)

    def _write(self, data_set: str, documents: Sequence[Document]) -> None:
        if not documents:
            return
        capped = self._is_capped(data_set)
        operations: list[InsertOne[Document] | ReplaceOne[Document]] = []
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
        with _driver_errors():
            self._records(data_set).bulk_write(operations, ordered=True)
            self._bump_version(data_set)

    def _is_capped(self, data_set: str) -> bool:
        with _driver_errors():
            found = list(self._db.list_collections(filter={"name": data_set}))
        return bool(found and found[0].get("options", {}).get("capped"))

    def patch_record(self, data_set: str, record_id: str, fields: Mapping[str, Any]) -> bool:
        update = {"$set": {**fields, "_updated_at": now()}}
        with _driver_errors():
            result = self._records(data_set).update_one({"_id": record_id}, update)
            if result.matched_count:
                self._bump_version(data_set)
        return result.matched_count > 0

    def delete_record(self, data_set: str, record_id: str) -> bool:
        with _driver_errors():
            result = self._records(data_set).delete_one({"_id": record_id})
            if result.deleted_count:
                self._bump_version(data_set)
        return result.deleted_count > 0

    def find(self, data_set: str, query: Query) -> Iterator[Record]:
        sort: list[tuple[str, int]] = []
        if query.sort_by is not None:
            sort = [(query.sort_by.field, -1 if query.sort_by.descending else 1)]
            if query.sort_by.field != "_id":
                sort.append(("_id", 1))  # ties in a stable order: identical requests, same bytes
        with _driver_errors():
            cursor = self._records(data_set).find(
                selection(query), sort=sort or None, limit=query.limit or 0, batch_size=1000
            )
            yield from cursor

    def run(self, data_set: str, query: Query, *, max_rows: int | None = None) -> list[Row]:
        fields = query.collected_fields
        pipeline = group_pipeline(query)
        if max_rows is not None:
            pipeline.append({"$limit": max_rows + 1})
        with _driver_errors():
            documents = list(self._records(data_set).aggregate(pipeline))
        if max_rows is not None and len(documents) > max_rows:
            raise TooManyRows(max_rows)
        rows = []
        for document in documents:
            keys = document["_id"]
            period_start = keys.get("p")
            if query.period is not None and not isinstance(period_start, datetime):
                continue  # no `_timestamp`: not in any period (spec 2.4.3)
            rows.append(
                Row(
                    group=tuple(keys[f"g{index}"] for index in range(len(query.group_by))),
                    period_start=period_start,
                    count=int(document["_count"]),
                    collected={
                        name: collected(document, index) for index, name in enumerate(fields)
                    },
                )
            )
        return rows

    def data_version(self, data_set: str) -> str:
        with _driver_errors():
            document = self._documents(_VERSIONS).find_one({"_id": data_set})
        if document is None:
            # Never changed through us (e.g. a database from the original Backdrop): start one.
            with _driver_errors():
                self._documents(_VERSIONS).update_one(
                    {"_id": data_set},
                    {"$setOnInsert": {"version": uuid.uuid4().hex}},
                    upsert=True,
                )
                document = self._documents(_VERSIONS).find_one({"_id": data_set}) or {}
        return str(document.get("version", ""))

    def last_updated(self, data_sets: Sequence[str]) -> dict[str, datetime | None]:
        with _driver_errors():
            existing = set(self._db.list_collection_names())
            return {
                name: self._newest(self._records(name)) if name in existing else None
                for name in data_sets
            }

    @staticmethod
    def _newest(records: Collection[Document]) -> datetime | None:
        for field in ("_timestamp", "_updated_at"):
            document = records.find_one(
                {field: {"$type": "date"}}, projection={field: 1}, sort=[(field, DESCENDING)]
            )
            if document is not None:
                return document[field]  # type: ignore[no-any-return]
        return None

    # -- the transform outbox ------------------------------------------------------------------

    def add_dispatch(self, dispatch: Dispatch) -> None:
        stamp = now()
        document = {
            "_id": dispatch.id,
            "data_set": dispatch.data_set,
            "earliest": dispatch.earliest,
            "latest": dispatch.latest,
            "created_at": stamp,
            "available_at": stamp,
            "attempts": 0,
        }
        with _driver_errors():
            self._documents(_OUTBOX).update_one(
                {"_id": dispatch.id}, {"$setOnInsert": document}, upsert=True
            )

    def claim_dispatches(
        self, limit: int, lease_seconds: float, *, min_age: float = 0.0
    ) -> list[Dispatch]:
        claimed = []
        with _driver_errors():
            for _ in range(limit):
                stamp = now()
                document = self._documents(_OUTBOX).find_one_and_update(
                    {
                        "available_at": {"$lte": stamp},
                        "created_at": {"$lte": stamp - timedelta(seconds=min_age)},
                    },
                    {
                        "$set": {"available_at": stamp + timedelta(seconds=lease_seconds)},
                        "$inc": {"attempts": 1},
                    },
                    sort=[("created_at", 1), ("_id", 1)],
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

    def finish_dispatch(self, dispatch_id: str) -> None:
        with _driver_errors():
            self._documents(_OUTBOX).delete_one({"_id": dispatch_id})

    def count_dispatches(self) -> int:
        with _driver_errors():
            return self._documents(_OUTBOX).count_documents({})

    # -- documents of the built-in registry ----------------------------------------------------

    def _documents(self, kind: str) -> Collection[Document]:
        return self._db[f"backdrop.{kind}"]

    def get_document(self, kind: str, key: str) -> Document | None:
        with _driver_errors():
            document = self._documents(kind).find_one({"_id": key})
        if document is not None:
            document.pop("_id")
        return document

    def find_documents(self, kind: str, where: Mapping[str, Any] | None = None) -> list[Document]:
        with _driver_errors():
            documents = list(self._documents(kind).find(dict(where or {}), sort=[("_id", 1)]))
        for document in documents:
            document.pop("_id")
        return documents

    def put_document(self, kind: str, key: str, document: Mapping[str, Any]) -> None:
        with _driver_errors():
            self._documents(kind).replace_one({"_id": key}, {**document, "_id": key}, upsert=True)

    def delete_document(self, kind: str, key: str) -> bool:
        with _driver_errors():
            return self._documents(kind).delete_one({"_id": key}).deleted_count > 0

    def all_documents(self) -> Iterator[tuple[str, str, Document]]:
        with _driver_errors():
            names = sorted(self._db.list_collection_names())
            for name in names:
                kind = name.removeprefix("backdrop.")
                if kind in (name, _VERSIONS, _OUTBOX):
                    continue
                for document in self._documents(kind).find({}, sort=[("_id", 1)]):
                    key = document.pop("_id")
                    yield kind, str(key), document
