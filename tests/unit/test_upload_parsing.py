"""Parsing files into records (spec 7.2, and the unit facts of spec 9.3), without a server."""

from __future__ import annotations

import gzip
import io
import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path, PurePath

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backdrop.core.errors import UploadInvalid
from backdrop.core.upload.csv_sheet import csv_cell, lines
from backdrop.core.upload.excel import excel_sheets
from backdrop.core.upload.excel_timers import sheet_rows
from backdrop.core.upload.files import content_type, format_for_path, opened_input, upload_format
from backdrop.core.upload.filters import first_sheet_filter
from backdrop.core.upload.json_lines import NOT_AN_OBJECT
from backdrop.core.upload.parse import read_records, upload_records
from backdrop.core.upload.rows import RowError
from backdrop.core.upload.sheets import Sheet
from tests.support.spreadsheets import xls, xlsx


def parsed(content: bytes, fmt: str = "csv") -> list[object]:
    return list(read_records(io.BytesIO(content), fmt).items)  # type: ignore[arg-type]


def test_lines_split_on_every_line_break() -> None:
    assert list(lines(io.StringIO("1\n2\r3\r\n4", newline=""))) == ["1\n", "2\r", "3\r\n", "4"]


def test_a_newline_then_a_return_is_two_breaks() -> None:
    text = io.StringIO("q\n\rw\r\r\ne", newline="")
    assert list(lines(text)) == ["q\n", "\r", "w\r", "\r\n", "e"]


@pytest.mark.parametrize(
    ("text", "value"),
    [("12", 12), ("-3", -3), (" 7 ", 7), ("1.5", 1.5), (".25", 0.25), ("1e3", 1000.0),
     ("12a", "12a"), ("", ""), ("nan", "nan"), ("inf", "inf"), ("1_000", "1_000")],
)  # fmt: skip
def test_csv_cells_become_ints_floats_or_text(text: str, value: object) -> None:
    assert csv_cell(text) == value
    assert type(csv_cell(text)) is type(value)


def test_rows_are_numbered_by_the_line_they_start_on() -> None:
    content = b'# note\nname,note\r\nrex,"two\nlines"\n\nraptor,x\n'
    assert parsed(content) == [
        (3, {"name": "rex", "note": "two\nlines"}),
        (6, {"name": "raptor", "note": "x"}),
    ]


def test_a_byte_order_mark_is_not_part_of_the_first_key() -> None:
    assert parsed(b"\xef\xbb\xbfname\nrex\n") == [(2, {"name": "rex"})]


def test_the_first_non_empty_row_is_the_header() -> None:
    assert parsed(b"\n,,\nname,size\nrex,big\n") == [(4, {"name": "rex", "size": "big"})]


def test_excel_rows_that_stop_short_are_padded_with_nulls() -> None:
    workbook = xlsx([["name", "size", "note"], ["rex", "big"], ["raptor"]])
    assert parsed(workbook, "excel") == [
        (2, {"name": "rex", "size": "big", "note": None}),
        (3, {"name": "raptor", "size": None, "note": None}),
    ]


def test_excel_cells_past_the_header_are_more_values() -> None:
    workbook = xls([["name"], ["rex", "big"]])
    assert parsed(workbook, "excel") == [
        RowError(2, "Some rows in the CSV file contain more values than columns")
    ]


def test_excel_keeps_booleans_and_other_types_as_text_headers() -> None:
    workbook = xlsx([["flag", 2014], [True, 3]])
    assert parsed(workbook, "excel") == [(2, {"flag": True, "2014": 3})]


@pytest.mark.parametrize("workbook", [xlsx, xls], ids=["xlsx", "xls"])
def test_the_excel_parser_reads_every_sheet(workbook: Callable[..., bytes]) -> None:
    """spec 7.2: Excel gives every sheet; the upload filters choose (default: the first)."""
    content = workbook([["name"], ["rex"]], [["size", "legs"], ["big", 4], ["small", 2]])
    sheets = excel_sheets(io.BytesIO(content))
    assert [[row.cells for row in sheet.rows] for sheet in sheets] == [
        [("name",), ("rex",)],
        [("size", "legs"), ("big", 4), ("small", 2)],
    ]
    assert [sheet.size for sheet in sheets] == [2, 3]
    assert parsed(content, "excel") == [(2, {"name": "rex"})]


def test_first_sheet_filter_keeps_the_first_sheet() -> None:
    sheets = [Sheet(()), Sheet(())]
    assert first_sheet_filter(sheets) == [sheets[0]]


