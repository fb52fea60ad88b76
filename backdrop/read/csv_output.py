"""`format=csv` bodies (spec 2.8): sorted header union, CRLF, Python `str()` of each value."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from typing import Any


def _cell(value: Any) -> str:
    if value is None:
        return ""
    return str(value)


def to_csv(rows: Sequence[Mapping[str, Any]]) -> str:
    """CSV of the response rows; empty rows are skipped and no rows give an empty body."""
    kept = [row for row in rows if row]
    if not kept:
        return ""
    header = sorted({key for row in kept for key in row})
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in kept:
        writer.writerow([_cell(row.get(key)) for key in header])
    return out.getvalue()
