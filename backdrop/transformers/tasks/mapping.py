"""`backdrop.transformers.tasks.mapping.compute`: relabel groups of rows and sum a value
(spec 6.5), in the three-argument form with options from `transform["options"]` (spec 10 #6).

Options: `mapping-keys` (fields), `mappings` (label → one regex per mapping key),
`mapped-attribute` (the label's field), `value-attribute` (the summed field) and an optional
`other-mapping` (the label of rows no mapping matches; without it they are dropped).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from backdrop.transformers.rows import Config, Record, Rows, group_rows


def compute(rows: Rows, transform: Config, source_config: Config) -> list[Record]:
    """One record per (`_start_at`, `_end_at`, label), in first-seen order."""
    options = transform["options"]
    keys: list[str] = list(options["mapping-keys"])
    mappings = {
        label: [re.compile(pattern) for pattern in patterns]
        for label, patterns in options["mappings"].items()
    }
    label_key, value_key = options["mapped-attribute"], options["value-attribute"]
    other = options.get("other-mapping")
    output: dict[tuple[Any, Any, str], Record] = {}
    groups = group_rows(
        rows, lambda row: (row["_start_at"], row["_end_at"], *(row.get(k) for k in keys))
    )
    for (start_at, end_at, *values), group in groups.items():
        label = _label(values, mappings) or other
        if label is None:
            continue
        total = sum(row.get(value_key) or 0 for row in group)
        record = output.setdefault(
            (start_at, end_at, label),
            {"_start_at": start_at, "_end_at": end_at, label_key: label, value_key: 0},
        )
        record[value_key] += total
    return list(output.values())


def _label(values: Sequence[Any], mappings: Mapping[str, Sequence[re.Pattern[str]]]) -> str | None:
    """The first label whose patterns all find their value (strings only)."""
    for label, patterns in mappings.items():
        if all(
            isinstance(value, str) and pattern.search(value)
            for value, pattern in zip(values, patterns, strict=False)
        ):
            return label
    return None
