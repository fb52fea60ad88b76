"""`POST /data/<group>/<type>/upload` over HTTP on each engine: every file check and message of
spec 7.1, every parsing rule of 7.2, and the write pipeline behind them (spec 3)."""

from __future__ import annotations

import dataclasses
import io
import zipfile
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import pytest
import requests
from flask import Flask

from backdrop.core.config import Settings
from backdrop.core.query import Query
from backdrop.core.storage.base import Storage
from backdrop.transformers.publish import TransformPublisher
from backdrop.write.app import create_app as create_write_app
from backdrop.write.triggers import EXTENSION
from tests.support.servers import LiveServer
from tests.support.spreadsheets import ERROR, xls, xlsx
from tests.support.stagecraft import RegisterDataSet

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SMALL_LIMIT = 100
PEOPLE: list[list[Any]] = [
    ["name", "age", "nationality"],
    ["Pawel", 27, "Polish"],
    ["Max", 35, "Italian"],
]
PEOPLE_RECORDS = [
    {"name": "Pawel", "age": 27, "nationality": "Polish"},
    {"name": "Max", "age": 35, "nationality": "Italian"},
]


@pytest.fixture(scope="module")
def small_app(settings: Settings, storage: Storage) -> Flask:
    """A write app whose uploads must be smaller than 100 bytes (BACKDROP_UPLOAD_LIMIT_BYTES)."""
    return create_write_app(
        dataclasses.replace(
            settings, limits=dataclasses.replace(settings.limits, max_upload_bytes=SMALL_LIMIT)
        ),
        storage=storage,
    )


@pytest.fixture(scope="module")
def small_url(small_app: Flask) -> Iterator[str]:
    with LiveServer(small_app) as server:
        yield server.url


Upload = Callable[..., requests.Response]


@pytest.fixture
def upload(http: requests.Session, write_url: str, schemaless_data_set: str) -> Upload:
    """Upload `content` as the multipart field `file` named `filename`, with the token."""

    def send(
        filename: str,
        content: bytes,
        *,
        name: str = schemaless_data_set,
        token: str | None = None,
        base: str = write_url,
    ) -> requests.Response:
        return http.post(
            f"{base}/data/{name}/{name}/upload",
            files={"file": (filename, content)},
            headers={"Authorization": f"Bearer {token or name + '-bearer-token'}"},
        )

    return send


def stored(storage: Storage, name: str) -> list[dict[str, Any]]:
    """The records as written: without `_id`, `_updated_at` and the derived period keys."""
    kept = []
    for record in storage.find(name, Query()):
        kept.append(
            {
                key: value
                for key, value in record.items()
                if key in ("_timestamp", "_start_at", "_end_at") or not key.startswith("_")
            }
        )
    return kept


def refused(response: requests.Response, message: str, **extra: Any) -> None:
    assert response.status_code == 400, response.text
    assert response.json() == {"status": "error", "message": message, **extra}


# -- spec 7.1: file checks -----------------------------------------------------------------


def test_empty_file_is_refused(upload: Upload, storage: Storage, schemaless_data_set: str) -> None:
    refused(upload("data.csv", b""), "Invalid file upload data.csv - file is empty")
    assert stored(storage, schemaless_data_set) == []


def test_a_file_of_a_million_bytes_is_too_big(
    upload: Upload, storage: Storage, schemaless_data_set: str
) -> None:
    content = b"a\n" + b"1\n" * 499_999
    assert len(content) == 1_000_000
    refused(upload("big.csv", content), "Invalid file upload big.csv - file too big (1000000)")
    assert stored(storage, schemaless_data_set) == []


def test_the_size_cap_is_configurable(
    upload: Upload, small_url: str, schemaless_data_set: str
) -> None:
    at_cap = b"nn\n" + b"12\n" * 32 + b"1"
    assert len(at_cap) == SMALL_LIMIT
    refused(
        upload("cap.csv", at_cap, base=small_url),
        "Invalid file upload cap.csv - file too big (100)",
    )
    response = upload("cap.csv", at_cap[:-1], base=small_url)
    assert response.status_code == 200, response.text
    assert response.json() == {"status": "ok", "records_written": 32}


