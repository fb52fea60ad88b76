"""The MongoDB engine (spec 5.1): one collection per data set, named after it.

The layout is the original's, so an existing Backdrop database is served as it is. Registry
documents, data versions and the transform outbox live in `backdrop.<kind>` collections, whose
dotted names no data set can take; the engine never treats them (or MongoDB's `system.*`) as
data sets, whatever name it is given.

Every public method runs through the seam (`seam.py`: errors by kind, the circuit breaker); a
request's batch is one transaction where the server has them (`transactions.py`), with its
outbox entry; writes wait for the journal (`client.py`).
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from pymongo import DESCENDING
from pymongo.client_session import ClientSession
from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import CollectionInvalid, OperationFailure

from backdrop.core.breaker import CircuitBreaker
from backdrop.core.errors import TooManyRows, ValueNotStorable
from backdrop.core.query import Query
from backdrop.core.storage.base import Dispatch, Document, Record, Row, Storage
from backdrop.core.storage.mongo import outbox
from backdrop.core.storage.mongo.client import connect, journaled
from backdrop.core.storage.mongo.names import collection_name, data_set_name, encodable
from backdrop.core.storage.mongo.pipeline import group_pipeline, selection
from backdrop.core.storage.mongo.records import bulk_operations, by_id, stored
from backdrop.core.storage.mongo.rows import to_rows
from backdrop.core.storage.mongo.seam import Seam, guarded
from backdrop.core.storage.mongo.transactions import Transactions
from backdrop.core.timeutils import now

_NAMESPACE_EXISTS = 48
_INTERNAL_ERROR = 1  # SecantusDB's answer to a `$sum` of longs past 64 bits
_VERSIONS = "data_versions"
_OUTBOX = "outbox"
_WRITE_LOCKS = "write_locks"
_TIMESTAMP_INDEX = "_timestamp_-1"
_MIN_CAPPED_SIZE = 4096
_NOT_A_DATA_SET = "That name cannot be a data set's name"
_NOT_A_KIND = "That name cannot be a kind of registry document"


def _sums(query: Query) -> bool:
    return any(needs.sums for needs in query.needs)


class MongoStorage(Storage):
    """Storage on MongoDB (or the embedded SecantusDB) through one pooled MongoClient.

    `timeout` (seconds) bounds how long a call waits for a database it cannot reach; after such
    a failure the breaker refuses calls at once for a second, then lets one through to probe.
    """

    def __init__(self, url: str, *, timeout: float) -> None:
        self._client = connect(url, timeout)
        write_concern = journaled(self._client.write_concern)
        self._db: Database[Document] = self._client.get_default_database(
            "backdrop", write_concern=write_concern
        )
        self._transactions = Transactions(
            self._client, write_concern, self._documents(_WRITE_LOCKS)
        )
        self._seam = Seam(CircuitBreaker())

    @property
    def seam(self) -> Seam:
        """What every public method runs through (`guarded`)."""
        return self._seam

    def close(self) -> None:
        self._client.close()

    @guarded
    def ping(self) -> None:
        self._db.command("ping")

    @guarded
    def migrate(self) -> list[str]:
        """Nothing to bring up to date (collections and indexes are made with their data sets),
        but `backdrop db migrate` must still learn whether the database answers."""
        self._db.command("ping")
        return []

    def _records(self, data_set: str) -> Collection[Document]:
        """The data set's collection, for a write; a name no data set can have is refused."""
        if not data_set_name(data_set):
            raise ValueNotStorable(_NOT_A_DATA_SET)
        return self._db[data_set]

    def _existing(self, data_set: str) -> Collection[Document] | None:
        """The data set's collection, for a read: None for a name no data set can have, which
        holds no records."""
        return self._db[data_set] if data_set_name(data_set) else None

    def _bump_version(self, data_set: str) -> None:
        """A new random version after every change (never reused: see `data_version`)."""
        self._documents(_VERSIONS).update_one(
            {"_id": data_set}, {"$set": {"version": uuid.uuid4().hex}}, upsert=True
        )

    # -- data sets -------------------------------------------------------------------------

    @guarded
    def data_set_exists(self, data_set: str) -> bool:
        if not data_set_name(data_set):
            return False
        found = list(self._db.list_collections(filter={"name": data_set}))
        return bool(found) and found[0].get("type", "collection") == "collection"

    @guarded
    def create_data_set(self, data_set: str, capped_size: int | None) -> None:
        records = self._records(data_set)
        if self.data_set_exists(data_set):
            return
        options: dict[str, Any] = {}
        if capped_size:  # MongoDB caps at 4096 bytes at least; the embedded server is told so
            options = {"capped": True, "size": max(capped_size, _MIN_CAPPED_SIZE)}
        if self._make_collection(data_set, options):
            records.create_index([("_timestamp", DESCENDING)], name=_TIMESTAMP_INDEX)

    def _make_collection(self, data_set: str, options: Mapping[str, Any]) -> bool:
        """Create the collection; False when another process made it first."""
        try:
            self._db.create_collection(data_set, **options)
        except CollectionInvalid:
            return False
        except OperationFailure as exc:
            if exc.code != _NAMESPACE_EXISTS:
                raise
            return False
        return True

    @guarded
    def drop_data_set(self, data_set: str) -> bool:
        if not self.data_set_exists(data_set):
            return False
        self._db.drop_collection(data_set)
        self._bump_version(data_set)
        return True

    @guarded
    def empty_data_set(self, data_set: str) -> None:
        self._records(data_set).delete_many({})
        self._bump_version(data_set)

    @guarded
    def data_sets(self) -> dict[str, int | None]:
        found: dict[str, int | None] = {}
        for collection in self._db.list_collections():
            name = str(collection["name"])
            if not data_set_name(name) or collection.get("type") == "view":
                continue
            options = collection.get("options") or {}
            found[name] = int(options["size"]) if options.get("capped") else None
        return dict(sorted(found.items()))

    @guarded
    def count_records(self, data_set: str) -> int:
        records = self._existing(data_set)
        return 0 if records is None else records.count_documents({})

    # -- records ---------------------------------------------------------------------------

    @guarded
    def save(
        self, data_set: str, records: Sequence[Record], *, dispatch: Dispatch | None = None
    ) -> None:
        stamp = now()
        self._write(data_set, [stored(record, stamp) for record in records], dispatch=dispatch)

    @guarded
    def import_records(self, data_set: str, records: Sequence[Record]) -> None:
        self._write(data_set, records, dispatch=None)

    def _write(
        self, data_set: str, documents: Sequence[Document], *, dispatch: Dispatch | None
    ) -> None:
        """The batch and its outbox entry in one transaction where the server has them (a
        capped collection never does); the version changes once they are visible."""
        records = self._records(data_set)
        capped = False
        if documents:
            found = list(self._db.list_collections(filter={"name": data_set}))
            if not found:  # made before the transaction: writers racing to make it would conflict
                self._make_collection(data_set, {})  # as an insert makes it: no index
            capped = bool(found and found[0].get("options", {}).get("capped"))
        # Built once: the ids pymongo gives inserts stay the same when a conflict runs it again.
        operations = bulk_operations(documents, capped=capped)

        def work(session: ClientSession | None) -> None:
            if operations:
                records.bulk_write(operations, ordered=True, session=session)
            if dispatch is not None:
                outbox.add(self._documents(_OUTBOX), dispatch, session)

        self._transactions.run(work, lock=data_set, atomic=not capped)
        if operations:
            self._bump_version(data_set)

    @guarded
    def patch_record(self, data_set: str, record_id: str, fields: Mapping[str, Any]) -> bool:
        # A pipeline update with literal values: a nested object is stored as sent, whatever its
        # keys (`$date`, `a.b`, ""), never read as an operator or a path (pinned 2).
        values = {**fields, "_updated_at": now()}
        update = [{"$set": {name: {"$literal": value} for name, value in values.items()}}]
        records, match = self._records(data_set), by_id(record_id)
        if match is None:
            return False
        result = records.update_one(match, update)
        if result.matched_count:
            self._bump_version(data_set)
        return result.matched_count > 0

    @guarded
    def delete_record(self, data_set: str, record_id: str) -> bool:
        records, match = self._records(data_set), by_id(record_id)
        if match is None:
            return False
        result = records.delete_one(match)
        if result.deleted_count:
            self._bump_version(data_set)
        return result.deleted_count > 0

    @guarded
    def find(self, data_set: str, query: Query) -> Iterator[Record]:
        sort: list[tuple[str, int]] = []
        if query.sort_by is not None:
            sort = [(query.sort_by.field, -1 if query.sort_by.descending else 1)]
            if query.sort_by.field != "_id":
                sort.append(("_id", 1))  # ties in a stable order: identical requests, same bytes
        records = self._existing(data_set)
        if records is not None:
            yield from records.find(
                selection(query), sort=sort or None, limit=query.limit or 0, batch_size=1000
            )

    @guarded
    def run(self, data_set: str, query: Query, *, max_rows: int | None = None) -> list[Row]:
        records = self._existing(data_set)
        if records is None:
            return []
        try:
            documents = _grouped(records, group_pipeline(query), max_rows)
        except OperationFailure as exc:
            if exc.code != _INTERNAL_ERROR or not _sums(query):
                raise
            exact = group_pipeline(query, exact_longs=True)
            documents = _grouped(records, exact, max_rows)
        return to_rows(query, documents)

    @guarded
    def data_version(self, data_set: str) -> str:
        document = self._documents(_VERSIONS).find_one({"_id": data_set})
        if document is None:
            # Never changed through us (e.g. a database from the original Backdrop): start one.
            self._documents(_VERSIONS).update_one(
                {"_id": data_set}, {"$setOnInsert": {"version": uuid.uuid4().hex}}, upsert=True
            )
            document = self._documents(_VERSIONS).find_one({"_id": data_set}) or {}
        return str(document.get("version", ""))

    @contextlib.contextmanager
    def monotonic_reads(self) -> Iterator[Storage]:
        """This engine with one causally consistent session bound to every operation of the
        block: MongoDB makes each read wait until the member it goes to (any secondary, with
        `readPreference=secondaryPreferred`) has caught up with what the session saw before.
        Starting a session costs no round trip."""
        with self._client.start_session(causal_consistency=True) as session, session.bind():
            yield self

    @guarded
    def last_updated(self, data_sets: Sequence[str]) -> dict[str, datetime | None]:
        existing = {name for name in self._db.list_collection_names() if data_set_name(name)}
        return {
            name: self._newest(self._db[name]) if name in existing else None for name in data_sets
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

    @guarded
    def add_dispatch(self, dispatch: Dispatch) -> None:
        outbox.add(self._documents(_OUTBOX), dispatch, None)

    @guarded
    def claim_dispatches(
        self, limit: int, lease_seconds: float, *, min_age: float = 0.0
    ) -> list[Dispatch]:
        return outbox.claim(self._documents(_OUTBOX), limit, lease_seconds, min_age)

    @guarded
    def finish_dispatch(self, dispatch_id: str) -> None:
        self._documents(_OUTBOX).delete_one({"_id": dispatch_id})

    @guarded
    def count_dispatches(self) -> int:
        return self._documents(_OUTBOX).count_documents({})

    # -- documents of the built-in registry ----------------------------------------------------

    def _documents(self, kind: str) -> Collection[Document]:
        return self._db[f"backdrop.{kind}"]

    def _kind(self, kind: str) -> Collection[Document] | None:
        """A kind's collection, or None for a kind MongoDB cannot name (it holds nothing)."""
        return self._documents(kind) if collection_name(kind) else None

    @guarded
    def get_document(self, kind: str, key: str) -> Document | None:
        documents = self._kind(kind)
        if documents is None or not encodable(key):
            return None
        document = documents.find_one({"_id": key})
        if document is not None:
            document.pop("_id")
        return document

    @guarded
    def find_documents(self, kind: str, where: Mapping[str, Any] | None = None) -> list[Document]:
        documents = self._kind(kind)
        conditions = dict(where or {})
        texts = [value for value in conditions.values() if isinstance(value, str)]
        if documents is None or not all(map(encodable, texts)):
            return []
        found = list(documents.find(conditions, sort=[("_id", 1)]))
        for document in found:
            document.pop("_id")
        return found

    @guarded
    def put_document(self, kind: str, key: str, document: Mapping[str, Any]) -> None:
        documents = self._kind(kind)
        if documents is None:
            raise ValueNotStorable(_NOT_A_KIND)
        documents.replace_one({"_id": key}, {**document, "_id": key}, upsert=True)

    @guarded
    def delete_document(self, kind: str, key: str) -> bool:
        documents = self._kind(kind)
        if documents is None or not encodable(key):
            return False
        return documents.delete_one({"_id": key}).deleted_count > 0

    @guarded
    def all_documents(self) -> Iterator[tuple[str, str, Document]]:
        for name in sorted(self._db.list_collection_names()):
            kind = name.removeprefix("backdrop.")
            if kind in (name, _VERSIONS, _OUTBOX, _WRITE_LOCKS):
                continue
            for document in self._documents(kind).find({}, sort=[("_id", 1)]):
                key = document.pop("_id")
                yield kind, str(key), document


def _grouped(
    records: Collection[Document], pipeline: list[dict[str, Any]], max_rows: int | None
) -> list[Document]:
    """The pipeline's answer, stopped one row past `max_rows` (TooManyRows then)."""
    if max_rows is not None:
        pipeline = [*pipeline, {"$limit": max_rows + 1}]
    documents = list(records.aggregate(pipeline))
    if max_rows is not None and len(documents) > max_rows:
        raise TooManyRows(max_rows)
    return documents
