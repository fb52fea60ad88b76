"""The storage interface every engine implements, and the values that cross it.

One `Storage` per process, shared by threads. Engines push the work into the database: one
round trip per query, filtered, grouped, counted and summed there; one batch per write.
Shaping (nesting, gap filling, naming) stays in `core/results.py`. Every method raises
`StorageError` (with the driver's exception as `__cause__`), never a driver error.
"""

from __future__ import annotations

import abc
import contextlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from backdrop.core.query import Query

Record = dict[str, Any]
Document = dict[str, Any]


# Collected and Row are not frozen: shaping makes thousands per answer, and a frozen dataclass
# costs three times as much to build. Nothing changes them after an engine made them.
@dataclass(slots=True)
class Collected:
    """What the database computed for one collected field within one group (spec 2.4.3).

    `count` counts present values (null included; records lacking the field add nothing);
    `total` sums the numeric ones (booleans as 0/1); `non_numeric` counts the others, so a
    `sum`/`mean` over them can be refused; `values` holds the distinct values when a set was
    asked for (unordered).
    """

    count: int = 0
    total: int | float = 0
    non_numeric: int = 0
    values: tuple[Any, ...] = ()


@dataclass(frozen=True, slots=True)
class Dispatch:
    """A transform dispatch waiting in the outbox: queue `entrypoint(data_set, earliest,
    latest)` (spec 6.1). Written with the records that caused it, deleted once the broker
    took it, so a broker that is down delays transforms but never loses one."""

    id: str
    data_set: str
    earliest: datetime
    latest: datetime


@dataclass(slots=True)
class Row:
    """One group of a grouped query: a distinct combination of `group_by` values and period."""

    group: tuple[Any, ...]
    period_start: datetime | None
    count: int
    collected: Mapping[str, Collected] = field(default_factory=dict)


