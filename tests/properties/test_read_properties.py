"""Any query string and any path segment through the real apps, on every engine: a 2xx, 3xx or
4xx, never a 5xx (issue 9). Routes resolve their configs from the built-in registry, so every
name, group, type and id a client sends reaches the database."""

from __future__ import annotations

from urllib.parse import quote, urlencode

import pytest
import requests
from hypothesis import event, given
from hypothesis import strategies as st

from backdrop.core.storage.base import Storage
from tests.properties.strategies import SEGMENTS, query_args
from tests.support.builtin_registry import BuiltinApps, RegisteredDataSet, register
from tests.support.examples import bounded
from tests.support.tokens import ADMIN_TOKEN

RECORDS = [
    {"_timestamp": f"2014-0{1 + n % 3}-0{1 + n % 7}T0{n % 10}:00:00Z", "kind": f"k{n % 3}",
     "value": n, "ratio": n / 7}
    for n in range(30)
]  # fmt: skip


@pytest.fixture(scope="module")
def readable(builtin_apps: BuiltinApps, storage: Storage) -> dict[bool, RegisteredDataSet]:
    """Two data sets with the same records: one allowing raw queries, one refusing them."""
    data_sets = {}
    for raw in (True, False):
        data_set = register(storage, raw_queries_allowed=raw)
        response = requests.post(
            builtin_apps.write_url + data_set.path, json=RECORDS, headers=data_set.auth, timeout=30
        )
        assert response.status_code == 200, response.text
        data_sets[raw] = data_set
    return data_sets


def assert_no_server_error(response: requests.Response) -> None:
    event(f"{response.request.method} {response.status_code}")
    assert response.status_code < 500, (response.request.url, response.text[:500])


@bounded(50)
@given(args=query_args(), raw=st.booleans(), legacy=st.booleans())
def test_any_query_string_is_answered_without_a_5xx(
    builtin_apps: BuiltinApps,
    readable: dict[bool, RegisteredDataSet],
    args: dict[str, list[str]],
    raw: bool,
    legacy: bool,
) -> None:
    data_set = readable[raw]
    path = f"/{data_set.config.name}" if legacy else data_set.path
    query = urlencode(args, doseq=True)
    response = requests.get(
        f"{builtin_apps.read_url}{path}?{query}", headers={"Cache-Control": "no-cache"}, timeout=30
    )
    assert_no_server_error(response)


def segment(text: str) -> str:
    return quote(text, safe="")


@bounded(30)
@given(first=SEGMENTS, second=SEGMENTS)
def test_any_path_segment_on_the_read_routes_is_answered_without_a_5xx(
    builtin_apps: BuiltinApps, first: str, second: str
) -> None:
    for method in ("GET", "OPTIONS"):
        for path in (
            f"/{segment(first)}",
            f"/data/{segment(first)}/{segment(second)}",
            f"/explore/{segment(first)}",
        ):
            response = requests.request(method, builtin_apps.read_url + path, timeout=30)
            assert_no_server_error(response)


@pytest.fixture(scope="module")
def writable(builtin_apps: BuiltinApps, storage: Storage) -> RegisteredDataSet:
    data_set = register(storage)
    response = requests.post(
        builtin_apps.write_url + data_set.path,
        json={"_id": "known", "tag": "kept"},
        headers=data_set.auth,
        timeout=30,
    )
    assert response.status_code == 200
    return data_set


@bounded(30)
@given(first=SEGMENTS, second=SEGMENTS)
def test_any_path_segment_on_the_write_routes_is_answered_without_a_5xx(
    builtin_apps: BuiltinApps, writable: RegisteredDataSet, first: str, second: str
) -> None:
    a, b = segment(first), segment(second)
    body = b'{"_timestamp": "2014-01-01T00:00:00Z", "value": 2}'
    own = writable.auth
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    requests_to_send = [
        ("POST", f"/{a}", own),
        ("POST", f"/data/{a}/{b}", own),
        ("PUT", f"/data/{a}/{b}", own),
        ("PATCH", f"/data/{a}/{b}/{a}", own),
        ("POST", f"/data/{a}/{b}/transform", own),
        ("POST", f"/data/{a}/{b}/upload", own),
        ("POST", f"{writable.path}/upload?{a}={b}", own),
        ("PATCH", f"{writable.path}/{a}", own),  # a real data set: the id reaches storage
        ("DELETE", f"{writable.path}/{a}", own),
        ("DELETE", f"/data-sets/{a}", admin),  # the admin token: the name reaches storage
    ]
    for method, path, headers in requests_to_send:
        response = requests.request(
            method, builtin_apps.write_url + path, data=body, headers=headers, timeout=30
        )
        assert_no_server_error(response)
    known = requests.get(f"{builtin_apps.read_url}{writable.path}?filter_by=tag:kept", timeout=30)
    assert [row["_id"] for row in known.json()["data"]] == ["known"]
