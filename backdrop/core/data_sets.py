"""The operations on data sets that the apps, the CLI and the worker share.

Each takes a resolved `DataSetConfig`, validates with core, lets storage do the work, and shapes
the result. HTTP concerns (auth headers, bodies, status codes) stay in the apps.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from backdrop.core.data_set_config import DataSetConfig, is_data_set_name
from backdrop.core.errors import (
    CollectionNotFound,
    QueryTooLarge,
    RecordNotFound,
    RecordsInvalid,
    RequestInvalid,
    TooManyRows,
)
from backdrop.core.limits import (
    MAX_ID_BYTES,
    Limits,
    check_answer,
    check_periods,
    check_raw,
    raw_limit,
)
from backdrop.core.metrics import Metrics
from backdrop.core.query import Query
from backdrop.core.records import Record, prepare_patch, prepare_records, timestamp_bounds
from backdrop.core.results import Data, shape, shift_for
from backdrop.core.storage.base import Dispatch, Row, Storage
from backdrop.core.timeutils import now as utc_now


@dataclass(frozen=True, slots=True)
class Staleness:
    """One out-of-date data set on the status page (spec 1.1)."""

    name: str
    seconds_out_of_date: int
    last_updated: datetime
    max_age_expected: int


@dataclass(frozen=True, slots=True)
class Freshness:
    """A data set's newest data (None: no records) and whether it is stale (spec 1.1)."""

    name: str
    last_updated: datetime | None
    stale: bool


def new_dispatch(data_set: str, earliest: datetime, latest: datetime) -> Dispatch:
    """A transform dispatch with a fresh id (spec 6.1)."""
    return Dispatch(uuid.uuid4().hex, data_set, earliest, latest)


@dataclass(frozen=True, slots=True)
class Appended:
    """What a POST stored: the records, and the transform dispatch kept in the outbox with
    them (None when no record has a `_timestamp`, or when transforms were not asked for)."""

    records: list[Record]
    dispatch: Dispatch | None = field(default=None)


