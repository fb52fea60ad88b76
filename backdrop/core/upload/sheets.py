"""What the spreadsheet parsers produce (spec 7.2): sheets of numbered rows of cells."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CellError:
    """An Excel error cell (`#DIV/0!`, `#N/A`, ...). No record may hold it, so the write
    pipeline refuses the row with `<key> has an invalid value` (spec 7.2)."""

    code: str

    def __str__(self) -> str:
        return self.code


Cell = str | int | float | bool | CellError | None


@dataclass(frozen=True, slots=True)
class SheetRow:
    """One row as the file holds it; `number` is the 1-based row (for CSV, the line) where it
    starts, so messages can point at it."""

    number: int
    cells: tuple[Cell, ...]


@dataclass(frozen=True, slots=True)
class Sheet:
    """A sheet's rows, read lazily; `size` is its number of rows when the format says so
    (Excel), for a progress bar."""

    rows: Iterable[SheetRow]
    size: int | None = None
