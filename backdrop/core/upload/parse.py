"""A file's records, whichever parser reads it; and an upload's, within its bounds."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import IO

from backdrop.core.errors import UploadInvalid
from backdrop.core.upload.csv_sheet import csv_cell, csv_sheet
from backdrop.core.upload.excel import excel_sheets
from backdrop.core.upload.excel_timers import Timing
from backdrop.core.upload.files import Format, upload_format
from backdrop.core.upload.filters import filtered_sheet
from backdrop.core.upload.json_lines import json_document, json_lines
from backdrop.core.upload.rows import Numbered, RowError, records
from backdrop.core.upload.virus_scan import VirusScan

MAX_UPLOAD_ROWS = 100_000
MAX_WORKBOOK_BYTES = 64 * 1024 * 1024  # what an uploaded .xlsx may inflate to


@dataclass(frozen=True, slots=True)
class Parsed:
    """A file's records as they are read, in file order, with the rows that cannot be
    records; `rows_total` is how many rows the sheet has, when the format says (Excel)."""

    items: Iterator[Numbered | RowError]
    rows_total: int | None = None


def read_records(
    stream: IO[bytes],
    fmt: Format,
    upload_filters: Sequence[str] = (),
    *,
    max_inflated_bytes: int | None = None,
    timing: Timing | None = None,
) -> Parsed:
    """Parse `stream` as `fmt` (spec 7.2); spreadsheets go through the upload filters.
    `timing` gets the Excel parser's timers (spec 8.3).

    Raises UploadInvalid (now or while reading) when the file as a whole cannot be read.
    """
    if fmt == "csv":
        sheet = filtered_sheet([csv_sheet(stream)], upload_filters)
        return Parsed(records(sheet.rows, value=csv_cell, drop_comment_column=True))
    if fmt == "excel":
        sheets = excel_sheets(stream, max_inflated_bytes=max_inflated_bytes, timing=timing)
        sheet = filtered_sheet(sheets, upload_filters)
        return Parsed(records(sheet.rows, pad_short_rows=True), sheet.size)
    if fmt == "jsonl":
        return Parsed(json_lines(stream))
    return Parsed(json_document(stream))


def upload_records(
    stream: IO[bytes],
    filename: str,
    size: int,
    upload_filters: Sequence[str],
    limit_bytes: int,
    *,
    scan: VirusScan | None = None,
    timing: Timing | None = None,
) -> list[Numbered]:
    """Every record of an uploaded file, after the checks of spec 7.1.

    Raises UploadInvalid for a refused or unreadable file, for rows that cannot be records
    (the message of the first, each row named), and past MAX_UPLOAD_ROWS rows; and
    ScannerUnavailable when `scan` cannot check the file.
    """
    infected = scan is not None and scan.infected(stream, timing)
    fmt = upload_format(filename, size, limit_bytes, infected=infected)
    parsed = read_records(
        stream, fmt, upload_filters, max_inflated_bytes=MAX_WORKBOOK_BYTES, timing=timing
    )
    found: list[Numbered] = []
    problems: list[RowError] = []
    for item in parsed.items:
        if isinstance(item, RowError):
            problems.append(item)
        else:
            found.append(item)
        if len(found) + len(problems) > MAX_UPLOAD_ROWS:
            raise UploadInvalid(f"The file has more than {MAX_UPLOAD_ROWS} rows")
    if problems:
        raise UploadInvalid(problems[0].message, [(p.row, p.message) for p in problems])
    return found