class DataSets:
    """Reads and writes of data sets over one storage engine, within `limits`."""

    def __init__(
        self, storage: Storage, limits: Limits | None = None, metrics: Metrics | None = None
    ) -> None:
        self._storage = storage
        self._limits = limits or Limits()
        self._metrics = metrics or Metrics()

    # -- writes ----------------------------------------------------------------------------

    def append(self, config: DataSetConfig, payload: object, *, transforms: bool) -> Appended:
        """Validate and upsert posted records (spec 3.2). With `transforms`, a dispatch over
        the records' `_timestamp` bounds (spec 6.1) is stored in the outbox with them."""
        try:
            records = prepare_records(payload, config)
        except RecordsInvalid:
            self._metrics.rejected(len(payload) if isinstance(payload, list) else 1)
            raise
        bounds = timestamp_bounds(records) if transforms else None
        dispatch = new_dispatch(config.name, *bounds) if bounds else None
        self.save(config, records, dispatch=dispatch)
        return Appended(records, dispatch)

    def save(
        self,
        config: DataSetConfig,
        records: Sequence[Record],
        *,
        dispatch: Dispatch | None = None,
    ) -> None:
        """Store records that already passed `prepare_records`, creating the data set."""
        _check_name(config.name)
        self._storage.create_data_set(config.name, config.capped_size)
        self._storage.save(config.name, records, dispatch=dispatch)
        self._metrics.stored(len(records))

    def empty(self, config: DataSetConfig, payload: object) -> None:
        """PUT `[]`: remove every record, keeping (or creating) the data set."""
        if payload != []:
            raise RequestInvalid("Not implemented: you can only pass an empty JSON list")
        _check_name(config.name)
        self._storage.create_data_set(config.name, config.capped_size)
        self._storage.empty_data_set(config.name)

    def patch(self, config: DataSetConfig, record_id: str, payload: object) -> None:
        """Merge fields into one record as sent (spec 1.2, Mongo semantics), checked only so
        far as every engine stores them alike (`prepare_patch`)."""
        fields = prepare_patch(payload)
        if not _could_exist(record_id) or not self._storage.patch_record(
            config.name, record_id, fields
        ):
            raise RecordNotFound(record_id)

    def delete_record(self, config: DataSetConfig, record_id: str) -> None:
        if not _could_exist(record_id) or not self._storage.delete_record(config.name, record_id):
            raise RecordNotFound(record_id)

    def drop(self, name: str) -> None:
        """Remove a whole data set (DELETE /data-sets/<name>); nothing else, whatever the name."""
        if not is_data_set_name(name) or not self._storage.drop_data_set(name):
            raise CollectionNotFound(name)

    # -- reads -----------------------------------------------------------------------------

    @contextlib.contextmanager
    def monotonic(self) -> Iterator[DataSets]:
        """These operations over one session of reads that never goes back in time
        (`Storage.monotonic_reads`), for the block."""
        with self._storage.monotonic_reads() as view:
            yield DataSets(view, self._limits, self._metrics)

    def version(self, config: DataSetConfig) -> str:
        """The data set's data version (`Storage.data_version`): answers are cached under it."""
        return self._storage.data_version(config.name)

    def raw(self, config: DataSetConfig, query: Query) -> list[Record]:
        """The stored records a raw query selects (spec 2.4.2), at most the row budget."""
        limited = replace(query, limit=raw_limit(query, self._limits))
        records = list(self._storage.find(config.name, limited))
        check_raw(len(records), self._limits)
        return records

    def stream(self, config: DataSetConfig, query: Query) -> Iterator[Record]:
        """Every record a raw query selects, as the database streams them: no row budget, for
        an operator's export (the CLI), never for an HTTP answer."""
        return self._storage.find(config.name, query)

    def grouped(self, config: DataSetConfig, query: Query) -> list[Data]:
        """A grouped or period query, shaped, with the one-time shift of spec 2.6; refused
        (QueryTooLarge) before it is built when it would exceed the row budget."""
        data = shape(query, self._rows(config.name, query))
        shift = shift_for(query, data)
        if shift:
            moved = query.shifted(shift)
            data = shape(moved, self._rows(config.name, moved))
        return data

    def _rows(self, name: str, query: Query) -> list[Row]:
        check_periods(query, self._limits)
        try:
            rows = self._storage.run(name, query, max_rows=self._limits.max_rows)
        except TooManyRows as exc:
            raise QueryTooLarge(
                exc.max_rows + 1,
                self._limits.max_rows,
                hint="filter it with filter_by, narrow its range or group by fewer fields",
                more=True,
            ) from exc
        check_answer(query, rows, self._limits)
        return rows

    def query(self, config: DataSetConfig, query: Query) -> list[Any]:
        """Any read: raw records or shaped groups."""
        if query.is_raw:
            return self.raw(config, query)
        return self.grouped(config, query)

    def field_names(self, config: DataSetConfig, sample: int) -> list[str]:
        """The client fields (not `_` ones) of the first `sample` stored records, sorted: the
        explorer's suggestions, from a bounded read whatever the data set's size."""
        records = self._storage.find(config.name, Query(limit=sample))
        return sorted({key for record in records for key in record if not key.startswith("_")})

    # -- status ----------------------------------------------------------------------------

    def stale(
        self, configs: Sequence[DataSetConfig], now: datetime | None = None
    ) -> list[Staleness]:
        """The monitored data sets whose newest data is older than `max_age_expected`."""
        monitored = [config for config in configs if config.max_age_expected is not None]
        last_updated = self._storage.last_updated([config.name for config in monitored])
        moment = now or utc_now()
        stale = []
        for config in monitored:
            updated = last_updated.get(config.name)
            if updated is None or config.max_age_expected is None:
                continue
            behind = _seconds_behind(updated, config.max_age_expected, moment)
            if behind >= 0:
                stale.append(Staleness(config.name, behind, updated, config.max_age_expected))
        return stale

    def freshness(
        self, configs: Sequence[DataSetConfig], now: datetime | None = None
    ) -> list[Freshness]:
        """Every data set's newest data and whether the status page counts it stale."""
        last_updated = self._storage.last_updated([config.name for config in configs])
        moment = now or utc_now()
        found = []
        for config in configs:
            updated = last_updated.get(config.name)
            stale = (
                updated is not None
                and config.max_age_expected is not None
                and _seconds_behind(updated, config.max_age_expected, moment) >= 0
            )
            found.append(Freshness(config.name, updated, stale))
        return found


def _seconds_behind(updated: datetime, max_age_expected: int, now: datetime) -> int:
    """How far the newest data is past its expected age (spec 1.1): stale when >= 0."""
    return int((now - updated).total_seconds() - max_age_expected)


def _check_name(name: str) -> None:
    if not is_data_set_name(name):
        raise RequestInvalid(f'"{name[:64]}" cannot be the name of a data set')


def _could_exist(record_id: str) -> bool:
    """False for ids no record can have (core refuses them on the way in)."""
    return "\0" not in record_id and len(record_id.encode("utf-8")) <= MAX_ID_BYTES
