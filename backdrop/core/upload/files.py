"""Which files are taken, and which parser reads them.

An upload is checked as spec 7.1 says: not empty, smaller than the cap, of a content type
(guessed from its name) that Backdrop reads. `backdrop import` names a format or lets the file
name say it, and may be gzip-compressed.
"""

from __future__ import annotations

import contextlib
import gzip
import mimetypes
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path, PurePath
from types import MappingProxyType
from typing import IO, Literal

from backdrop.core.errors import UploadInvalid

Format = Literal["csv", "excel", "json", "jsonl"]
FORMATS: tuple[Format, ...] = ("csv", "excel", "json", "jsonl")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# spec 7.1: the content types an upload may have, and the parser each gets.
UPLOAD_FORMATS: Mapping[str, Format] = MappingProxyType(
    {
        "text/plain": "csv",
        "text/csv": "csv",
        "application/json": "json",
        "application/vnd.ms-excel": "excel",
        XLSX: "excel",
    }
)
# Python's own table lacks .xlsx; system tables differ between machines, so they are not read.
_CONTENT_TYPES = MappingProxyType({".csv": "text/csv", ".xls": "application/vnd.ms-excel"})
_EXTENSIONS: dict[str, Format] = {
    ".csv": "csv",
    ".txt": "csv",
    ".xlsx": "excel",
    ".xls": "excel",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}
_GZIP = b"\x1f\x8b"
_SPOOL_BYTES = 64 * 1024 * 1024


def content_type(filename: str) -> str | None:
    """The content type guessed from the file name, the same on every machine."""
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".xlsx":
        return XLSX
    known = _CONTENT_TYPES.get(suffix)
    return known or mimetypes.MimeTypes().guess_type(filename, strict=False)[0]


def upload_format(filename: str, size: int, limit_bytes: int, *, infected: bool = False) -> Format:
    """The parser for an uploaded file, after the checks of spec 7.1.

    Raises UploadInvalid `Invalid file upload <filename> - <problems>`, the problems joined
    with ` and `: `file is empty`, `file too big (<size>)` (size >= limit_bytes),
    `strange content type of <type>`, `file may contain a virus` (when the scan says
    `infected`).
    """
    problems = []
    if size == 0:
        problems.append("file is empty")
    elif size >= limit_bytes:
        problems.append(f"file too big ({size})")
    kind = content_type(filename)
    fmt = UPLOAD_FORMATS.get(kind or "")
    if fmt is None:
        problems.append(f"strange content type of {kind}")
    if infected:
        problems.append("file may contain a virus")
    if problems or fmt is None:
        raise UploadInvalid(f"Invalid file upload {filename} - {' and '.join(problems)}")
    return fmt


def format_for_path(path: PurePath) -> Format | None:
    """The format a file name says (`.gz` looked through), or None."""
    suffixes = [suffix.lower() for suffix in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes.pop()
    return _EXTENSIONS.get(suffixes[-1]) if suffixes else None


@contextlib.contextmanager
def opened_input(path: Path, fmt: Format) -> Iterator[tuple[IO[bytes], IO[bytes]]]:
    """The file's bytes (inflated when it is gzip, whatever its name) and the raw file under
    them, whose position tells how far reading got; both closed afterwards. Excel needs to
    seek, so a gzip workbook is inflated into a temporary file first."""
    with contextlib.ExitStack() as stack:
        raw: IO[bytes] = stack.enter_context(path.open("rb"))
        if raw.read(2) != _GZIP:
            raw.seek(0)
            yield raw, raw
            return
        raw.seek(0)
        inflating = stack.enter_context(gzip.GzipFile(fileobj=raw, mode="rb"))
        if fmt != "excel":
            yield inflating, raw  # type: ignore[misc]  # GzipFile reads bytes like an IO[bytes]
            return
        spooled = stack.enter_context(tempfile.SpooledTemporaryFile(_SPOOL_BYTES))
        shutil.copyfileobj(inflating, spooled)
        spooled.seek(0)
        yield spooled, raw
