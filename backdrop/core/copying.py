"""Copying every data set and the built-in registry from one database to another, whatever
the two engines (`backdrop db copy`): records keep their ids and `_updated_at`, data sets their
caps. Batched; counts are compared at the end.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from backdrop.core.errors import RequestInvalid
from backdrop.core.query import Query
from backdrop.core.storage.base import Record, Storage

Progress = Callable[[int], None]


@dataclass(slots=True)
class CopySummary:
    """What was copied, and every count that differs between source and target afterwards."""

    data_sets: int = 0
    records: int = 0
    documents: int = 0
    mismatches: list[dict[str, Any]] = field(default_factory=list)

    @property
    def verified(self) -> bool:
        return not self.mismatches


def plan(source: Storage) -> dict[str, int]:
    """Every data set of the source with its number of records (for a progress bar)."""
    return {name: source.count_records(name) for name in source.data_sets()}


def copy_all(
    source: Storage,
    target: Storage,
    *,
    replace: bool = False,
    batch_size: int = 1000,
    progress: Progress | None = None,
) -> CopySummary:
    """Copy every data set and registry document from `source` to `target`.

    Raises RequestInvalid, before writing anything, when a target data set already holds
    records and `replace` is false; with `replace` such data sets are emptied first.
    """
    caps = source.data_sets()
    occupied = [name for name in caps if target.count_records(name)]
    if occupied and not replace:
        raise RequestInvalid(
            f"The target already holds records in {', '.join(occupied)}: use --replace"
        )
    summary = CopySummary()
    for name, cap in caps.items():
        target.create_data_set(name, cap)
        if name in occupied:
            target.empty_data_set(name)
        for batch in _batches(source.find(name, Query()), batch_size):
            target.import_records(name, batch)
            summary.records += len(batch)
            if progress is not None:
                progress(len(batch))
        summary.data_sets += 1
    for kind, key, document in source.all_documents():
        target.put_document(kind, key, document)
        summary.documents += 1
    summary.mismatches = _compare(source, target, caps)
    return summary


def _batches(records: Iterable[Record], size: int) -> Iterator[Sequence[Record]]:
    batch: list[Record] = []
    for record in records:
        batch.append(record)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _compare(source: Storage, target: Storage, caps: dict[str, int | None]) -> list[dict[str, Any]]:
    mismatches: list[dict[str, Any]] = []
    for name in caps:
        counts = source.count_records(name), target.count_records(name)
        if counts[0] != counts[1]:
            mismatches.append({"data_set": name, "source": counts[0], "target": counts[1]})
    documents = [
        {(kind, key) for kind, key, _ in storage.all_documents()} for storage in (source, target)
    ]
    missing = sorted(documents[0] - documents[1])
    if missing:
        mismatches.append({"documents_missing": [f"{kind}/{key}" for kind, key in missing]})
    return mismatches
