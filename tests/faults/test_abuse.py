"""Abuse through real app processes (gunicorn, `./start-app.sh`), on every engine (issue 9):
reads whose answers multiply are refused before they are built and the read worker's memory
stays bounded; bodies over the cap are refused before they are read; deep nesting is a 400; the
drop route drops nothing but data sets."""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from backdrop.core.query import Query
from backdrop.core.registry.local import LocalRegistry
from backdrop.core.storage.base import Storage
from tests.support.builtin_registry import BuiltinApps, RegisteredDataSet, register
from tests.support.processes import App
from tests.support.tokens import ADMIN_TOKEN

MIB = 1 << 20
LIMIT = 100_000  # the default row budget (BACKDROP_MAX_ROWS)
# 400 records with aa=i, bb=i over 2014 (issue 9, "One read can take the read worker's memory").
AMPLIFYING = [
    pytest.param(
        "group_by=aa&group_by=bb&period=month&start_at=2014-01-01T00:00:00Z"
        "&end_at=2015-01-01T00:00:00Z&flatten=true",
        400 * 400 * 12,
        "leave out flatten=true",
        id="month-flatten",
    ),
    pytest.param(
        "group_by=aa&group_by=bb&period=week&start_at=2013-12-30T00:00:00Z"
        "&end_at=2014-12-29T00:00:00Z&flatten=true",
        400 * 400 * 52,
        "leave out flatten=true",
        id="week-flatten",
    ),
    pytest.param(
        "period=hour&start_at=1950-01-01T00:00:00Z&end_at=2050-01-01T00:00:00Z",
        36525 * 24,
        "use a longer period or a shorter range",
        id="hours-of-a-century",
    ),
    pytest.param(
        "period=hour&duration=1000000",
        1_000_000,
        "use a longer period or a shorter range",
        id="a-million-hours",
    ),
]
ROWS = re.compile(r"would produce (\d+) rows, more than the limit of (\d+)")


@pytest.fixture(scope="module")
def amplified(builtin_apps: BuiltinApps, storage: Storage) -> RegisteredDataSet:
    """A data set that refuses raw queries (the issue: the reads work on those too) holding the
    issue's 400 records."""
    data_set = register(storage, raw_queries_allowed=False)
    records = [
        {
            "_timestamp": f"2014-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:00:00Z",
            "aa": i,
            "bb": i,
        }
        for i in range(400)
    ]
    response = requests.post(
        builtin_apps.write_url + data_set.path, json=records, headers=data_set.auth, timeout=60
    )
    assert response.status_code == 200, response.text
    return data_set


