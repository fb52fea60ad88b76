"""Shapes shared by the transform functions: input rows and output records."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any

Record = dict[str, Any]
Row = Mapping[str, Any]
Rows = Sequence[Row]
# A transform's definition or a data set's config, as the registry's JSON gives it.
Config = Mapping[str, Any]


def group_rows(rows: Sequence[Row], key: Callable[[Row], Hashable]) -> dict[Any, list[Row]]:
    """Rows grouped by `key`, groups in first-seen order, rows in input order."""
    groups: dict[Any, list[Row]] = {}
    for row in rows:
        groups.setdefault(key(row), []).append(row)
    return groups


def by_period(rows: Sequence[Row]) -> dict[tuple[str, str], list[Row]]:
    """Rows grouped by (`_start_at`, `_end_at`) in first-seen order."""
    return group_rows(rows, lambda row: (row["_start_at"], row["_end_at"]))