def test_a_body_far_past_the_cap_is_refused_unread(upload: Upload, small_url: str) -> None:
    response = upload("huge.csv", b"a\n" + b"1\n" * 100_000, base=small_url)
    assert response.status_code == 413
    assert response.json()["status"] == "error"


@pytest.mark.parametrize(
    ("filename", "content_type"),
    [("picture.png", "image/png"), ("notes.xyz", "None"), ("report.pdf", "application/pdf")],
)
def test_strange_content_types_are_refused(
    upload: Upload, filename: str, content_type: str
) -> None:
    refused(
        upload(filename, b"a,b\n1,2\n"),
        f"Invalid file upload {filename} - strange content type of {content_type}",
    )


def test_problems_are_joined_with_and(upload: Upload) -> None:
    refused(
        upload("empty.png", b""),
        "Invalid file upload empty.png - file is empty and strange content type of image/png",
    )


def test_too_big_and_strange_together(upload: Upload, small_url: str) -> None:
    refused(
        upload("big.png", b"x" * 150, base=small_url),
        "Invalid file upload big.png - file too big (150) and strange content type of image/png",
    )


@pytest.mark.parametrize(
    ("filename", "content"),
    [
        ("people.csv", b"name,age,nationality\nPawel,27,Polish\nMax,35,Italian\n"),
        ("people.txt", b"name,age,nationality\nPawel,27,Polish\nMax,35,Italian\n"),
        ("people.xlsx", xlsx(PEOPLE)),
        ("people.xls", xls(PEOPLE)),
        ("people.json", b'[{"name": "Pawel", "age": 27, "nationality": "Polish"},'
         b' {"name": "Max", "age": 35, "nationality": "Italian"}]'),
    ],
)  # fmt: skip
def test_every_accepted_type_stores_its_records(
    upload: Upload, storage: Storage, schemaless_data_set: str, filename: str, content: bytes
) -> None:
    response = upload(filename, content)
    assert response.status_code == 200, response.text
    assert response.json() == {"status": "ok", "records_written": 2}
    assert response.headers["Cache-Control"] == "no-cache"
    assert stored(storage, schemaless_data_set) == PEOPLE_RECORDS


def test_no_file_field_is_refused(
    http: requests.Session, write_url: str, schemaless_data_set: str
) -> None:
    response = http.post(
        f"{write_url}/data/{schemaless_data_set}/{schemaless_data_set}/upload",
        files={"other": ("a.csv", b"a\n1\n")},
        headers={"Authorization": f"Bearer {schemaless_data_set}-bearer-token"},
    )
    refused(response, 'Expected a multipart/form-data body with a file in the field "file"')


def test_unknown_data_set_and_bad_tokens_answer_as_post_does(
    http: requests.Session, write_url: str, upload: Upload, schemaless_data_set: str
) -> None:
    missing = http.post(f"{write_url}/data/nobody/nothing/upload", files={"file": ("a.csv", b"a")})
    assert missing.status_code == 404
    assert missing.json() == {
        "status": "error",
        "message": "Could not find data_set_config",
        "detail": 'No data set is registered under data group "nobody" and data type "nothing"',
    }
    bare = http.post(
        f"{write_url}/data/{schemaless_data_set}/{schemaless_data_set}/upload",
        files={"file": ("a.csv", b"a")},
    )
    assert bare.status_code == 401
    assert bare.json()["message"] == "Expected header of form: Authorization: Bearer <token>"
    wrong = upload("a.csv", b"a\n1\n", token="wrong")
    assert wrong.status_code == 401
    assert wrong.headers["WWW-Authenticate"] == "bearer"
    assert (
        wrong.json()["message"]
        == f"Unauthorized: Invalid bearer token 'wrong' for '{schemaless_data_set}'"
    )


