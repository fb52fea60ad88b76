"""`backdrop import` and `backdrop export` on each engine: the real command against the test
database and the built-in registry. Round trips: export a data set, import it into a new one,
and the two answer every query alike."""

from __future__ import annotations

import gzip
import json
import os
import pty
import re
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from backdrop.core.data_set_config import DataSetConfig
from backdrop.core.data_sets import DataSets
from backdrop.core.encoding import dumps
from backdrop.core.errors import QueryTooLarge
from backdrop.core.limits import Limits
from backdrop.core.query import Query
from backdrop.core.query_parser import parse_query
from backdrop.core.registry.local import LocalRegistry
from backdrop.core.storage.base import Storage
from backdrop.read.csv_output import to_csv
from tests.support.cli import BACKDROP, Cli, Ran, one_line_error
from tests.support.fixture_files import fixture_records
from tests.support.http_data_set import unique_name
from tests.support.spreadsheets import xls, xlsx

# click shows an ETA once a bar has run a second: 200 one-record batches took 0.5 s here, 1,000
# take about 3 s.
ROWS_FOR_ETA = 1000
# Queries whose answers a round trip must keep: raw, grouped, period + group + collect.
QUERIES = [
    "sort_by=_id:ascending",
    "group_by=authorityUrlSlug&group_by=licenceUrlSlug",
    "group_by=licenceUrlSlug&collect=isPaymentRequired&collect=type",
    "period=week&start_at=2013-01-28T00:00:00Z&end_at=2013-04-01T00:00:00Z"
    "&group_by=licenceUrlSlug&filter_by=authorityUrlSlug:testport&collect=type:count",
    "period=month&duration=3&end_at=2013-04-01T00:00:00Z&flatten=true&group_by=type",
]


@pytest.fixture
def register(storage: Storage) -> Callable[..., DataSetConfig]:
    """A fresh data set in the built-in registry (raw queries allowed, no schema)."""

    def make(**overrides: Any) -> DataSetConfig:
        name = unique_name("io")
        config = DataSetConfig(
            name=name, data_group="io", data_type=name, raw_queries_allowed=True, **overrides
        )
        LocalRegistry(storage).create(config)
        return config

    return make


@pytest.fixture(scope="module")
def licensing(storage: Storage) -> Iterator[DataSetConfig]:
    """420 licence applications (ids, timestamps, booleans), written through the pipeline."""
    name = unique_name("licensing")
    config = DataSetConfig(name=name, data_group="io", data_type=name, raw_queries_allowed=True)
    LocalRegistry(storage).create(config)
    DataSets(storage).append(config, fixture_records("licensing_preview.json"), transforms=False)
    yield config


Answer = Callable[[DataSetConfig, str], list[Any]]


@pytest.fixture
def answer(storage: Storage) -> Answer:
    """A query's answer from core, as JSON (what the read API would say)."""

    def run(config: DataSetConfig, query_string: str) -> list[Any]:
        query = parse_query(parse_qs(query_string), raw_queries_allowed=True)
        data: list[Any] = json.loads(dumps(DataSets(storage).query(config, query)))
        return data

    return run


def summary(ran: Ran) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(ran.output)
    return document


def jsonl(data: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in data.splitlines()]


def written(storage: Storage, name: str) -> list[dict[str, Any]]:
    return [
        {key: value for key, value in record.items() if key[0] != "_"}
        for record in storage.find(name, Query())
    ]


# -- import ----------------------------------------------------------------------------------


def test_import_writes_a_csv_and_prints_a_summary(
    cli: Cli, register: Callable[..., DataSetConfig], storage: Storage, tmp_path: Path
) -> None:
    config = register()
    path = tmp_path / "people.csv"
    path.write_bytes(b"# people\nname,age,comment\nPawel,27,x\nMax,35,y\n")
    ran = cli("import", config.name, str(path))
    assert ran.returncode == 0, ran.stderr
    assert summary(ran) == {"data_set": config.name, "written": 2, "rejected": []}
    assert ran.stderr == ""
    assert written(storage, config.name) == [
        {"name": "Pawel", "age": 27},
        {"name": "Max", "age": 35},
    ]


