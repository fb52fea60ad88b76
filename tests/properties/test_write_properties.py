"""Any body through the real write app, on every engine: a 2xx or a 4xx, never a 5xx; and what
was acknowledged reads back identical through the read app (issue 9, "Tests")."""

from __future__ import annotations

import gzip
import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import requests
from hypothesis import event, given
from hypothesis import strategies as st

from tests.properties.roundtrip import (
    client_fields,
    expected_records,
    identical,
    unmatched,
)
from tests.properties.strategies import BODIES, CONTENT_TYPES, JSON, KEYS, RAW_BODIES
from tests.support.examples import bounded
from tests.support.http_data_set import HttpDataSet

NewDataSet = Callable[..., HttpDataSet]


def send(
    data_set: HttpDataSet,
    method: str,
    path: str,
    body: bytes,
    *,
    content_type: str | None,
    gzipped: bool,
) -> requests.Response:
    headers = {"Authorization": f"Bearer {data_set.config['bearer_token']}"}
    if content_type is not None:
        headers["Content-Type"] = content_type
    if gzipped:
        body = gzip.compress(body)
        headers["Content-Encoding"] = "gzip"
    return data_set.http.request(
        method, f"{data_set.write_url}{path}", data=body, headers=headers, timeout=30
    )


def encoded(body: Any, ascii_only: bool) -> bytes:
    return json.dumps(body, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")


def assert_no_server_error(response: requests.Response) -> None:
    assert response.status_code < 500, (response.status_code, response.text[:500])
    assert response.headers["Content-Type"] == "application/json"
    response.json()


@bounded(40)
@given(
    body=BODIES,
    ascii_only=st.booleans(),
    gzipped=st.booleans(),
    content_type=CONTENT_TYPES,
)
def test_any_json_body_is_stored_exactly_or_refused_with_a_4xx(
    new_data_set: NewDataSet,
    body: Any,
    ascii_only: bool,
    gzipped: bool,
    content_type: str | None,
) -> None:
    data_set = new_data_set(raw_queries_allowed=True, schema=None)
    response = send(
        data_set,
        "POST",
        data_set.path,
        encoded(body, ascii_only),
        content_type=content_type,
        gzipped=gzipped,
    )
    assert_no_server_error(response)
    event(f"POST {response.status_code}")
    if response.status_code != 200:
        return
    read = data_set.get()
    assert read.status_code == 200, read.text[:500]
    assert unmatched(expected_records(body), read.json()["data"]) == []


@bounded(20)
@given(body=RAW_BODIES, gzipped=st.booleans(), content_type=CONTENT_TYPES)
def test_any_bytes_are_a_2xx_or_a_4xx(
    new_data_set: NewDataSet, body: bytes, gzipped: bool, content_type: str | None
) -> None:
    data_set = new_data_set(raw_queries_allowed=True, schema=None)
    for method in ("POST", "PUT"):
        response = send(
            data_set, method, data_set.path, body, content_type=content_type, gzipped=gzipped
        )
        assert_no_server_error(response)


@pytest.fixture(scope="module")
def patched(new_data_set: NewDataSet) -> HttpDataSet:
    return new_data_set(raw_queries_allowed=True, schema=None)


PATCH_BODIES = st.one_of(
    st.dictionaries(KEYS.filter(lambda key: key != "pid"), JSON, max_size=4),
    JSON,
)


@bounded(40)
@given(body=PATCH_BODIES, ascii_only=st.booleans(), gzipped=st.booleans())
def test_any_patch_is_stored_exactly_or_refused_with_a_4xx(
    patched: HttpDataSet, body: Any, ascii_only: bool, gzipped: bool
) -> None:
    record_id = uuid.uuid4().hex
    seed = {"_id": record_id, "_timestamp": "2014-01-06T00:00:00Z", "pid": record_id, "base": 1}
    assert patched.post(seed).status_code == 200
    response = send(
        patched,
        "PATCH",
        f"{patched.path}/{record_id}",
        encoded(body, ascii_only),
        content_type="application/json",
        gzipped=gzipped,
    )
    assert_no_server_error(response)
    event(f"PATCH {response.status_code}")
    read = patched.get(f"filter_by=pid:{record_id}")
    assert read.status_code == 200, read.text[:500]
    [stored] = read.json()["data"]
    assert stored["_id"] == record_id
    expected = client_fields(seed)
    if response.status_code == 200:
        expected.update(client_fields(body))
    assert identical(expected, client_fields(stored)), (expected, stored)
