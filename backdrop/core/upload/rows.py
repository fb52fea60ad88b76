"""Rows to records (spec 7.2): the first row is the header, every later row a record keyed by
it. Empty rows are skipped; a row of another length than the header is an error of that row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from backdrop.core.upload.sheets import Cell, SheetRow

MORE_VALUES = "Some rows in the CSV file contain more values than columns"
FEWER_VALUES = "Some rows in the CSV file contain fewer values than columns"
COMMENT_COLUMN = "comment"

Record = dict[str, Any]
Numbered = tuple[int, Record]
CellValue = Callable[[Cell], Cell]


@dataclass(frozen=True, slots=True)
class RowError:
    """A row that cannot become a record, and why (the message names no values)."""

    row: int
    message: str


def is_empty(cells: Iterable[Cell]) -> bool:
    """True when every cell is empty or null."""
    return all(cell is None or cell == "" for cell in cells)


def header_key(cell: Cell) -> str:
    """A header cell as a record key: its text (an empty cell: ""); record validation then
    refuses what is not a valid key."""
    return "" if cell is None else str(cell)


def _as_is(cell: Cell) -> Cell:
    return cell


def records(
    rows: Iterable[SheetRow],
    *,
    value: CellValue = _as_is,
    drop_comment_column: bool = False,
    pad_short_rows: bool = False,
) -> Iterator[Numbered | RowError]:
    """Each later row as `(row number, record)`, or a RowError for a row of the wrong length.

    `value` turns a cell into a record value (CSV reads numbers from text). CSV drops a column
    headed exactly `comment`; Excel rows may stop short of the header (their trailing cells
    are empty), so there they are padded with nulls instead of refused.
    """
    header: tuple[str, ...] | None = None
    kept: list[int] = []
    for row in rows:
        cells = row.cells
        if is_empty(cells):
            continue
        if header is None:
            header = tuple(header_key(cell) for cell in cells)
            kept = [
                index
                for index, key in enumerate(header)
                if not (drop_comment_column and key == COMMENT_COLUMN)
            ]
            continue
        if len(cells) > len(header):
            yield RowError(row.number, MORE_VALUES)
            continue
        if len(cells) < len(header):
            if not pad_short_rows:
                yield RowError(row.number, FEWER_VALUES)
                continue
            cells = cells + (None,) * (len(header) - len(cells))
        yield row.number, {header[index]: value(cells[index]) for index in kept}