def worker_memory_kib(master_pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of the one gunicorn worker of `master_pid`."""
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":", 1) for line in status.read_text().splitlines() if ":" in line
            )
        except OSError:
            continue
        if int(fields["PPid"]) == master_pid:
            return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])
    raise AssertionError(f"no worker process under gunicorn {master_pid}")


@pytest.mark.parametrize(("query", "rows", "advice"), AMPLIFYING)
def test_an_amplifying_read_is_400_with_its_row_count_and_advice(
    gunicorn_read: App, amplified: RegisteredDataSet, query: str, rows: int, advice: str
) -> None:
    response = requests.get(
        f"{gunicorn_read.url}{amplified.path}?{query}",
        headers={"Cache-Control": "no-cache"},
        timeout=10,
    )
    assert response.status_code == 400, response.text[:300]
    message = response.json()["message"]
    found = ROWS.search(message)
    assert found is not None, message
    assert (int(found[1]), int(found[2])) == (rows, LIMIT)
    assert advice in message
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_the_read_workers_memory_stays_bounded_under_amplifying_reads(
    gunicorn_read: App, amplified: RegisteredDataSet
) -> None:
    base = f"{gunicorn_read.url}{amplified.path}"
    warm = requests.get(f"{base}?group_by=aa&collect=bb:sum", timeout=30)
    assert warm.status_code == 200, warm.text[:300]
    rss_before, _ = worker_memory_kib(gunicorn_read.pid)
    for _ in range(3):
        for param in AMPLIFYING:
            response = requests.get(
                f"{base}?{param.values[0]}", headers={"Cache-Control": "no-cache"}, timeout=10
            )
            assert response.status_code == 400
    rss_after, peak = worker_memory_kib(gunicorn_read.pid)
    assert (peak - rss_before) * 1024 < 100 * MIB, (rss_before, rss_after, peak)


# -- bodies ----------------------------------------------------------------------------------


@pytest.fixture
def target(builtin_apps: BuiltinApps, storage: Storage) -> RegisteredDataSet:
    return register(storage)


def assert_too_large(response: requests.Response) -> None:
    assert response.status_code == 413, response.text[:300]
    assert response.headers["Content-Type"] == "application/json"
    assert response.json() == {
        "status": "error",
        "message": f"The request body is larger than the limit of {10 * MIB} bytes",
    }


def test_a_50_mb_body_is_413_before_it_is_read(
    gunicorn_write: App, target: RegisteredDataSet, storage: Storage
) -> None:
    body = b'[{"_timestamp": "2014-01-01T00:00:00Z", "text": "' + b"x" * (50 * 1000**2) + b'"}]'
    response = requests.post(
        gunicorn_write.url + target.path, data=body, headers=target.auth, timeout=30
    )
    assert_too_large(response)
    assert not storage.data_set_exists(target.config.name)


def test_a_chunked_body_without_length_is_413_at_the_cap(
    gunicorn_write: App, target: RegisteredDataSet, storage: Storage
) -> None:
    sent = 0

    def chunks() -> Iterator[bytes]:
        nonlocal sent
        yield b'[{"_timestamp": "2014-01-01T00:00:00Z", "text": "'
        for _ in range(50):
            sent += MIB
            yield b"x" * MIB
        yield b'"}]'

    response = requests.post(
        gunicorn_write.url + target.path, data=chunks(), headers=target.auth, timeout=30
    )
    assert_too_large(response)
    assert not storage.data_set_exists(target.config.name)


def test_a_chunked_body_of_exactly_the_cap_is_read_whole(
    gunicorn_write: App, target: RegisteredDataSet
) -> None:
    def chunks() -> Iterator[bytes]:
        yield b"["
        for _ in range(10):
            yield b" " * (MIB - 1)
        yield b" " * 8 + b"]"  # 10 MiB exactly

    response = requests.post(
        gunicorn_write.url + target.path, data=chunks(), headers=target.auth, timeout=30
    )
    assert response.status_code == 200, response.text[:300]


def test_a_gzip_bomb_is_413(
    gunicorn_write: App, target: RegisteredDataSet, storage: Storage
) -> None:
    bomb = gzip.compress(b"[" + b" " * (100 * MIB) + b"]", 9)
    assert len(bomb) < 200_000
    response = requests.post(
        gunicorn_write.url + target.path,
        data=bomb,
        headers={**target.auth, "Content-Encoding": "gzip"},
        timeout=30,
    )
    assert_too_large(response)
    assert not storage.data_set_exists(target.config.name)


@pytest.mark.parametrize("method", ["POST", "PATCH", "PUT"])
def test_a_body_nested_1000_levels_deep_is_400(
    gunicorn_write: App, target: RegisteredDataSet, storage: Storage, method: str
) -> None:
    path = target.path + ("/some_id" if method == "PATCH" else "")
    body = '{"deep": ' + "[" * 999 + "]" * 999 + "}"
    response = requests.request(
        method, gunicorn_write.url + path, data=body, headers=target.auth, timeout=30
    )
    assert response.status_code == 400, response.text[:300]
    assert response.json() == {
        "status": "error",
        "message": "The JSON body is nested more than 32 levels deep",
    }
    assert not storage.data_set_exists(target.config.name)


# -- the drop route --------------------------------------------------------------------------

ODD_NAMES = [
    "backdrop.data_sets",
    "backdrop.outbox",
    "backdrop.documents",
    "system.views",
    "system.indexes",
    "a$b",
    "$cmd",
    "a\0b",
    "x" * 300,
    "..",
    ".",
    "backdrop",
    "data_sets",
    "documents",
    "data_versions",
    "schema_migrations",
    "outbox",
]


@pytest.mark.parametrize("name", ODD_NAMES, ids=lambda name: repr(name)[:24])
def test_the_drop_route_drops_nothing_but_data_sets(
    gunicorn_write: App, target: RegisteredDataSet, storage: Storage, name: str
) -> None:
    record = {"_id": "kept", "_timestamp": "2014-01-01T00:00:00Z", "value": 1}
    assert requests.post(
        gunicorn_write.url + target.path, json=record, headers=target.auth, timeout=30
    ).ok
    quoted = "".join(f"%{byte:02X}" for byte in name.encode())  # `..` too, never normalised
    response = requests.delete(
        f"{gunicorn_write.url}/data-sets/{quoted}",
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        timeout=30,
    )
    assert response.status_code == 404, response.text[:300]
    assert response.json()["status"] == "error"
    kept = LocalRegistry(storage).by_name(target.config.name)
    assert kept is not None
    assert (kept.data_group, kept.data_type) == (target.config.data_group, target.config.data_type)
    assert [r["value"] for r in storage.find(target.config.name, Query())] == [1]
    again = requests.post(
        gunicorn_write.url + target.path, json=record, headers=target.auth, timeout=30
    )
    assert again.status_code == 200  # the token still works: the registry is intact
