"""`format=csv` bodies (spec 2.8): sorted header union, CRLF, Python `str()` of each value."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

from backdrop.core.encoding import csv_header, write_csv


def to_csv(rows: Sequence[Mapping[str, Any]]) -> str:
    """CSV of the response rows; empty rows are skipped and no rows give an empty body."""
    kept = [row for row in rows if row]
    if not kept:
        return ""
    out = io.StringIO()
    write_csv(kept, csv_header(kept), out)
    return out.getvalue()