class Storage(abc.ABC):
    """Records of every data set, plus the documents of the built-in registry, in one database.

    A data set is named by its config `name`. Datetimes go in and come out aware UTC.
    """

    @abc.abstractmethod
    def close(self) -> None:
        """Release connections; the instance is unusable afterwards."""

    @abc.abstractmethod
    def ping(self) -> None:
        """Round trip to the database; raises StorageError when it does not answer."""

    def migrate(self) -> list[str]:
        """Bring the database's schema up to date; the names of the steps applied now.

        Engines with a schema also do this on first use, so a fresh database just works.
        """
        return []

    # -- data sets -------------------------------------------------------------------------

    @abc.abstractmethod
    def data_set_exists(self, data_set: str) -> bool:
        """True when the data set has been created (it may hold no records)."""

    @abc.abstractmethod
    def create_data_set(self, data_set: str, capped_size: int | None) -> None:
        """Create the data set if absent (spec 5.1): capped to `capped_size` bytes when > 0.

        Creating one that exists is a no-op, also when another process races us to it.
        """

    @abc.abstractmethod
    def drop_data_set(self, data_set: str) -> bool:
        """Remove the data set and its records; False when there was none."""

    @abc.abstractmethod
    def empty_data_set(self, data_set: str) -> None:
        """Remove every record; the data set itself stays."""

    @abc.abstractmethod
    def data_sets(self) -> dict[str, int | None]:
        """Every data set that exists, by name, with its cap in bytes (None: uncapped)."""

    @abc.abstractmethod
    def count_records(self, data_set: str) -> int:
        """How many records the data set holds (0 when it does not exist)."""

    # -- records ---------------------------------------------------------------------------

    @abc.abstractmethod
    def save(
        self, data_set: str, records: Sequence[Record], *, dispatch: Dispatch | None = None
    ) -> None:
        """Write one request's records in one batch, each stamped with `_updated_at` = now and,
        when it has a `_timestamp`, with the derived `_<period>_start_at` keys (spec 3.5).

        A record with an `_id` replaces any stored record with that `_id` (the last wins within a
        batch); one without is inserted with a generated id (spec 3.6). Concurrent saves of the
        same ids never fail on each other (engines lock in a stable order and retry a bounded
        number of times, then raise StorageBusy). `dispatch`, when given, goes into the outbox
        with the records: both are stored or neither.
        """

    @abc.abstractmethod
    def import_records(self, data_set: str, records: Sequence[Record]) -> None:
        """Write records exactly as given, `_id` and `_updated_at` included, in one batch, as
        `save` does otherwise (the data set is created uncapped if absent; no cap is applied):
        for copying data sets between databases (`backdrop db copy`).
        """

    @abc.abstractmethod
    def patch_record(self, data_set: str, record_id: str, fields: Mapping[str, Any]) -> bool:
        """Merge `fields` into one record and stamp `_updated_at`; False when it is absent."""

    @abc.abstractmethod
    def delete_record(self, data_set: str, record_id: str) -> bool:
        """Delete one record; False when it is absent."""

    @abc.abstractmethod
    def find(self, data_set: str, query: Query) -> Iterator[Record]:
        """A raw query (spec 2.4.2): stored records with filters, range, sort and limit applied
        by the database. Records come back as stored, with every internal field.

        The order is deterministic (identical queries over unchanged data, identical order): by
        `sort_by` with ties in a fixed order, else the database's natural order for that query,
        as the original's MongoDB gave it. That is insertion order for a scan, but the order of
        the `_timestamp` index (newest first) when the engine answers a time range from it, so
        callers must not assume insertion order.
        """

    @abc.abstractmethod
    def run(self, data_set: str, query: Query, *, max_rows: int | None = None) -> list[Row]:
        """A grouped query (spec 2.4.3): one Row per distinct combination of `group_by` values
        and period start, over the selected records that have every group key (not null) and,
        for period queries, a `_timestamp`. Order unspecified; no sort, limit or gap filling.
        With `max_rows`, raises TooManyRows when the database's answer holds more rows than
        that (counting any it forms and the engine then leaves out); it stops reading there.
        """

    @abc.abstractmethod
    def data_version(self, data_set: str) -> str:
        """An opaque value that changes with every change to the data set's records (save,
        empty, patch, delete, drop) and is never reused, not even after a drop and re-creation,
        so a response cached under it can never be stale. Any process may read or bump it.
        """

    @abc.abstractmethod
    def monotonic_reads(self) -> contextlib.AbstractContextManager[Storage]:
        """A view of this storage, valid within the block, whose reads never see an older state
        of the database than an earlier read of the block saw: one session, even when the URL
        reaches replicas that lag by different amounts. So a data version read before and
        again after a query, found unchanged, is the version of the answer (core/answers.py).
        """

    @abc.abstractmethod
    def last_updated(self, data_sets: Sequence[str]) -> dict[str, datetime | None]:
        """For each data set, its newest `_timestamp`, else its newest `_updated_at`, else None
        (spec 1.1), in as few round trips as the engine allows.
        """

    # -- the transform outbox ------------------------------------------------------------------

    @abc.abstractmethod
    def add_dispatch(self, dispatch: Dispatch) -> None:
        """Keep a dispatch the broker did not take (or that has no records to travel with)."""

    @abc.abstractmethod
    def claim_dispatches(
        self, limit: int, lease_seconds: float, *, min_age: float = 0.0
    ) -> list[Dispatch]:
        """Up to `limit` waiting dispatches, oldest first, each hidden from other claimers for
        `lease_seconds` (so two processes never publish the same one at once); one whose
        claimer died reappears when its lease ends. Only those stored at least `min_age`
        seconds ago: a younger one may still be on its way from the process that stored it."""

    @abc.abstractmethod
    def finish_dispatch(self, dispatch_id: str) -> None:
        """Forget a dispatch the broker has taken (absent ones are ignored)."""

    @abc.abstractmethod
    def count_dispatches(self) -> int:
        """How many dispatches are waiting (claimed or not)."""

    # -- documents of the built-in registry ----------------------------------------------------

    @abc.abstractmethod
    def get_document(self, kind: str, key: str) -> Document | None:
        """One registry document (`kind` is e.g. `data_sets`), or None."""

    @abc.abstractmethod
    def find_documents(self, kind: str, where: Mapping[str, Any] | None = None) -> list[Document]:
        """The documents of a kind whose top-level fields equal `where`, ordered by key."""

    @abc.abstractmethod
    def put_document(self, kind: str, key: str, document: Mapping[str, Any]) -> None:
        """Create or replace one registry document."""

    @abc.abstractmethod
    def delete_document(self, kind: str, key: str) -> bool:
        """Delete one registry document; False when it was absent."""

    @abc.abstractmethod
    def all_documents(self) -> Iterator[tuple[str, str, Document]]:
        """Every registry document as (kind, key, document), by kind then key (for copies)."""