# -- spec 7.2: CSV -------------------------------------------------------------------------


def test_non_utf8_csv_is_refused(
    upload: Upload, storage: Storage, schemaless_data_set: str
) -> None:
    refused(upload("latin1.csv", "name\ncaffè\n".encode("latin-1")), "Non-UTF8 characters found.")
    assert stored(storage, schemaless_data_set) == []


def test_utf8_text_is_kept(upload: Upload, storage: Storage, schemaless_data_set: str) -> None:
    assert upload("cities.csv", "city,drink\ncittà,caffè\n".encode()).status_code == 200
    assert stored(storage, schemaless_data_set) == [{"city": "città", "drink": "caffè"}]


@pytest.mark.parametrize("newline", ["\n", "\r", "\r\n"], ids=["LF", "CR", "CRLF"])
def test_every_line_break_is_accepted(
    upload: Upload, storage: Storage, schemaless_data_set: str, newline: str
) -> None:
    content = newline.join(["name,size", "rex,big", "raptor,small", ""]).encode()
    assert upload("dinosaurs.csv", content).status_code == 200
    assert stored(storage, schemaless_data_set) == [
        {"name": "rex", "size": "big"},
        {"name": "raptor", "size": "small"},
    ]


def test_quoted_newlines_are_kept(
    upload: Upload, storage: Storage, schemaless_data_set: str
) -> None:
    assert upload("notes.csv", b'name,note\nrex,"two\nlines"\n').status_code == 200
    assert stored(storage, schemaless_data_set) == [{"name": "rex", "note": "two\nlines"}]


def test_comment_lines_and_the_comment_column_are_dropped(
    upload: Upload, storage: Storage, schemaless_data_set: str
) -> None:
    content = b"# exported 2014-01-01\nname,comment,count\n# a note\nrex,hungry,3\n"
    assert upload("commented.csv", content).json() == {"status": "ok", "records_written": 1}
    assert stored(storage, schemaless_data_set) == [{"name": "rex", "count": 3}]


def test_cells_become_ints_floats_or_strings(
    upload: Upload, storage: Storage, schemaless_data_set: str
) -> None:
    content = b"an_int,a_float,an_exponent,text,blank\n12,1.5,1e3,12a,\n-3,.25,-2.,x y,\n"
    assert upload("numbers.csv", content).status_code == 200
    assert stored(storage, schemaless_data_set) == [
        {"an_int": 12, "a_float": 1.5, "an_exponent": 1000.0, "text": "12a", "blank": ""},
        {"an_int": -3, "a_float": 0.25, "an_exponent": -2.0, "text": "x y", "blank": ""},
    ]


def test_empty_rows_are_skipped(upload: Upload, storage: Storage, schemaless_data_set: str) -> None:
    content = b"name,size\n\n,\nrex,big\n,,\n"
    assert upload("gaps.csv", content).json() == {"status": "ok", "records_written": 1}
    assert stored(storage, schemaless_data_set) == [{"name": "rex", "size": "big"}]


def test_a_file_of_comments_and_a_header_writes_nothing(upload: Upload) -> None:
    assert upload("header.csv", b"# nothing yet\nname,size\n").json() == {
        "status": "ok",
        "records_written": 0,
    }


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (b"rex,big,extra", "Some rows in the CSV file contain more values than columns"),
        (b"rex", "Some rows in the CSV file contain fewer values than columns"),
    ],
    ids=["more", "fewer"],
)
def test_rows_of_another_length_are_refused_with_their_row(
    upload: Upload, storage: Storage, schemaless_data_set: str, row: bytes, message: str
) -> None:
    content = b"name,size\nraptor,small\n# note\n" + row + b"\n"
    refused(upload("ragged.csv", content), message, errors=[{"row": 4, "message": message}])
    assert stored(storage, schemaless_data_set) == []


# -- spec 7.2: Excel -----------------------------------------------------------------------


