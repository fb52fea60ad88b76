"""All-or-nothing batches where the server can do them: one transaction per request's batch.

Replica sets, sharded clusters and the embedded server (a single-node replica set) run
multi-document transactions; a standalone mongod does not, and neither does any server for a
capped collection. Where there is no transaction a batch is written in order and may stop part
way (see README, "Durability": clients then send `_id`s so that sending it again is safe).

A transaction that conflicts with a concurrent one (the same records upserted at once) is run
again from the start, with jittered back-off, for at most `BUSY_SECONDS`; then the conflict
reaches the seam, which raises StorageBusy. MongoDB does not wait on a conflict: the second
writer of a record fails at once, and writers of the same records could keep failing each
other half way through their batches. So once a batch has conflicted, its next attempts first
take its data set's write lock (an update of one document, `backdrop.write_locks`, in the
transaction): a writer that finds it taken fails at that first, cheap statement and waits its
turn, and the holder runs undisturbed by the others. Batches that never conflict never take it,
so writers of distinct records stay concurrent.
"""

from __future__ import annotations

import itertools
import random
import threading
import time
from collections.abc import Callable

from pymongo import MongoClient
from pymongo.client_session import ClientSession
from pymongo.collection import Collection
from pymongo.errors import PyMongoError
from pymongo.write_concern import WriteConcern

from backdrop.core.storage.base import Document
from backdrop.core.storage.mongo.seam import is_transient

BUSY_SECONDS = 20.0  # how long a batch may keep meeting conflicts before StorageBusy
_FIRST_BACKOFF = 0.01  # seconds, doubled per attempt, jittered
_MAX_BACKOFF = 0.25
_COMMIT_ATTEMPTS = 2  # as pymongo does with retryable writes on
_UNKNOWN_COMMIT = "UnknownTransactionCommitResult"

Work = Callable[[ClientSession | None], None]


class Transactions:
    """Runs a batch's writes in one transaction when the server supports them."""

    def __init__(
        self,
        client: MongoClient[Document],
        write_concern: WriteConcern,
        locks: Collection[Document],
    ) -> None:
        self._client = client
        self._write_concern = write_concern
        self._locks = locks
        self._lock = threading.Lock()
        self._supported: bool | None = None

    def supported(self) -> bool:
        """Whether the server runs multi-document transactions: it has sessions and is a
        replica-set member or a mongos (its `hello`), and writes are acknowledged. Asked once."""
        if self._supported is None:
            hello = self._client.admin.command("hello")
            members = "setName" in hello or hello.get("msg") == "isdbgrid"
            sessions = hello.get("logicalSessionTimeoutMinutes") is not None
            with self._lock:
                self._supported = members and sessions and self._write_concern.acknowledged
        return self._supported

    def run(self, work: Work, *, lock: str, atomic: bool = True) -> None:
        """`work(session)` in a transaction (retried on conflicts, under the write lock named
        `lock` once it conflicted), or `work(None)` when `atomic` is False or the server has no
        transactions."""
        if not (atomic and self.supported()):
            work(None)
            return
        deadline = time.monotonic() + BUSY_SECONDS
        locking = False
        with self._client.start_session() as session:
            for attempt in itertools.count():
                session.start_transaction(write_concern=self._write_concern)
                try:
                    if locking:
                        self._locks.update_one(
                            {"_id": lock}, {"$inc": {"writes": 1}}, session=session
                        )
                    work(session)
                    _commit(session)
                    return
                except PyMongoError as exc:
                    if session.in_transaction:
                        session.abort_transaction()
                    if not is_transient(exc) or time.monotonic() > deadline:
                        raise
                if not locking:  # made outside any transaction, so no two writers race to it
                    self._locks.update_one(
                        {"_id": lock}, {"$setOnInsert": {"writes": 0}}, upsert=True
                    )
                    locking = True
                time.sleep(random.uniform(0, min(_MAX_BACKOFF, _FIRST_BACKOFF * 2**attempt)))


def _commit(session: ClientSession) -> None:
    """Commit, asking again while the outcome is unknown (a commit is idempotent; running the
    whole transaction again could store records without `_id` twice)."""
    for attempt in range(_COMMIT_ATTEMPTS):
        try:
            session.commit_transaction()
            return
        except PyMongoError as exc:
            if not exc.has_error_label(_UNKNOWN_COMMIT) or attempt == _COMMIT_ATTEMPTS - 1:
                raise
