"""The grouping pipeline's answer as the interface's rows: MongoDB's row assembly, beside the
pipeline (`pipeline.py`) that produced it, as PostgreSQL's is beside its SQL."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from backdrop.core.query import Query
from backdrop.core.storage.base import Document, Row
from backdrop.core.storage.mongo.pipeline import collected


def to_rows(query: Query, documents: Iterable[Document]) -> list[Row]:
    """One row per `group_pipeline` document: its group keys (`g<i>`), period start (`p`),
    count and collected fields; documents without a period start are in no period."""
    fields = query.collected_fields
    groups = range(len(query.group_by))
    rows = []
    for document in documents:
        keys = document["_id"]
        period_start = keys.get("p")
        if query.period is not None and not isinstance(period_start, datetime):
            continue  # no `_timestamp`: not in any period (spec 2.4.3)
        rows.append(
            Row(
                group=tuple(keys[f"g{index}"] for index in groups),
                period_start=period_start,
                count=int(document["_count"]),
                collected={name: collected(document, index) for index, name in enumerate(fields)},
            )
        )
    return rows