def test_json_lines_number_each_line() -> None:
    content = b'{"name": "rex"}\n\n[1]\nnot json\n{"name": "raptor"}\n'
    assert parsed(content, "jsonl") == [
        (1, {"name": "rex"}),
        RowError(3, NOT_AN_OBJECT),
        RowError(4, NOT_AN_OBJECT),
        (5, {"name": "raptor"}),
    ]


def test_a_json_document_is_an_object_or_an_array_of_them() -> None:
    assert parsed(b'{"name": "rex"}', "json") == [(1, {"name": "rex"})]
    assert parsed(b'[{"name": "rex"}, 3]', "json") == [
        (1, {"name": "rex"}),
        RowError(2, NOT_AN_OBJECT),
    ]
    with pytest.raises(UploadInvalid, match="The file is not JSON"):
        parsed(b"[{", "json")


@pytest.mark.parametrize(
    ("filename", "expected"),
    [("a.csv", "text/csv"), ("a.TXT", "text/plain"), ("a.json", "application/json"),
     ("a.xls", "application/vnd.ms-excel"),
     ("a.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
     ("a.png", "image/png"), ("a", None)],
)  # fmt: skip
def test_content_types_come_from_the_name(filename: str, expected: str | None) -> None:
    assert content_type(filename) == expected


def test_upload_format_follows_the_content_type() -> None:
    assert upload_format("a.txt", 10, 100) == "csv"
    assert upload_format("a.xls", 10, 100) == "excel"
    assert upload_format("a.json", 10, 100) == "json"
    with pytest.raises(UploadInvalid, match=r"^Invalid file upload a.csv - file too big \(100\)$"):
        upload_format("a.csv", 100, 100)


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("a.csv", "csv"), ("a.csv.gz", "csv"), ("b.XLSX", "excel"), ("c.xls.gz", "excel"),
     ("d.jsonl", "jsonl"), ("e.ndjson", "jsonl"), ("f.json", "json"), ("g.gz", None), ("h", None)],
)  # fmt: skip
def test_import_formats_come_from_the_file_name(name: str, fmt: str | None) -> None:
    assert format_for_path(PurePath(name)) == fmt


def test_gzip_files_are_read_inflated_whatever_their_name(tmp_path: Path) -> None:
    path = tmp_path / "records.data"
    path.write_bytes(gzip.compress(json.dumps({"name": "rex"}).encode()))
    with opened_input(path, "jsonl") as (stream, raw):
        assert list(read_records(stream, "jsonl").items) == [(1, {"name": "rex"})]
        assert raw.tell() == path.stat().st_size
    workbook = tmp_path / "book.xlsx.gz"
    workbook.write_bytes(gzip.compress(xlsx([["name"], ["rex"]])))
    with opened_input(workbook, "excel") as (stream, _):
        assert list(read_records(stream, "excel").items) == [(2, {"name": "rex"})]


def test_uploads_past_the_row_cap_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("backdrop.core.upload.parse.MAX_UPLOAD_ROWS", 3)
    content = b"name\n" + b"rex\n" * 4
    with pytest.raises(UploadInvalid, match="The file has more than 3 rows"):
        upload_records(io.BytesIO(content), "a.csv", len(content), (), 1000)


_PRINTABLE = st.characters(min_codepoint=32, max_codepoint=0x2FFF, exclude_categories=["Cs"])


@settings(max_examples=100, deadline=None, database=None)
@given(
    content=st.binary(max_size=300)
    | st.text(max_size=200).map(str.encode)
    | st.lists(st.lists(st.text(_PRINTABLE, max_size=5) | st.integers(), max_size=4)).map(xlsx),
    filename=st.sampled_from(["a.csv", "a.xlsx", "a.xls", "a.json", "a.png"]),
)
def test_any_upload_gives_records_or_a_clear_refusal(content: bytes, filename: str) -> None:
    try:
        rows = upload_records(io.BytesIO(content), filename, len(content), (), 10_000)
    except UploadInvalid as exc:
        assert exc.message
    else:
        assert all(isinstance(record, dict) for _, record in rows)


def test_excel_timers_sample_rows_and_cells_of_a_large_sheet() -> None:
    """A sheet of 4,000 rows x 2 columns sends its row timings at rate 0.25 and its cell timings
    at 0.125 (about SAMPLES_PER_SHEET each), the sheet's own timing once at 1."""
    sent: list[tuple[str, float]] = []
    rows = sheet_rows(
        [["a", "b"]] * 4000,
        str,
        lambda stat, seconds, rate: sent.append((stat, rate)),
        rows=4000,
        columns=2,
    )
    assert len(list(rows)) == 4000
    assert Counter(sent) == {
        ("parse_excel._extract_cell_value", 0.125): 8000,
        ("parse_excel._extract_values", 0.25): 4000,
        ("parse_excel._extract_rows", 1.0): 1,
    }