@pytest.mark.parametrize("build", [xlsx, xls], ids=["xlsx", "xls"])
def test_excel_cells(
    upload: Upload, storage: Storage, schemaless_data_set: str, build: Callable[..., bytes]
) -> None:
    rows = [
        ["name", "when", "count", "share", "note", "empty"],
        ["rex", datetime(2013, 12, 3, 13, 30), 3.0, 0.5, "big", None],
        [None, None, None, None, None, None],
        ["raptor", datetime(2014, 1, 6), 4, 1.25, "small"],
    ]
    filename = f"cells.{build.__name__}"
    response = upload(filename, build(rows))
    assert response.json() == {"status": "ok", "records_written": 2}
    assert stored(storage, schemaless_data_set) == [
        {"name": "rex", "when": "2013-12-03T13:30:00+00:00", "count": 3, "share": 0.5,
         "note": "big", "empty": None},
        {"name": "raptor", "when": "2014-01-06T00:00:00+00:00", "count": 4, "share": 1.25,
         "note": "small", "empty": None},
    ]  # fmt: skip


@pytest.mark.parametrize("build", [xlsx, xls], ids=["xlsx", "xls"])
def test_excel_error_cells_fail_record_validation(
    upload: Upload, storage: Storage, schemaless_data_set: str, build: Callable[..., bytes]
) -> None:
    rows = [["name", "ratio"], ["rex", 1], ["raptor", ERROR("#DIV/0!")]]
    response = upload(f"errors.{build.__name__}", build(rows))
    assert response.status_code == 400
    assert response.json() == {
        "messages": ["ratio has an invalid value"],
        "errors": [{"row": 3, "message": "ratio has an invalid value"}],
    }
    assert stored(storage, schemaless_data_set) == []


@pytest.mark.parametrize("filters", [None, [], ["backdrop.core.upload.filters.first_sheet_filter"]])
def test_only_the_first_sheet_is_read_by_default(
    upload: Upload,
    storage: Storage,
    register_data_set: RegisterDataSet,
    data_set_name: str,
    filters: list[str] | None,
) -> None:
    register_data_set(data_set_name, schema=None, upload_filters=filters)
    workbook = xlsx(PEOPLE, [["name"], ["second sheet"]])
    assert upload("two.xlsx", workbook, name=data_set_name).json()["records_written"] == 2
    assert stored(storage, data_set_name) == PEOPLE_RECORDS


def test_an_unknown_upload_filter_is_refused(
    upload: Upload, register_data_set: RegisterDataSet, data_set_name: str
) -> None:
    register_data_set(
        data_set_name,
        schema=None,
        upload_filters=["backdrop.contrib.evl_upload_filters.volumetrics"],
    )
    refused(
        upload("people.xlsx", xlsx(PEOPLE), name=data_set_name),
        "Unknown upload filter: backdrop.contrib.evl_upload_filters.volumetrics",
    )


def test_a_file_that_is_not_a_workbook_is_refused(upload: Upload) -> None:
    refused(
        upload("fake.xlsx", b"name,size\nrex,big\n"),
        "The file cannot be read as an Excel workbook (.xlsx or .xls)",
    )


def test_a_workbook_that_inflates_past_64_mib_is_refused_unread(
    upload: Upload, storage: Storage, schemaless_data_set: str
) -> None:
    """A zip bomb: a real workbook plus a part of 64 MiB + 1 byte of zeros, deflated to KBs."""
    out = io.BytesIO(xlsx(PEOPLE))
    with (
        zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/media/padding.bin", "w") as padding,
    ):
        for _ in range(64):
            padding.write(bytes(1 << 20))
        padding.write(b"\0")
    assert len(out.getvalue()) < 1_000_000
    refused(
        upload("bomb.xlsx", out.getvalue()),
        f"The workbook inflates to more than {64 * 1024 * 1024} bytes",
    )
    assert stored(storage, schemaless_data_set) == []


