"""spec 8.3's Excel parsing timers, under the original's statsd names (its `parse_excel.py`
decorated `parse_excel`, `_extract_rows`, `_extract_values` and `_extract_cell_value` with
`@statsd.timer("parse_excel.<function>")`, without a data set):

* `parse_excel.parse_excel`: opening a workbook, once per file;
* `parse_excel._extract_rows`: reading one sheet's rows, once per sheet read;
* `parse_excel._extract_values`: turning one row's cells into values, per row;
* `parse_excel._extract_cell_value`: one cell, per cell.

Row and cell timings are sampled with statsd's sample rate so a sheet sends about
SAMPLES_PER_SHEET of each whatever its size (statsd scales the counts back); a small sheet
sends every one.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TypeVar

from backdrop.core.upload.sheets import Cell, SheetRow

Timing = Callable[[str, float, float], None]
"""Sends one timing: the stat's name, seconds, and the sample rate (1.0: every one)."""

SAMPLES_PER_SHEET = 1000
WORKBOOK = "parse_excel.parse_excel"
SHEET = "parse_excel._extract_rows"
ROW = "parse_excel._extract_values"
CELL = "parse_excel._extract_cell_value"

RawCell = TypeVar("RawCell")
Book = TypeVar("Book")


def sheet_rows(
    raw_rows: Iterable[Sequence[RawCell]],
    convert: Callable[[RawCell], Cell],
    timing: Timing | None,
    *,
    rows: int,
    columns: int,
) -> Iterator[SheetRow]:
    """Each row's cells as values, numbered from 1, without trailing empty cells; timed when
    `timing` is given (`rows` x `columns`: the sheet's size, for the sample rates)."""
    if timing is None:
        for number, cells in enumerate(raw_rows, start=1):
            yield SheetRow(number, trimmed([convert(cell) for cell in cells]))
        return
    row_rate = min(1.0, SAMPLES_PER_SHEET / max(rows, 1))
    cell_rate = min(1.0, SAMPLES_PER_SHEET / max(rows * columns, 1))
    spent = 0.0  # in this generator only, not in its consumer between rows
    fetching = time.perf_counter()
    for number, cells in enumerate(raw_rows, start=1):
        fetched = time.perf_counter()
        values = []
        for cell in cells:
            before = time.perf_counter()
            values.append(convert(cell))
            timing(CELL, time.perf_counter() - before, cell_rate)
        done = time.perf_counter()
        timing(ROW, done - fetched, row_rate)
        spent += done - fetching
        yield SheetRow(number, trimmed(values))
        fetching = time.perf_counter()
    timing(SHEET, spent + time.perf_counter() - fetching, 1.0)


def opened(open_book: Callable[[], Book], timing: Timing | None) -> Book:
    """The workbook `open_book` opens, timed as `parse_excel.parse_excel` when `timing` is
    given."""
    started = time.perf_counter()
    book = open_book()
    if timing is not None:
        timing(WORKBOOK, time.perf_counter() - started, 1.0)
    return book


def trimmed(cells: Sequence[Cell]) -> tuple[Cell, ...]:
    """The row without its trailing empty cells: a sheet's used range may run past the data."""
    end = len(cells)
    while end and cells[end - 1] is None:
        end -= 1
    return tuple(cells[:end])