def test_import_rejects_bad_rows_by_number_and_writes_the_rest(
    cli: Cli, register: Callable[..., DataSetConfig], storage: Storage, tmp_path: Path
) -> None:
    config = register()
    path = tmp_path / "mixed.csv"
    path.write_bytes(
        b"_timestamp,name,size\n"
        b"2014-01-06T00:00:00Z,rex,big\n"
        b"yesterday-ish,raptor,small\n"
        b"2014-01-07T00:00:00Z,diplodocus\n"
        b"2014-01-08T00:00:00Z,stego,big\n"
    )
    ran = cli("import", config.name, str(path), "--batch-size", "2")
    assert ran.returncode == 1
    assert summary(ran) == {
        "data_set": config.name,
        "written": 2,
        "rejected": [
            {
                "row": 3,
                "message": "the _timestamp must be a date in the format yyyy-MM-ddT00:00:00Z",
            },
            {"row": 3, "message": "_timestamp is not a valid datetime object"},
            {"row": 4, "message": "Some rows in the CSV file contain fewer values than columns"},
        ],
    }
    assert sorted(record["name"] for record in written(storage, config.name)) == ["rex", "stego"]


@pytest.mark.parametrize(
    ("filename", "content"),
    [
        ("people.xlsx", xlsx([["name", "age"], ["Pawel", 27], ["Max", 35]], [["other"], [1]])),
        ("people.xls", xls([["name", "age"], ["Pawel", 27], ["Max", 35]])),
        ("people.jsonl.gz", gzip.compress(b'{"name": "Pawel", "age": 27}\n'
                                          b'{"name": "Max", "age": 35}\n')),
        ("people.json", b'[{"name": "Pawel", "age": 27}, {"name": "Max", "age": 35}]'),
        ("people.csv.gz", gzip.compress(b"name,age\nPawel,27\nMax,35\n")),
    ],
    ids=["xlsx", "xls", "jsonl.gz", "json", "csv.gz"],  # the same on every xdist worker
)  # fmt: skip
def test_import_reads_every_format(
    cli: Cli,
    register: Callable[..., DataSetConfig],
    storage: Storage,
    tmp_path: Path,
    filename: str,
    content: bytes,
) -> None:
    config = register()
    path = tmp_path / filename
    path.write_bytes(content)
    ran = cli("import", config.name, str(path))
    assert (ran.returncode, summary(ran)["written"]) == (0, 2), ran.stderr
    assert written(storage, config.name) == [
        {"name": "Pawel", "age": 27},
        {"name": "Max", "age": 35},
    ]


def test_import_format_option_overrides_the_name(
    cli: Cli, register: Callable[..., DataSetConfig], tmp_path: Path
) -> None:
    config = register()
    path = tmp_path / "records.data"
    path.write_bytes(b'{"name": "rex"}\n')
    unknown = cli("import", config.name, str(path))
    assert unknown.returncode == 2  # a usage error
    assert unknown.stderr.strip().splitlines()[-1] == (
        "Error: Invalid value for FILE: cannot tell the format from its name: use --format"
    )
    assert summary(cli("import", config.name, str(path), "--format", "jsonl"))["written"] == 1


def test_import_stops_at_a_file_level_error_saying_how_far_it_got(
    cli: Cli, register: Callable[..., DataSetConfig], storage: Storage, tmp_path: Path
) -> None:
    config = register()
    path = tmp_path / "latin1.csv"
    line = b"a-dinosaur-with-a-rather-long-name\n"  # 300 of them fill more than one 8 KiB read
    path.write_bytes(b"name\n" + line * 300 + "caffè\n".encode("latin-1"))
    error = one_line_error(cli("import", config.name, str(path), "--batch-size", "50"))
    match = re.fullmatch(
        r"Error: Non-UTF8 characters found\. \(after (\d+) records were written\)", error
    )
    assert match is not None, error
    assert 0 < int(match[1]) == storage.count_records(config.name) < 300


