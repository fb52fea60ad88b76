"""Excel workbooks (spec 7.2): `.xlsx` read with openpyxl (streamed, read-only), `.xls` with
xlrd. Every sheet is read; dates become ISO strings in UTC, whole numbers ints, empty cells
null, error cells a `CellError`."""

from __future__ import annotations

import struct
import zipfile
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from typing import IO, Any
from xml.etree import ElementTree

import openpyxl
import xlrd
from openpyxl.utils.exceptions import InvalidFileException
from xlrd.biffh import XLRDError
from xlrd.compdoc import CompDocError

from backdrop.core.errors import UploadInvalid
from backdrop.core.timeutils import isoformat
from backdrop.core.upload.excel_timers import Timing, opened, sheet_rows
from backdrop.core.upload.sheets import Cell, CellError, Sheet, SheetRow

MAX_COLUMNS = 1000
NOT_A_WORKBOOK = "The file cannot be read as an Excel workbook (.xlsx or .xls)"
_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# What a damaged workbook makes the readers raise (they know no common base class).
_XLSX_ERRORS = (
    zipfile.BadZipFile,
    InvalidFileException,
    ElementTree.ParseError,
    KeyError,
    ValueError,
    TypeError,
    OSError,
)
_XLS_ERRORS = (
    XLRDError,
    CompDocError,
    struct.error,
    KeyError,
    IndexError,
    ValueError,
    AssertionError,
)


def excel_sheets(
    stream: IO[bytes], *, max_inflated_bytes: int | None = None, timing: Timing | None = None
) -> list[Sheet]:
    """Every sheet of the workbook in `stream` (seekable). A `.xlsx` whose parts inflate past
    `max_inflated_bytes` is refused before it is read (a zip bomb). `timing` gets spec 8.3's
    `parse_excel.*` timers (excel_timers.py)."""
    head = stream.read(8)
    stream.seek(0)
    if head.startswith(_ZIP):
        return _xlsx_sheets(stream, max_inflated_bytes, timing)
    if head.startswith(_OLE2):
        return _xls_sheets(stream, timing)
    raise UploadInvalid(NOT_A_WORKBOOK)


def cell_value(value: object) -> Cell:
    """A cell's value as a record holds it (spec 7.2)."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, datetime):
        return isoformat(value)  # naive Excel datetimes are taken as UTC
    if isinstance(value, date):
        return isoformat(datetime.combine(value, time(), UTC))
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, timedelta):
        value = value.total_seconds()
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, int):
        return value
    return str(value)


def _xlsx_sheets(
    stream: IO[bytes], max_inflated_bytes: int | None, timing: Timing | None
) -> list[Sheet]:
    try:
        if max_inflated_bytes is not None:
            with zipfile.ZipFile(stream) as archive:
                inflated = sum(info.file_size for info in archive.infolist())
            if inflated > max_inflated_bytes:
                raise UploadInvalid(
                    f"The workbook inflates to more than {max_inflated_bytes} bytes"
                )
            stream.seek(0)
        book = opened(
            partial(openpyxl.load_workbook, stream, read_only=True, data_only=True), timing
        )
        sheets = [_xlsx_sheet(sheet, timing) for sheet in book.worksheets]
    except _XLSX_ERRORS as exc:
        raise UploadInvalid(NOT_A_WORKBOOK) from exc
    return sheets or [Sheet(())]


def _xlsx_sheet(sheet: Any, timing: Timing | None) -> Sheet:
    if (sheet.max_column or 0) > MAX_COLUMNS:
        raise UploadInvalid(f"A sheet has more than {MAX_COLUMNS} columns")
    return Sheet(_xlsx_rows(sheet, timing), size=sheet.max_row)


def _xlsx_rows(sheet: Any, timing: Timing | None) -> Iterator[SheetRow]:
    try:
        yield from sheet_rows(
            sheet.iter_rows(),
            _xlsx_cell,
            timing,
            rows=sheet.max_row or 0,
            columns=sheet.max_column or 0,
        )
    except _XLSX_ERRORS as exc:
        raise UploadInvalid(NOT_A_WORKBOOK) from exc


def _xlsx_cell(cell: Any) -> Cell:
    if cell.data_type == "e":
        return CellError(str(cell.value))
    return cell_value(cell.value)


def _xls_sheets(stream: IO[bytes], timing: Timing | None) -> list[Sheet]:
    try:
        book = opened(partial(xlrd.open_workbook, file_contents=stream.read()), timing)
        sheets = [_xls_sheet(book, sheet, timing) for sheet in book.sheets()]
    except _XLS_ERRORS as exc:
        raise UploadInvalid(NOT_A_WORKBOOK) from exc
    return sheets or [Sheet(())]


def _xls_sheet(book: Any, sheet: Any, timing: Timing | None) -> Sheet:
    if sheet.ncols > MAX_COLUMNS:
        raise UploadInvalid(f"A sheet has more than {MAX_COLUMNS} columns")
    cells = (sheet.row(index) for index in range(sheet.nrows))
    convert = partial(_xls_cell, book)
    rows = list(sheet_rows(cells, convert, timing, rows=sheet.nrows, columns=sheet.ncols))
    return Sheet(rows, size=sheet.nrows)


def _xls_cell(book: Any, cell: Any) -> Cell:
    kind = cell.ctype
    if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None
    if kind == xlrd.XL_CELL_ERROR:
        return CellError(xlrd.error_text_from_code.get(cell.value, "#ERROR"))
    if kind == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    if kind == xlrd.XL_CELL_DATE:
        try:
            return cell_value(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode))
        except (xlrd.xldate.XLDateError, ValueError, OverflowError):
            return CellError("#DATE")
    return cell_value(cell.value)
