"""Spec 7.1's virus scan (optional, BACKDROP_UPLOAD_VIRUS_SCAN): a real scanner process, a shell
script standing in for `clamdscan` that flags files containing "EICAR" (exit 1) as clamdscan
flags the EICAR test file. A scanner that cannot answer refuses the upload (503), never lets the
file in unchecked."""

from __future__ import annotations

import contextlib
import dataclasses
import stat
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from backdrop.core.config import Settings
from backdrop.core.storage.base import Storage
from backdrop.write.app import create_app as create_write_app
from tests.api.test_upload import PEOPLE_RECORDS, stored
from tests.support.servers import LiveServer
from tests.support.statsd import received, statsd_listener

Serving = contextlib.AbstractContextManager[str]
PEOPLE_CSV = b"name,age,nationality\nPawel,27,Polish\nMax,35,Italian\n"
# Exits as clamdscan does: 0 clean, 1 found; the file is the last argument, after the options.
SCANNER = """#!/bin/sh
for file; do :; done
echo "$@" >> "$0.calls"
if grep -q EICAR "$file"; then echo "$file: Eicar-Signature FOUND"; exit 1; fi
echo "$file: OK"
"""
NOT_SCANNED = "The file could not be scanned for viruses, so it was not stored; try again later"


def script(directory: Path, name: str, body: str) -> Path:
    path = directory / name
    path.write_text(body, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.fixture
def scanner(tmp_path: Path) -> Path:
    return script(tmp_path, "scanner", SCANNER)


@pytest.fixture
def scanning(settings: Settings, storage: Storage) -> Callable[..., Serving]:
    """A write app (its URL) whose uploads are scanned by `command`."""

    @contextlib.contextmanager
    def serve(command: tuple[str, ...], timeout: float = 10.0, **more: Any) -> Iterator[str]:
        scanned = dataclasses.replace(
            settings, upload_virus_scan=command, upload_virus_scan_timeout=timeout, **more
        )
        with LiveServer(create_write_app(scanned, storage=storage)) as server:
            yield server.url

    return serve


def upload(base: str, name: str, filename: str, content: bytes) -> requests.Response:
    return requests.post(
        f"{base}/data/{name}/{name}/upload",
        files={"file": (filename, content)},
        headers={"Authorization": f"Bearer {name}-bearer-token"},
        timeout=30,
    )


def test_a_clean_file_is_scanned_then_stored(
    scanning: Callable[..., Serving],
    scanner: Path,
    storage: Storage,
    schemaless_data_set: str,
) -> None:
    with (
        statsd_listener() as statsd,
        scanning(
            (str(scanner), "--no-summary"),
            statsd_host="127.0.0.1",
            statsd_port=statsd.getsockname()[1],
        ) as url,
    ):
        response = upload(url, schemaless_data_set, "people.csv", PEOPLE_CSV)
        timers = [line.split(":", 1)[0] for line in received(statsd)]
    assert (response.status_code, response.json()) == (200, {"status": "ok", "records_written": 2})
    assert stored(storage, schemaless_data_set) == PEOPLE_RECORDS
    [call] = Path(f"{scanner}.calls").read_text(encoding="utf-8").splitlines()
    options, path = call.rsplit(" ", 1)
    assert options == "--no-summary"
    assert not Path(path).exists()  # the temporary copy is gone
    # the original timed its scan under this statsd name
    assert "pp.apps.backdrop.unknown.uploaded_file._is_potential_virus" in timers


@pytest.mark.parametrize(
    ("filename", "problems"),
    [
        ("evil.csv", "file may contain a virus"),
        ("evil.png", "strange content type of image/png and file may contain a virus"),
    ],
)
def test_a_file_the_scanner_flags_is_refused_with_the_specs_message(
    scanning: Callable[..., Serving],
    scanner: Path,
    storage: Storage,
    schemaless_data_set: str,
    filename: str,
    problems: str,
) -> None:
    content = PEOPLE_CSV + b"X5O!P%@AP,EICAR-STANDARD-ANTIVIRUS-TEST-FILE,0\n"
    with scanning((str(scanner),)) as url:
        response = upload(url, schemaless_data_set, filename, content)
    assert response.status_code == 400, response.text
    assert response.json() == {
        "status": "error",
        "message": f"Invalid file upload {filename} - {problems}",
    }
    assert stored(storage, schemaless_data_set) == []


@pytest.mark.parametrize(
    ("body", "timeout", "detail"),
    [
        (
            '#!/bin/sh\necho "cannot connect to clamd" >&2\nexit 2\n',
            10.0,
            "The scanner exited with status 2",
        ),
        ("#!/bin/sh\nsleep 30\n", 0.5, "The scanner did not finish within 0.5 seconds"),
        (None, 10.0, 'The scanner command "{name}" cannot be run'),
    ],
    ids=["exit-2", "timeout", "missing"],
)
def test_a_scanner_that_cannot_answer_refuses_the_file_with_a_503(
    scanning: Callable[..., Serving],
    tmp_path: Path,
    storage: Storage,
    schemaless_data_set: str,
    body: str | None,
    timeout: float,
    detail: str,
) -> None:
    command = script(tmp_path, "broken", body) if body else tmp_path / "no-such-scanner"
    with scanning((str(command),), timeout) as url:
        started = time.monotonic()
        response = upload(url, schemaless_data_set, "people.csv", PEOPLE_CSV)
        elapsed = time.monotonic() - started
    assert response.status_code == 503, response.text
    assert response.headers["Retry-After"] == "1"
    assert response.json() == {
        "status": "error",
        "message": NOT_SCANNED,
        "detail": detail.format(name=command.name),  # the server's path is not shown
    }
    assert elapsed < timeout + 5
    assert stored(storage, schemaless_data_set) == []


def test_the_scan_is_a_setting_off_by_default_and_skip_virus_scan_wins() -> None:
    command = {"BACKDROP_UPLOAD_VIRUS_SCAN": "clamdscan --no-summary --fdpass"}
    assert Settings.from_env({}).upload_virus_scan == ()
    assert Settings.from_env(command).upload_virus_scan == (
        "clamdscan",
        "--no-summary",
        "--fdpass",
    )
    assert Settings.from_env({**command, "SKIP_VIRUS_SCAN": "1"}).upload_virus_scan == ()
    timeout = Settings.from_env({**command, "BACKDROP_UPLOAD_VIRUS_SCAN_TIMEOUT": "5"})
    assert timeout.upload_virus_scan_timeout == 5.0
    assert Settings.from_env(command).upload_virus_scan_timeout == 30.0