@pytest.mark.parametrize("suffix", ["csv", "jsonl"])
def test_an_empty_file_imports_no_records(
    cli: Cli, register: Callable[..., DataSetConfig], storage: Storage, tmp_path: Path, suffix: str
) -> None:
    """spec 7.2: an empty file gives no records (the upload refuses it first, spec 7.1)."""
    config = register()
    path = tmp_path / f"empty.{suffix}"
    path.write_bytes(b"")
    ran = cli("import", config.name, str(path))
    assert ran.returncode == 0, ran.stderr
    assert summary(ran) == {"data_set": config.name, "written": 0, "rejected": []}
    assert ran.stderr == ""
    assert storage.count_records(config.name) == 0


@pytest.mark.parametrize(
    ("suffix", "error"),
    [
        ("xlsx", "Error: The file cannot be read as an Excel workbook (.xlsx or .xls) "),
        ("json", "Error: The file is not JSON "),
    ],
)
def test_an_empty_workbook_or_json_document_is_a_one_line_error(
    cli: Cli, register: Callable[..., DataSetConfig], tmp_path: Path, suffix: str, error: str
) -> None:
    """No workbook and no JSON document is 0 bytes long: the file cannot be what it claims."""
    config = register()
    path = tmp_path / f"empty.{suffix}"
    path.write_bytes(b"")
    assert one_line_error(cli("import", config.name, str(path))) == (
        error + "(after 0 records were written)"
    )


