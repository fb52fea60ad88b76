"""A data set, or a query's answer, streamed out as JSON Lines or CSV (`backdrop export`).

Records go out as they were written, so an export can be imported again: without
`_updated_at` and the derived `_<period>_start_at` keys, which the write pipeline refuses.
Nothing is held in memory but the rows of one batch (CSV reads the records twice: once for the
header, the sorted union of their keys, once for the rows). A grouped answer is already bounded
by the read's limits and goes out as the API gives it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any, Literal, TextIO

from backdrop.core.data_set_config import DataSetConfig
from backdrop.core.data_sets import DataSets
from backdrop.core.encoding import csv_header, dumps, write_csv
from backdrop.core.query import Query
from backdrop.core.records import RESERVED_KEYS

ExportFormat = Literal["jsonl", "csv"]
EXPORT_FORMATS: tuple[ExportFormat, ...] = ("jsonl", "csv")
Rows = Callable[[], Iterator[dict[str, Any]]]
Counted = Callable[[int], None]


def as_written(record: dict[str, Any]) -> dict[str, Any]:
    """A stored record without the keys storage added (spec 3.3: only the reserved `_` keys
    may be written)."""
    return {key: value for key, value in record.items() if key in RESERVED_KEYS or key[0] != "_"}


def exported_rows(data_sets: DataSets, config: DataSetConfig, query: Query | None) -> Rows:
    """A way to read the rows afresh each time: the records (all, or a raw query's) as
    written, or a grouped query's answer."""
    chosen = query or Query()
    if chosen.is_raw:
        return lambda: (as_written(record) for record in data_sets.stream(config, chosen))
    return lambda: iter(data_sets.grouped(config, chosen))


def write_jsonl(rows: Rows, out: IO[bytes], *, counted: Counted) -> int:
    """One JSON object a line, encoded as the API encodes them; how many were written.
    `counted` hears of every row."""
    written = 0
    for row in _counting(rows(), counted):
        out.write(dumps(row) + b"\n")
        written += 1
    return written


def write_csv_rows(rows: Rows, out: TextIO, *, counted: Counted) -> int:
    """CSV as `format=csv` writes it (spec 2.8), in two passes over `rows`; `counted` hears of
    every row of the second pass. No rows (or only empty ones): an empty file."""
    header = csv_header(rows())
    if not header:
        return 0
    return write_csv(_counting(rows(), counted), header, out)


def _counting(rows: Iterable[dict[str, Any]], counted: Counted) -> Iterator[dict[str, Any]]:
    for row in rows:
        counted(1)
        yield row
