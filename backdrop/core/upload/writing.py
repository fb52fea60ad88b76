"""Records read from a file go through the normal write pipeline (spec 3.2): the same checks,
messages, upserts and auto ids as a POST. What this adds is the row each message belongs to.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from itertools import islice

from backdrop.core.data_set_config import DataSetConfig
from backdrop.core.data_sets import Appended, DataSets
from backdrop.core.errors import RecordsInvalid, RowsInvalid
from backdrop.core.records import prepare_records, timestamp_bounds
from backdrop.core.schema import messages_by_record
from backdrop.core.upload.rows import Numbered, RowError

Bounds = tuple[datetime, datetime] | None


def row_problems(config: DataSetConfig, rows: Sequence[Numbered]) -> list[tuple[int, str]]:
    """Each record's own messages from the write pipeline, in its order (schema first), with
    its row number. Records are checked one by one, so a message that a batch gets once
    (missing auto-id fields) is named at every row it applies to."""
    by_schema = (
        messages_by_record(config.schema, [record for _, record in rows])
        if config.schema is not None
        else [[] for _ in rows]
    )
    unschemed = replace(config, schema=None)
    problems: list[tuple[int, str]] = []
    for (number, record), schema_messages in zip(rows, by_schema, strict=True):
        problems += [(number, message) for message in schema_messages]
        try:
            prepare_records([record], unschemed)
        except RecordsInvalid as exc:
            problems += [(number, message) for message in exc.messages]
    return problems


def append_rows(data_sets: DataSets, config: DataSetConfig, rows: Sequence[Numbered]) -> Appended:
    """Store all the rows' records or none, with their transform dispatch, as a POST of them
    would (spec 3.2, 6.1).

    Raises RowsInvalid with the POST's messages and each message's row.
    """
    try:
        return data_sets.append(config, [record for _, record in rows], transforms=True)
    except RecordsInvalid as exc:
        raise RowsInvalid(exc.messages, row_problems(config, rows)) from exc


@dataclass(slots=True)
class ImportSummary:
    """How an import went so far: records written, rows rejected (row, message), rows read,
    and the `_timestamp` range written (for transforms)."""

    written: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    rows_read: int = 0
    earliest: datetime | None = None
    latest: datetime | None = None

    @property
    def bounds(self) -> Bounds:
        if self.earliest is None or self.latest is None:
            return None
        return self.earliest, self.latest

    def count_written(self, written: int, bounds: Bounds) -> None:
        self.written += written
        if bounds is not None:
            self.earliest = min(bounds[0], self.earliest or bounds[0])
            self.latest = max(bounds[1], self.latest or bounds[1])


def import_rows(
    data_sets: DataSets,
    config: DataSetConfig,
    items: Iterable[Numbered | RowError],
    summary: ImportSummary,
    *,
    batch_size: int = 1000,
    on_batch: Callable[[ImportSummary], None] | None = None,
) -> None:
    """Write the records in batches through the pipeline, keeping count in `summary` (so it
    tells how far an import got when reading the file fails part way). Unlike an upload, a
    bad row does not stop the rest: it is rejected with its messages and the other rows of
    its batch are written. `on_batch` sees the summary after each batch (a progress bar)."""
    pending = iter(items)
    while batch := list(islice(pending, batch_size)):
        rows = [item for item in batch if not isinstance(item, RowError)]
        errors = [item for item in batch if isinstance(item, RowError)]
        summary.rejected += [(error.row, error.message) for error in errors]
        summary.rows_read += len(batch)
        if rows:
            _write_batch(data_sets, config, rows, summary)
        if on_batch is not None:
            on_batch(summary)
    summary.rejected.sort(key=lambda problem: problem[0])  # by row; messages keep their order


def _write_batch(
    data_sets: DataSets, config: DataSetConfig, rows: list[Numbered], summary: ImportSummary
) -> None:
    try:
        appended = data_sets.append(config, [record for _, record in rows], transforms=False)
    except RecordsInvalid:
        problems = row_problems(config, rows)
        summary.rejected += problems
        refused = {number for number, _ in problems}
        rows = [(number, record) for number, record in rows if number not in refused]
        if not rows:
            return
        appended = data_sets.append(config, [record for _, record in rows], transforms=False)
    summary.count_written(len(appended.records), timestamp_bounds(appended.records))