def test_import_into_an_unknown_data_set_is_an_error(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(b"name\nrex\n")
    assert one_line_error(cli("import", "no_such_data_set", str(path))) == (
        'Error: No data set named "no_such_data_set"'
    )


def test_import_queues_the_transforms_of_the_range_written(
    cli: Cli, cli_env: dict[str, str], register: Callable[..., DataSetConfig], tmp_path: Path
) -> None:
    config = register()
    path = tmp_path / "events.csv"
    path.write_bytes(b"_timestamp,count\n2014-01-07T00:00:00Z,1\n2014-01-06T00:00:00Z,2\n")
    assert cli("import", config.name, str(path)).returncode == 0
    queued = Path(cli_env["BACKDROP_DATA_DIR"]) / "broker" / "queue"
    bodies = [message.read_text() for message in queued.iterdir()]
    mine = [body for body in bodies if config.name in body]
    assert len(mine) == 1
    assert "backdrop.transformers.dispatch.entrypoint" in mine[0]


# -- export and round trips ------------------------------------------------------------------


def test_export_streams_records_as_written(
    cli: Cli, licensing: DataSetConfig, storage: Storage
) -> None:
    ran = cli("export", licensing.name)
    assert ran.returncode == 0, ran.stderr
    records = jsonl(ran.output)
    assert len(records) == 420
    by_id = {record["_id"]: record for record in records}
    assert by_id["testport-1000"] == {
        "_id": "testport-1000",
        "_timestamp": "2013-01-28T09:00:00+00:00",
        "authorityName": "Testport",
        "authorityUrlSlug": "testport",
        "licenceName": "Fake Licence 3",
        "licenceUrlSlug": "fake-licence-3",
        "isPaymentRequired": False,
        "type": "success",
    }


def test_export_streams_past_the_read_row_budget(
    cli: Cli, cli_env: dict[str, str], licensing: DataSetConfig, storage: Storage
) -> None:
    """An operator's export is not an HTTP answer: it streams every record, however many rows
    the read API would allow (BACKDROP_MAX_ROWS)."""
    with pytest.raises(QueryTooLarge):
        DataSets(storage, Limits(max_rows=100)).query(licensing, Query())
    ran = cli("export", licensing.name, env={**cli_env, "BACKDROP_MAX_ROWS": "100"})
    assert ran.returncode == 0, ran.stderr
    assert len(jsonl(ran.output)) == 420


def test_export_of_a_query_gives_its_answer(
    cli: Cli, licensing: DataSetConfig, answer: Answer
) -> None:
    query = "group_by=licenceUrlSlug&collect=isPaymentRequired"
    ran = cli("export", licensing.name, "--query", query)
    assert jsonl(ran.output) == answer(licensing, query)
    slugs = {record["licenceUrlSlug"] for record in fixture_records("licensing_preview.json")}
    assert [row["licenceUrlSlug"] for row in jsonl(ran.output)] == sorted(slugs)


def test_a_bad_query_is_a_one_line_error(cli: Cli, licensing: DataSetConfig) -> None:
    assert one_line_error(
        cli("export", licensing.name, "--query", "period=fortnight&duration=2")
    ) == ("Error: 'period' must be one of ['hour', 'day', 'week', 'month', 'quarter', 'year']")


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_export_then_import_gives_identical_answers(
    cli: Cli,
    licensing: DataSetConfig,
    register: Callable[..., DataSetConfig],
    tmp_path: Path,
    fmt: str,
) -> None:
    path = tmp_path / f"licensing.{fmt}"
    exported = cli("export", licensing.name, "--format", fmt, "-o", str(path))
    assert summary(exported) == {
        "data_set": licensing.name,
        "format": fmt,
        "records": 420,
        "output": str(path),
    }
    copy = register()
    imported = cli("import", copy.name, str(path), "--batch-size", "100")
    assert summary(imported) == {"data_set": copy.name, "written": 420, "rejected": []}
    for query in QUERIES:
        original = cli("export", licensing.name, "--query", query).output
        again = cli("export", copy.name, "--query", query).output
        if fmt == "csv":  # CSV carries text: booleans come back as "True"/"False"
            original = original.replace(b"false", b'"False"').replace(b"true", b'"True"')
        assert jsonl(again) == jsonl(original), query


def test_csv_export_is_the_read_apis_csv(
    cli: Cli, licensing: DataSetConfig, storage: Storage
) -> None:
    query = "group_by=authorityUrlSlug&collect=type:count"
    ran = cli("export", licensing.name, "--query", query, "--format", "csv")
    parsed = parse_query(parse_qs(query), raw_queries_allowed=True)
    assert ran.output.decode() == to_csv(DataSets(storage).query(licensing, parsed))
    assert ran.output.startswith(b"_count,authorityUrlSlug,type:count\r\n")


def test_the_progress_bar_shows_on_a_terminal_only(
    cli_env: dict[str, str], licensing: DataSetConfig, tmp_path: Path
) -> None:
    target = tmp_path / "out.jsonl"
    shown = _stderr_on_a_terminal([BACKDROP, "export", licensing.name, "-o", str(target)], cli_env)
    assert f"Exporting {licensing.name}" in shown
    assert "420 records" in shown
    assert "/s" in shown
    assert "100%" in shown  # elsewhere stderr is no terminal: no bar (test_import_writes_...)


def _stderr_on_a_terminal(command: list[str], env: dict[str, str]) -> str:
    """Run the command with stderr on a pseudo-terminal; what it wrote there."""
    leader, follower = pty.openpty()
    chunks: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the other end closed: Linux reports EIO
                return
            if not chunk:
                return
            chunks.append(chunk)

    reader = threading.Thread(target=drain)
    reader.start()
    try:
        subprocess.run(
            command, env=env, stdout=subprocess.DEVNULL, stderr=follower, timeout=60, check=True
        )
    finally:
        os.close(follower)
        reader.join(timeout=10)
        os.close(leader)
    return b"".join(chunks).decode(errors="replace")


def test_import_shows_records_rate_and_eta_on_a_terminal(
    cli_env: dict[str, str], register: Callable[..., DataSetConfig], tmp_path: Path
) -> None:
    """A workbook's bar counts rows; one record a batch makes the import last the second click
    needs before it shows an ETA. It ends at 100% with every record counted. Off a terminal
    the same command writes nothing on stderr (test_import_writes_a_csv_and_prints_a_summary)."""
    config = register()
    path = tmp_path / "many.xlsx"
    path.write_bytes(xlsx([["name", "size"], *([f"n{row}", row] for row in range(ROWS_FOR_ETA))]))
    command = [BACKDROP, "import", config.name, str(path), "--batch-size", "1"]
    shown = _stderr_on_a_terminal(command, cli_env)
    assert "Importing many.xlsx" in shown
    assert re.search(r"\d\d:\d\d:\d\d  [0-9,]+ records, [0-9,]+/s", shown), shown  # ETA
    last = shown.rsplit("\r", 2)[-2]  # the final redraw
    assert re.search(rf"100%  {ROWS_FOR_ETA:,} records, [0-9,]+/s", last), last
