"""Workbooks built in memory for upload and import tests: `.xlsx` with openpyxl, `.xls` with
xlwt. A cell given as `ERROR("#DIV/0!")` is written as an Excel error cell."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import openpyxl
import xlwt

Rows = Sequence[Sequence[Any]]


@dataclass(frozen=True)
class ERROR:
    """An error cell such as `#DIV/0!`."""

    code: str


def xlsx(*sheets: Rows) -> bytes:
    """A workbook with one sheet per argument."""
    book = openpyxl.Workbook()
    for index, rows in enumerate(sheets):
        sheet = book.active if index == 0 else book.create_sheet(f"Sheet{index + 1}")
        assert sheet is not None
        for row in rows:
            sheet.append([cell.code if isinstance(cell, ERROR) else cell for cell in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xls(*sheets: Rows) -> bytes:
    """The same as an Excel 97-2003 workbook."""
    book = xlwt.Workbook()
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD hh:mm:ss")
    for index, rows in enumerate(sheets):
        sheet = book.add_sheet(f"Sheet{index + 1}")
        for row_index, row in enumerate(rows):
            for column, cell in enumerate(row):
                if cell is None:
                    continue
                if isinstance(cell, ERROR):
                    sheet.row(row_index).set_cell_error(column, cell.code)
                elif isinstance(cell, datetime):
                    sheet.write(row_index, column, cell, date_style)
                else:
                    sheet.write(row_index, column, cell)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
