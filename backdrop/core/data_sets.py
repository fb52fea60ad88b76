"""The operations on data sets that the apps, the CLI and the worker share.

Each takes a resolved `DataSetConfig`, validates with core, lets storage do the work, and shapes
the result. HTTP concerns (auth headers, bodies, status codes) stay in the apps.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from backdrop.core.data_set import DataSetConfig
from backdrop.core.errors import CollectionNotFound, RecordNotFound, RequestInvalid
from backdrop.core.query import Query
from backdrop.core.records import Record, prepare_records, timestamp_bounds
from backdrop.core.results import Data, shape, shift_for
from backdrop.core.storage.base import Storage
from backdrop.core.timeutils import now as utc_now


@dataclass(frozen=True, slots=True)
class Staleness:
    """One out-of-date data set on the status page (spec 1.1)."""

    name: str
    seconds_out_of_date: int
    last_updated: datetime
    max_age_expected: int


class DataSets:
    """Reads and writes of data sets over one storage engine."""

    def __init__(self, storage: Storage) -> None:
        self._storage = storage

    # -- writes ----------------------------------------------------------------------------

    def append(
        self, config: DataSetConfig, payload: object
    ) -> tuple[list[Record], tuple[datetime, datetime] | None]:
        """Validate and upsert posted records (spec 3.2); the stored records and their
        `_timestamp` bounds (for transforms), or None when no record has a timestamp."""
        records = prepare_records(payload, config)
        self.save(config, records)
        return records, timestamp_bounds(records)

    def save(self, config: DataSetConfig, records: Sequence[Record]) -> None:
        """Store records that already passed `prepare_records`, creating the data set."""
        self._storage.create_data_set(config.name, config.capped_size)
        self._storage.save(config.name, records)

    def empty(self, config: DataSetConfig, payload: object) -> None:
        """PUT `[]`: remove every record, keeping (or creating) the data set."""
        if payload != []:
            raise RequestInvalid("Not implemented: you can only pass an empty JSON list")
        self._storage.create_data_set(config.name, config.capped_size)
        self._storage.empty_data_set(config.name)

    def patch(self, config: DataSetConfig, record_id: str, payload: object) -> None:
        """Merge fields into one record as sent: no validation (spec 1.2, Mongo semantics)."""
        if not isinstance(payload, dict):
            raise RequestInvalid("Expected a JSON object of the fields to change")
        fields = {key: value for key, value in payload.items() if key != "_id"}
        if not self._storage.patch_record(config.name, record_id, fields):
            raise RecordNotFound(record_id)

    def delete_record(self, config: DataSetConfig, record_id: str) -> None:
        if not self._storage.delete_record(config.name, record_id):
            raise RecordNotFound(record_id)

    def drop(self, name: str) -> None:
        """Remove a whole data set (DELETE /data-sets/<name>)."""
        if not self._storage.drop_data_set(name):
            raise CollectionNotFound(name)

    # -- reads -----------------------------------------------------------------------------

    def raw(self, config: DataSetConfig, query: Query) -> Iterator[Record]:
        """The stored records a raw query selects (spec 2.4.2)."""
        return self._storage.find(config.name, query)

    def grouped(self, config: DataSetConfig, query: Query) -> list[Data]:
        """A grouped or period query, shaped, with the one-time shift of spec 2.6."""
        data = shape(query, self._storage.run(config.name, query))
        shift = shift_for(query, data)
        if shift:
            moved = query.shifted(shift)
            data = shape(moved, self._storage.run(config.name, moved))
        return data

    def query(self, config: DataSetConfig, query: Query) -> list[Any]:
        """Any read: raw records or shaped groups."""
        if query.is_raw:
            return list(self.raw(config, query))
        return self.grouped(config, query)

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
            behind = (moment - updated).total_seconds() - config.max_age_expected
            if int(behind) >= 0:
                stale.append(Staleness(config.name, int(behind), updated, config.max_age_expected))
        return stale
