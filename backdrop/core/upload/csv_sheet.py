"""CSV files (spec 7.2): UTF-8 only, `\n`, `\r` and `\r\n` line breaks, `#` comment lines,
numbers as numbers. Read as a stream, so a large import never sits in memory whole."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from typing import IO, TextIO

from backdrop.core.errors import UploadInvalid
from backdrop.core.upload.sheets import Cell, Sheet, SheetRow

NOT_UTF8 = "Non-UTF8 characters found."
_INT = re.compile(r"\s*[+-]?[0-9]+\s*")
# What Python's float() reads, less NaN and infinity, which JSON cannot hold.
_FLOAT = re.compile(r"\s*[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\s*")


def csv_cell(cell: Cell) -> Cell:
    """An int if the text reads as one, else a float if it reads as one, else the text."""
    if not isinstance(cell, str):
        return cell
    if _INT.fullmatch(cell):
        return int(cell)
    if _FLOAT.fullmatch(cell):
        return float(cell)
    return cell


def lines(text: TextIO) -> Iterator[str]:
    """The physical lines, each with its line break: `\n`, `\r` or `\r\n` (a `\n\r` is two
    breaks). `text` must be opened with `newline=""`."""
    return iter(text)  # a generator here would close `text` when closed early


class _LineFeed:
    """Hands csv.reader the lines that are not comments, noting where each row starts."""

    def __init__(self, physical: Iterable[str]) -> None:
        self._physical = physical
        self.row_start: int | None = None

    def __iter__(self) -> Iterator[str]:
        for number, line in enumerate(self._physical, start=1):
            if line.startswith("#"):
                continue
            if self.row_start is None:
                self.row_start = number
            yield line


def csv_sheet(stream: IO[bytes]) -> Sheet:
    """The one sheet of a CSV file, cells as text (`csv_cell` reads numbers). Reading it
    raises UploadInvalid when a byte is not UTF-8 (a UTF-8 byte-order mark, as spreadsheet
    programs write, is dropped)."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="strict", newline="")
    return Sheet(_rows(text))


def _rows(text: io.TextIOWrapper) -> Iterator[SheetRow]:
    feed = _LineFeed(lines(text))
    reader = csv.reader(feed)
    try:
        for cells in reader:
            number = feed.row_start or 0
            feed.row_start = None
            yield SheetRow(number, tuple(cells))
    except UnicodeDecodeError as exc:
        raise UploadInvalid(NOT_UTF8) from exc
    except csv.Error as exc:  # e.g. a field past the csv module's size limit
        row = feed.row_start or 0
        message = "This row cannot be read as CSV"
        raise UploadInvalid(f"Row {row} of the CSV file cannot be read", [(row, message)]) from exc
    finally:
        text.detach()  # the caller's stream stays open: only the caller closes it