def test_a_sheet_of_more_than_1000_columns_is_refused(
    upload: Upload, storage: Storage, schemaless_data_set: str
) -> None:
    wide: list[list[Any]] = [[f"c{column}" for column in range(1001)], list(range(1001))]
    refused(upload("wide.xlsx", xlsx(wide)), "A sheet has more than 1000 columns")
    assert stored(storage, schemaless_data_set) == []
    at_cap = [row[:1000] for row in wide]
    assert upload("wide.xlsx", xlsx(at_cap)).json() == {"status": "ok", "records_written": 1}


# -- the write pipeline behind the upload (spec 3) -----------------------------------------


def test_records_are_validated_as_a_post_is_with_rows_named(
    upload: Upload, storage: Storage, registered_data_set: str
) -> None:
    content = b"_timestamp,count,bad-key\n2014-01-06T00:00:00Z,1,x\nnot a date,2,y\n"
    response = upload("events.csv", content, name=registered_data_set)
    assert response.status_code == 400
    body = response.json()
    not_a_date = "the _timestamp must be a date in the format yyyy-MM-ddT00:00:00Z"
    assert body["messages"] == [
        "'not a date' is not a 'date-time'",
        not_a_date,
        "bad-key is not a valid key",
        "_timestamp is not a valid datetime object",
    ]
    assert body["errors"] == [
        {"row": 2, "message": "bad-key is not a valid key"},
        {"row": 3, "message": "'not a date' is not a 'date-time'"},
        {"row": 3, "message": not_a_date},
        {"row": 3, "message": "_timestamp is not a valid datetime object"},
    ]
    assert body.keys() == {"messages", "errors"}
    assert stored(storage, registered_data_set) == []


def test_auto_ids_make_a_reupload_replace_its_records(
    upload: Upload, storage: Storage, register_data_set: RegisterDataSet, data_set_name: str
) -> None:
    register_data_set(data_set_name, schema=None, auto_ids=["start_at", "key"])
    first = b"start_at,key,value\n2014-01-01,a,1\n2014-01-01,b,2\n"
    again = b"start_at,key,value\n2014-01-01,a,10\n2014-01-01,b,20\n"
    assert upload("week.csv", first, name=data_set_name).status_code == 200
    assert upload("week.csv", again, name=data_set_name).status_code == 200
    records = sorted(storage.find(data_set_name, Query()), key=lambda record: record["key"])
    assert [(record["_id"], record["value"]) for record in records] == [
        ("MjAxNC0wMS0wMS5h", 10),
        ("MjAxNC0wMS0wMS5i", 20),
    ]


def test_missing_auto_id_fields_name_the_row(
    upload: Upload, register_data_set: RegisterDataSet, data_set_name: str
) -> None:
    register_data_set(data_set_name, schema=None, auto_ids=["key"])
    response = upload("keys.csv", b"key,value\na,1\n\n", name=data_set_name)
    assert response.status_code == 200
    response = upload("nokeys.csv", b"value\n1\n", name=data_set_name)
    assert response.json() == {
        "messages": ["The following required id fields are missing: key"],
        "errors": [{"row": 2, "message": "The following required id fields are missing: key"}],
    }


def test_timestamps_are_parsed_and_transforms_queued(
    small_app: Flask, small_url: str, upload: Upload, storage: Storage, schemaless_data_set: str
) -> None:
    publisher: TransformPublisher = small_app.extensions[EXTENSION]
    before = publisher.published + publisher.failed
    content = b"_timestamp,value\n2014-01-07T00:00:00Z,1\n2014-01-06T00:00:00Z,2\n"
    assert upload("t.csv", content, base=small_url).status_code == 200
    assert publisher.published + publisher.failed == before + 1
    [record] = [r for r in storage.find(schemaless_data_set, Query()) if r["value"] == 1]
    assert record["_timestamp"] == datetime.fromisoformat("2014-01-07T00:00:00+00:00")
    assert record["_week_start_at"] == datetime.fromisoformat("2014-01-06T00:00:00+00:00")
    assert upload("no_time.csv", b"value\n3\n", base=small_url).status_code == 200
    assert publisher.published + publisher.failed == before + 1
