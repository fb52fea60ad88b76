"""The write app over HTTP (spec 1.2, 1.3, 3.7, 3.8), checked through the real database."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from backdrop.core.query import Query
from backdrop.core.storage.base import Storage
from tests.support.bodies import (
    EIGHT_MESSAGES,
    EIGHT_MESSAGES_AUTO_IDS,
    eight_messages_payload,
    spec_body,
)
from tests.support.stagecraft import RegisterDataSet, StagecraftState
from tests.support.tokens import ADMIN_TOKEN

NOT_JSON = "ValidationError('Expected header: Content-type: application/json',)"
NOT_FOUND_TEXT = (
    "The requested URL was not found on the server.  "
    "If you entered the URL manually please check your spelling and try again."
)
EMPTY_ONLY = "Not implemented: you can only pass an empty JSON list"
Send = Callable[..., requests.Response]
Post = Callable[[Any], requests.Response]


def auth(name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {name}-bearer-token"}


def stored(storage: Storage, name: str) -> list[dict[str, Any]]:
    return list(storage.find(name, Query()))


def error(message: str) -> dict[str, str]:
    return {"status": "error", "message": message}


@pytest.fixture
def send(http: requests.Session, write_url: str, registered_data_set: str) -> Send:
    """Send raw bytes to the data set with its token: `send("PUT", b"[]", "text/plain")`; the
    content type is JSON's unless given (None: no Content-Type header)."""

    def request(
        method: str, data: bytes, content_type: str | None = "application/json"
    ) -> requests.Response:
        headers = auth(registered_data_set)
        if content_type:
            headers["Content-Type"] = content_type
        return http.request(
            method,
            f"{write_url}/data/{registered_data_set}/{registered_data_set}",
            data=data,
            headers=headers,
        )

    return request


@pytest.fixture
def post(send: Send) -> Post:
    """POST JSON to the data set with its token."""

    def post_json(body: Any) -> requests.Response:
        return send("POST", json.dumps(body).encode())

    return post_json


# -- preamble: config lookup and auth (spec 1.2 steps 1-2) ---------------------------------


def test_unknown_data_set_is_404_before_auth(http: requests.Session, write_url: str) -> None:
    response = http.post(f"{write_url}/data/nobody/nothing", json=[])
    assert response.status_code == 404
    assert spec_body(response.json()) == error("Could not find data_set_config")
    assert "Cache-Control" not in response.headers
    assert "WWW-Authenticate" not in response.headers


@pytest.mark.parametrize(
    "headers",
    [{}, {"Orthoriszation": "Bearer ds-bearer-token"}, {"authorization-x": "Bearer x"}],
    ids=["no header", "misspelt header", "other header"],
)
def test_missing_authorization_header_is_401(
    http: requests.Session, write_url: str, registered_data_set: str, headers: dict[str, str]
) -> None:
    response = http.post(
        f"{write_url}/data/{registered_data_set}/{registered_data_set}", json=[], headers=headers
    )
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "bearer"
    assert spec_body(response.json()) == error(
        "Expected header of form: Authorization: Bearer <token>"
    )
    assert "Cache-Control" not in response.headers


@pytest.mark.parametrize(
    ("header", "shown"),
    [
        ("Bearer invalid-bearer-token", "invalid-bearer-token"),
        ("Bearer ", "None"),
        ("Bearer", "None"),
        ("bearer {name}-bearer-token", "None"),
        ("Token {name}-bearer-token", "None"),
        ("", "None"),
        ("Bearer {name}-bearer-token ", "{name}-bearer-token "),
    ],
)
def test_wrong_or_malformed_token_is_401_naming_it(
    http: requests.Session, write_url: str, registered_data_set: str, header: str, shown: str
) -> None:
    response = http.post(
        f"{write_url}/data/{registered_data_set}/{registered_data_set}",
        json=[{"_timestamp": "2014-01-01T00:00:00Z"}],
        headers={"Authorization": header.format(name=registered_data_set)},
    )
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "bearer"
    token = shown.format(name=registered_data_set)
    assert spec_body(response.json()) == error(
        f"Unauthorized: Invalid bearer token '{token}' for '{registered_data_set}'"
    )
    assert "Cache-Control" not in response.headers


@pytest.mark.parametrize("token", [None, ""])
def test_a_data_set_without_token_cannot_be_written(
    http: requests.Session,
    write_url: str,
    storage: Storage,
    data_set_name: str,
    register_data_set: RegisterDataSet,
    token: str | None,
) -> None:
    register_data_set(data_set_name, bearer_token=token)
    url = f"{write_url}/data/{data_set_name}/{data_set_name}"
    body = [{"_timestamp": "2014-01-01T00:00:00Z"}]
    for presented in ("anything", "None", ""):
        response = http.post(url, json=body, headers={"Authorization": f"Bearer {presented}"})
        assert response.status_code == 401
        assert spec_body(response.json()) == error(
            f"Unauthorized: Invalid bearer token '{presented or None}' for '{data_set_name}'"
        )
    assert http.post(url, json=body).status_code == 401
    assert not storage.data_set_exists(data_set_name)


def test_the_token_of_another_data_set_is_refused(
    http: requests.Session,
    write_url: str,
    registered_data_set: str,
    register_data_set: RegisterDataSet,
) -> None:
    register_data_set(f"{registered_data_set}_other")
    response = http.post(
        f"{write_url}/data/{registered_data_set}/{registered_data_set}",
        json=[],
        headers=auth(f"{registered_data_set}_other"),
    )
    assert response.status_code == 401


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_other_record_routes_need_the_token_too(
    http: requests.Session, write_url: str, registered_data_set: str, method: str
) -> None:
    path = f"/data/{registered_data_set}/{registered_data_set}" + (
        "" if method == "PUT" else "/some-id"
    )
    response = http.request(method, write_url + path, json=[])
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "bearer"
    wrong = http.request(method, write_url + path, json=[], headers={"Authorization": "Bearer x"})
    assert spec_body(wrong.json()) == error(
        f"Unauthorized: Invalid bearer token 'x' for '{registered_data_set}'"
    )


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_other_record_routes_of_unknown_data_sets_are_404(
    http: requests.Session, write_url: str, method: str
) -> None:
    path = "/data/nobody/nothing" + ("" if method == "PUT" else "/some-id")
    response = http.request(method, write_url + path, json=[])
    assert response.status_code == 404
    assert spec_body(response.json()) == error("Could not find data_set_config")


# -- body reading (spec 1.2 step 3, 3.1) ----------------------------------------------------


def test_empty_body_is_400(send: Send) -> None:
    response = send("POST", b"")
    assert response.status_code == 400
    assert spec_body(response.json()) == error(
        "Expected JSON request body but received zero bytes."
    )
    assert "Cache-Control" not in response.headers


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_non_json_content_type_is_the_validation_error_list(
    send: Send, storage: Storage, registered_data_set: str, content_type: str | None
) -> None:
    response = send("POST", b'[{"_timestamp": "2014-01-01T00:00:00Z"}]', content_type)
    assert response.status_code == 400
    assert spec_body(response.json()) == {"messages": [NOT_JSON]}
    assert response.headers["Cache-Control"] == "no-cache"
    assert not storage.data_set_exists(registered_data_set)


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "application/json; charset=utf-8",
        "application/JSON;charset=UTF-8",
        "application/vnd.backdrop+json",
    ],
)
def test_json_media_types_are_accepted(
    send: Send, storage: Storage, registered_data_set: str, content_type: str
) -> None:
    response = send(
        "POST",
        json.dumps({"_timestamp": "2014-01-01T00:00:00Z", "city": "città"}).encode(),
        content_type,
    )
    assert response.status_code == 200, response.text
    assert [record["city"] for record in stored(storage, registered_data_set)] == ["città"]


@pytest.mark.parametrize("body", [b"{borked!}", b"[{}", b"{'single': 'quotes'}", b"\xff\xfe"])
def test_malformed_json_is_400_with_the_parser_error(send: Send, body: bytes) -> None:
    response = send("POST", body)
    assert response.status_code == 400
    assert response.json()["status"] == "error"
    message = response.json()["message"]
    assert message.startswith('Error parsing JSON: "')
    assert message.endswith('"')
    assert "Cache-Control" not in response.headers


@pytest.mark.parametrize("body", [5, "text", True, None, [1, 2], [{"_timestamp": "x"}, 3]])
def test_json_that_is_not_objects_is_400_and_stores_nothing(
    post: Post, storage: Storage, registered_data_set: str, body: Any
) -> None:
    response = post(body)
    assert response.status_code == 400
    assert spec_body(response.json()) == error("Expected a JSON object or a list of JSON objects")
    assert stored(storage, registered_data_set) == []


# -- records (spec 3.2-3.7) -----------------------------------------------------------------


def test_posting_one_object_stores_one_record(
    post: Post, storage: Storage, registered_data_set: str
) -> None:
    response = post({"_timestamp": "2012-12-12T12:12:00+00:00", "name": "t-rex", "size": 5})
    assert response.status_code == 200
    assert spec_body(response.json()) == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["Content-Type"] == "application/json"
    assert "Access-Control-Allow-Origin" not in response.headers
    [record] = stored(storage, registered_data_set)
    assert record["name"] == "t-rex"
    assert record["size"] == 5
    assert record["_timestamp"] == datetime(2012, 12, 12, 12, 12, tzinfo=UTC)
    assert record["_week_start_at"] == datetime(2012, 12, 10, tzinfo=UTC)
    assert record["_quarter_start_at"] == datetime(2012, 10, 1, tzinfo=UTC)
    assert datetime.now(UTC) - record["_updated_at"] < timedelta(minutes=1)


def test_posting_a_list_stores_each_record(
    post: Post, storage: Storage, registered_data_set: str
) -> None:
    records = [
        {"_timestamp": "2014-01-01T00:00:00Z", "size": "big", "name": "t-rex"},
        {"_timestamp": "2014-01-02T00:00:00Z", "size": "big", "name": "velociraptor"},
        {"_timestamp": "2014-01-03T00:00:00Z", "size": "small", "name": "microraptor"},
    ]
    assert post(records).status_code == 200
    kept = stored(storage, registered_data_set)
    assert sorted(record["name"] for record in kept) == ["microraptor", "t-rex", "velociraptor"]
    assert sum(record["size"] == "big" for record in kept) == 2


def test_an_empty_list_is_accepted_and_stores_nothing(
    post: Post, storage: Storage, registered_data_set: str
) -> None:
    response = post([])
    assert response.status_code == 200
    assert spec_body(response.json()) == {"status": "ok"}
    assert stored(storage, registered_data_set) == []


def test_record_errors_are_400_and_nothing_is_stored(
    post: Post, storage: Storage, registered_data_set: str
) -> None:
    good = {"_timestamp": "2014-01-01T00:00:00Z", "value": 1}
    response = post([good, {"_timestamp": "2014-01-01T00:00:00Z", "foo-bar": 1}, good])
    assert response.status_code == 400
    assert spec_body(response.json()) == {"messages": ["foo-bar is not a valid key"]}
    assert response.headers["Cache-Control"] == "no-cache"
    assert stored(storage, registered_data_set) == []


def test_the_spec_example_through_the_api(
    post: Post, storage: Storage, registered_data_set: str, register_data_set: RegisterDataSet
) -> None:
    register_data_set(registered_data_set, auto_ids=list(EIGHT_MESSAGES_AUTO_IDS))
    response = post(eight_messages_payload())
    assert response.status_code == 400
    assert spec_body(response.json()) == {"messages": EIGHT_MESSAGES}
    assert stored(storage, registered_data_set) == []


@pytest.mark.parametrize(
    ("record", "messages"),
    [
        ({"_timestamp": "2014-01-01T00:00:00Z", "": ""}, [" is not a valid key"]),
        ({"_timestamp": "2014-01-01T00:00:00Z", "_id": "f o o"}, ['_id "f o o" is not a valid id']),
        ({"_timestamp": "2014-01-01T00:00:00Z", "_id": 7}, ['_id "7" is not a valid id']),
        (
            {"_timestamp": "2014-01-01T00:00:00Z", "_updated_at": "x"},
            ["_updated_at is not a recognised internal field"],
        ),
        ({"_timestamp": "2014-01-01T00:00:00Z", "tags": ["a"]}, ["tags has an invalid value"]),
        (
            {"_timestamp": "2014-02-30T00:00:00Z"},
            [
                "'2014-02-30T00:00:00Z' is not a 'date-time'",
                "2014-02-30T00:00:00Z in the _timestamp field is not a valid date",
                "_timestamp is not a valid datetime object",
            ],
        ),
        (
            {"_timestamp": 1388534400},
            [
                "1388534400 is not of type 'string'",
                "the _timestamp must be a date in the format yyyy-MM-ddT00:00:00Z",
                "_timestamp is not a valid datetime object",
            ],
        ),
        (
            {"_timestamp": "2014-01-01T00:00:00Z", "_start_at": "soon"},
            [
                "_start_at must be a date in the format yyyy-MM-ddT00:00:00Z",
                "_start_at is not a valid datetime object",
            ],
        ),
    ],
)
def test_record_messages_through_the_api(
    post: Post,
    storage: Storage,
    registered_data_set: str,
    record: dict[str, Any],
    messages: list[str],
) -> None:
    response = post([record])
    assert response.status_code == 400
    assert spec_body(response.json()) == {"messages": messages}
    assert stored(storage, registered_data_set) == []


def test_without_a_schema_a_record_needs_no_timestamp(
    post: Post, storage: Storage, registered_data_set: str, register_data_set: RegisterDataSet
) -> None:
    register_data_set(registered_data_set, schema=None)
    response = post([{"value": 1}, {"_timestamp": "2014-01-01T00:00:00Z", "value": 2}])
    assert response.status_code == 200
    assert sorted(record["value"] for record in stored(storage, registered_data_set)) == [1, 2]


def test_a_record_with_an_id_replaces_the_stored_one_entirely(
    post: Post, storage: Storage, registered_data_set: str
) -> None:
    assert post({"_id": "a", "_timestamp": "2014-01-01T00:00:00Z", "xx": 1, "yy": 2}).ok
    assert post({"_id": "a", "_timestamp": "2014-01-02T00:00:00Z", "xx": 3}).ok
    [record] = stored(storage, registered_data_set)
    assert record["xx"] == 3
    assert "yy" not in record
    assert record["_timestamp"] == datetime(2014, 1, 2, tzinfo=UTC)


def test_the_last_of_two_records_with_one_id_wins(
    post: Post, storage: Storage, registered_data_set: str
) -> None:
    response = post(
        [
            {"_id": "same", "_timestamp": "2014-01-01T00:00:00Z", "value": "first"},
            {"_id": "other", "_timestamp": "2014-01-01T00:00:00Z", "value": "other"},
            {"_id": "same", "_timestamp": "2014-01-01T00:00:00Z", "value": "last"},
        ]
    )
    assert response.status_code == 200
    assert sorted((r["_id"], r["value"]) for r in stored(storage, registered_data_set)) == [
        ("other", "other"),
        ("same", "last"),
    ]


def test_records_without_id_are_inserted_every_time(
    post: Post, storage: Storage, registered_data_set: str
) -> None:
    record = {"_timestamp": "2014-01-01T00:00:00Z", "value": 1}
    assert post(record).ok
    assert post(record).ok
    kept = stored(storage, registered_data_set)
    assert len(kept) == 2
    assert kept[0]["_id"] != kept[1]["_id"]


def test_auto_ids_make_reposting_idempotent(
    post: Post, storage: Storage, registered_data_set: str, register_data_set: RegisterDataSet
) -> None:
    register_data_set(registered_data_set, auto_ids=["_timestamp", "region"])
    records = [
        {"_timestamp": "2013-08-01T00:00:00+00:00", "region": "bar", "count": 1},
        {"_timestamp": "2013-08-01T00:00:00+00:00", "region": "baz", "count": 2, "_id": "x"},
    ]
    assert post(records).ok
    records[0]["count"] = 10
    assert post(records).ok
    kept = sorted(stored(storage, registered_data_set), key=lambda r: r["region"])
    assert [(r["_id"], r["count"]) for r in kept] == [
        ("MjAxMy0wOC0wMVQwMDowMDowMCswMDowMC5iYXI=", 10),
        ("MjAxMy0wOC0wMVQwMDowMDowMCswMDowMC5iYXo=", 2),
    ]


def test_ids_are_scoped_per_data_set(
    http: requests.Session,
    write_url: str,
    storage: Storage,
    data_set_name: str,
    register_data_set: RegisterDataSet,
) -> None:
    for suffix in ("_a", "_b"):
        register_data_set(data_set_name + suffix)
        response = http.post(
            f"{write_url}/data/{data_set_name}{suffix}/{data_set_name}{suffix}",
            json={"_id": "shared", "_timestamp": "2014-01-01T00:00:00Z", "owner": suffix},
            headers=auth(data_set_name + suffix),
        )
        assert response.ok
    assert [r["owner"] for r in stored(storage, data_set_name + "_a")] == ["_a"]
    assert [r["owner"] for r in stored(storage, data_set_name + "_b")] == ["_b"]


# -- gzip (spec 3.8) -------------------------------------------------------------------------


def gzip_post(
    http: requests.Session, write_url: str, data_set: str, body: bytes, encoding: str = "gzip"
) -> requests.Response:
    return http.post(
        f"{write_url}/data/{data_set}/{data_set}",
        data=body,
        headers={
            **auth(data_set),
            "Content-Type": "application/json",
            "Content-Encoding": encoding,
        },
    )


@pytest.mark.parametrize("encoding", ["gzip", "GZIP", "x-gzip"])
def test_gzip_bodies_are_inflated(
    http: requests.Session,
    write_url: str,
    storage: Storage,
    registered_data_set: str,
    encoding: str,
) -> None:
    records = [
        {"_timestamp": "2014-01-01T00:00:00Z", "value": n, "pad": "x" * 40} for n in range(60)
    ]
    text = json.dumps(records).encode()
    assert len(text) > 2048  # what performanceplatform-client gzips
    response = gzip_post(http, write_url, registered_data_set, gzip.compress(text), encoding)
    assert response.status_code == 200, response.text
    assert sorted(r["value"] for r in stored(storage, registered_data_set)) == list(range(60))


def test_a_gzip_bomb_is_413_with_a_json_body(
    http: requests.Session, write_url: str, storage: Storage, registered_data_set: str
) -> None:
    bomb = gzip.compress(b"0" * (11 * 1024 * 1024))
    assert len(bomb) < 100_000
    response = gzip_post(http, write_url, registered_data_set, bomb)
    assert response.status_code == 413
    assert response.headers["Content-Type"] == "application/json"
    assert response.json()["status"] == "error"
    assert "10485760" in response.json()["message"]
    assert "Cache-Control" not in response.headers
    assert not storage.data_set_exists(registered_data_set)


def test_exactly_ten_mib_inflated_is_not_a_bomb(
    http: requests.Session, write_url: str, registered_data_set: str
) -> None:
    body = b"[" + b" " * (10 * 1024 * 1024 - 2) + b"]"
    response = gzip_post(http, write_url, registered_data_set, gzip.compress(body))
    assert response.status_code == 200, response.text


def test_non_gzip_data_under_a_gzip_header_is_400(
    http: requests.Session, write_url: str, storage: Storage, registered_data_set: str
) -> None:
    response = gzip_post(
        http, write_url, registered_data_set, b'[{"_timestamp": "2014-01-01T00:00:00Z"}]'
    )
    assert response.status_code == 400
    assert spec_body(response.json()) == error("Could not decompress the gzip request body")
    assert not storage.data_set_exists(registered_data_set)


def test_an_empty_gzip_body_is_zero_bytes(
    http: requests.Session, write_url: str, registered_data_set: str
) -> None:
    response = gzip_post(http, write_url, registered_data_set, gzip.compress(b""))
    assert response.status_code == 400
    assert spec_body(response.json()) == error(
        "Expected JSON request body but received zero bytes."
    )


# -- unexpected errors (spec 1.3) -----------------------------------------------------------


def test_a_data_set_name_no_engine_can_store_is_refused_before_storage(
    http: requests.Session, write_url: str, register_data_set: RegisterDataSet
) -> None:
    register_data_set("bad$name", data_group="unusable", data_type="name")
    response = http.post(
        f"{write_url}/data/unusable/name",
        json={"_timestamp": "2014-01-01T00:00:00Z"},
        headers=auth("bad$name"),
    )
    assert response.status_code == 400
    assert spec_body(response.json()) == error('"bad$name" cannot be the name of a data set')
    assert "Cache-Control" not in response.headers


# -- capped data sets (spec 5.1) -------------------------------------------------------------


def test_a_capped_data_set_keeps_fewer_records_than_posted(
    http: requests.Session,
    write_url: str,
    storage: Storage,
    data_set_name: str,
    register_data_set: RegisterDataSet,
) -> None:
    register_data_set(data_set_name, capped_size=1)
    url = f"{write_url}/data/{data_set_name}/{data_set_name}"
    for number in range(100):
        record = {"_timestamp": "2014-01-01T00:00:00Z", "number": number}
        assert http.post(url, json=record, headers=auth(data_set_name)).ok
    kept = stored(storage, data_set_name)
    assert 0 < len(kept) < 70
    assert kept[-1]["number"] == 99  # the oldest go first


def test_a_capped_data_set_stays_bounded_when_written_in_one_batch(
    http: requests.Session,
    write_url: str,
    storage: Storage,
    data_set_name: str,
    register_data_set: RegisterDataSet,
) -> None:
    register_data_set(data_set_name, capped_size=4096)
    records = [
        {"_timestamp": "2014-01-01T00:00:00Z", "number": number, "padding": "x" * 50}
        for number in range(100)
    ]
    response = http.post(
        f"{write_url}/data/{data_set_name}/{data_set_name}",
        json=records,
        headers=auth(data_set_name),
    )
    assert response.status_code == 200, response.text
    kept = stored(storage, data_set_name)
    assert 0 < len(kept) < 70
    assert kept[-1]["number"] == 99


# -- PUT: empty a data set --------------------------------------------------------------------


def test_put_empty_list_removes_every_record(
    send: Send, post: Post, storage: Storage, registered_data_set: str
) -> None:
    assert post([{"_timestamp": "2014-01-01T00:00:00Z"}] * 3).ok
    response = send("PUT", b"[]")
    assert response.status_code == 200
    assert spec_body(response.json()) == {
        "status": "ok",
        "message": f"{registered_data_set} now contains 0 records",
    }
    assert response.headers["Cache-Control"] == "no-cache"
    assert stored(storage, registered_data_set) == []
    assert storage.data_set_exists(registered_data_set)


def test_put_creates_a_data_set_never_written(
    send: Send, storage: Storage, registered_data_set: str
) -> None:
    response = send("PUT", b"[]")
    assert response.status_code == 200
    assert storage.data_set_exists(registered_data_set)


@pytest.mark.parametrize("body", [[{"a": 1}], {}, {"a": 1}, [[]], 0])
def test_put_anything_but_an_empty_list_is_not_implemented(
    send: Send, post: Post, storage: Storage, registered_data_set: str, body: Any
) -> None:
    assert post({"_timestamp": "2014-01-01T00:00:00Z"}).ok
    response = send("PUT", json.dumps(body).encode())
    assert response.status_code == 400
    assert spec_body(response.json()) == error(EMPTY_ONLY)
    assert len(stored(storage, registered_data_set)) == 1


def test_put_non_json_is_400_with_status_and_message(send: Send) -> None:
    response = send("PUT", b"[]", "text/plain")
    assert response.status_code == 400
    assert spec_body(response.json()) == error(NOT_JSON)


def test_put_with_an_empty_body_is_zero_bytes(send: Send) -> None:
    response = send("PUT", b"")
    assert response.status_code == 400
    assert spec_body(response.json()) == error(
        "Expected JSON request body but received zero bytes."
    )


# -- PATCH and DELETE of one record ----------------------------------------------------------


def test_patch_merges_fields_and_stamps_updated_at(
    http: requests.Session, write_url: str, post: Post, storage: Storage, registered_data_set: str
) -> None:
    assert post({"_id": "rec", "_timestamp": "2014-01-01T00:00:00Z", "a_a": 1, "b_b": 2}).ok
    [before] = stored(storage, registered_data_set)
    response = http.patch(
        f"{write_url}/data/{registered_data_set}/{registered_data_set}/rec",
        json={"b_b": 20, "c_c": "new"},
        headers=auth(registered_data_set),
    )
    assert response.status_code == 200
    assert spec_body(response.json()) == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-cache"
    [after] = stored(storage, registered_data_set)
    assert (after["a_a"], after["b_b"], after["c_c"]) == (1, 20, "new")
    assert after["_timestamp"] == before["_timestamp"]
    assert after["_week_start_at"] == before["_week_start_at"]
    assert after["_updated_at"] > before["_updated_at"]


def test_patch_applies_no_record_rules(
    http: requests.Session, write_url: str, post: Post, storage: Storage, registered_data_set: str
) -> None:
    assert post({"_id": "rec", "_timestamp": "2014-01-01T00:00:00Z"}).ok
    response = http.patch(
        f"{write_url}/data/{registered_data_set}/{registered_data_set}/rec",
        json={"_timestamp": "2015-06-01T00:00:00Z", "list_value": [1, 2]},
        headers=auth(registered_data_set),
    )
    assert response.status_code == 200
    [after] = stored(storage, registered_data_set)
    assert after["_timestamp"] == "2015-06-01T00:00:00Z"  # stored as sent (spec 1.2)
    assert after["list_value"] == [1, 2]
    assert after["_week_start_at"] == datetime(2013, 12, 30, tzinfo=UTC)


@pytest.mark.parametrize("method", ["PATCH", "DELETE"])
def test_patch_or_delete_of_a_missing_record_is_a_string_message(
    http: requests.Session, write_url: str, post: Post, registered_data_set: str, method: str
) -> None:
    assert post({"_id": "present", "_timestamp": "2014-01-01T00:00:00Z"}).ok
    response = http.request(
        method,
        f"{write_url}/data/{registered_data_set}/{registered_data_set}/absent",
        json={"a_a": 1},
        headers=auth(registered_data_set),
    )
    assert response.status_code == 400
    assert spec_body(response.json()) == {"messages": "No record found with id absent"}
    assert response.headers["Cache-Control"] == "no-cache"


def test_patch_of_a_data_set_never_written_is_a_missing_record(
    http: requests.Session, write_url: str, registered_data_set: str
) -> None:
    response = http.patch(
        f"{write_url}/data/{registered_data_set}/{registered_data_set}/abc",
        json={"a_a": 1},
        headers=auth(registered_data_set),
    )
    assert response.status_code == 400
    assert spec_body(response.json()) == {"messages": "No record found with id abc"}


def test_patch_needs_a_json_object(
    http: requests.Session, write_url: str, post: Post, registered_data_set: str
) -> None:
    assert post({"_id": "rec", "_timestamp": "2014-01-01T00:00:00Z"}).ok
    url = f"{write_url}/data/{registered_data_set}/{registered_data_set}/rec"
    response = http.patch(url, json=[{"a_a": 1}], headers=auth(registered_data_set))
    assert response.status_code == 400
    assert spec_body(response.json()) == error("Expected a JSON object of the fields to change")
    text = http.patch(
        url, data=b'{"a_a": 1}', headers={**auth(registered_data_set), "Content-Type": "text/plain"}
    )
    assert text.status_code == 400
    assert spec_body(text.json()) == error(NOT_JSON)


def test_delete_removes_only_that_record(
    http: requests.Session, write_url: str, post: Post, storage: Storage, registered_data_set: str
) -> None:
    assert post(
        [
            {"_id": "gone", "_timestamp": "2014-01-01T00:00:00Z"},
            {"_id": "kept", "_timestamp": "2014-01-01T00:00:00Z"},
        ]
    ).ok
    response = http.delete(
        f"{write_url}/data/{registered_data_set}/{registered_data_set}/gone",
        headers=auth(registered_data_set),
    )
    assert response.status_code == 200
    assert spec_body(response.json()) == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-cache"
    assert [r["_id"] for r in stored(storage, registered_data_set)] == ["kept"]


# -- DELETE /data-sets/<name> ----------------------------------------------------------------


def test_dropping_a_data_set_with_the_admin_token(
    http: requests.Session,
    write_url: str,
    post: Post,
    storage: Storage,
    registered_data_set: str,
    stagecraft: StagecraftState,
) -> None:
    assert post({"_timestamp": "2014-09-10T12:00:00Z", "foo": "bar"}).ok
    stagecraft.requests.clear()
    response = http.delete(
        f"{write_url}/data-sets/{registered_data_set}",
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
    )
    assert response.status_code == 200
    assert spec_body(response.json()) == {
        "status": "ok",
        "message": f"Deleted {registered_data_set}",
    }
    assert response.headers["Cache-Control"] == "no-cache"
    assert not storage.data_set_exists(registered_data_set)
    assert stored(storage, registered_data_set) == []
    assert stagecraft.requests == []  # the drop does not consult Stagecraft


def test_dropping_a_data_set_unknown_to_stagecraft(
    http: requests.Session, write_url: str, storage: Storage, data_set_name: str
) -> None:
    storage.create_data_set(data_set_name, None)
    response = http.delete(
        f"{write_url}/data-sets/{data_set_name}", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}
    )
    assert response.status_code == 200
    assert spec_body(response.json()) == {"status": "ok", "message": f"Deleted {data_set_name}"}


def test_dropping_a_data_set_that_does_not_exist_is_404(
    http: requests.Session, write_url: str, data_set_name: str
) -> None:
    response = http.delete(
        f"{write_url}/data-sets/{data_set_name}", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}
    )
    assert response.status_code == 404
    assert spec_body(response.json()) == error(f'No collection exists with name "{data_set_name}"')
    assert "Cache-Control" not in response.headers


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": "Bearer "},
        {"Authorization": f"bearer {ADMIN_TOKEN}"},
        {"Authorization": "Bearer {name}-bearer-token"},
    ],
)
def test_dropping_needs_the_admin_token(
    http: requests.Session,
    write_url: str,
    post: Post,
    storage: Storage,
    registered_data_set: str,
    headers: dict[str, str],
) -> None:
    assert post({"_timestamp": "2014-01-01T00:00:00Z"}).ok
    sent = {key: value.format(name=registered_data_set) for key, value in headers.items()}
    response = http.delete(f"{write_url}/data-sets/{registered_data_set}", headers=sent)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "bearer"
    assert spec_body(response.json()) == error(
        f'Unauthorized: invalid or no token given for "{registered_data_set}".'
    )
    assert len(stored(storage, registered_data_set)) == 1


# -- the deprecated write by name, status, routing errors -----------------------------------


def test_deprecated_post_by_name(
    http: requests.Session, write_url: str, storage: Storage, registered_data_set: str
) -> None:
    response = http.post(
        f"{write_url}/{registered_data_set}",
        json=[{"_timestamp": "2014-01-01T00:00:00Z", "value": 1}],
        headers=auth(registered_data_set),
    )
    assert response.status_code == 200
    assert spec_body(response.json()) == {
        "status": "ok",
        "message": "Deprecation Warning: accessing by data-set name is deprecated, "
        "Please use the /data-group/data-type form",
    }
    assert response.headers["Cache-Control"] == "no-cache"
    assert [r["value"] for r in stored(storage, registered_data_set)] == [1]


def test_deprecated_post_by_name_checks_like_the_canonical_route(
    http: requests.Session, write_url: str, storage: Storage, registered_data_set: str
) -> None:
    unknown = http.post(f"{write_url}/nobody_here", json=[], headers=auth(registered_data_set))
    assert unknown.status_code == 404
    assert spec_body(unknown.json()) == error("Could not find data_set_config")
    unauthorised = http.post(f"{write_url}/{registered_data_set}", json=[])
    assert unauthorised.status_code == 401
    invalid = http.post(
        f"{write_url}/{registered_data_set}",
        json=[{"thing": {}}],
        headers=auth(registered_data_set),
    )
    assert invalid.status_code == 400
    assert spec_body(invalid.json()) == {
        "messages": ["'_timestamp' is a required property", "thing has an invalid value"]
    }
    assert stored(storage, registered_data_set) == []


def test_write_status(http: requests.Session, write_url: str) -> None:
    response = http.get(f"{write_url}/_status")
    assert response.status_code == 200
    assert spec_body(response.json()) == {"status": "ok", "message": "app is up"}
    assert response.headers["Cache-Control"] == "no-cache"
    assert "Access-Control-Allow-Origin" not in response.headers


@pytest.mark.parametrize("path", ["/_data_set", "/_anything", "/data/a/b/c/d", "/no-such-thing"])
def test_unroutable_posts_are_404_with_werkzeugs_text(
    http: requests.Session, write_url: str, path: str
) -> None:
    response = http.post(write_url + path, json=[])
    assert response.status_code == 404
    assert spec_body(response.json()) == error(NOT_FOUND_TEXT)


def test_posting_to_status_is_405(http: requests.Session, write_url: str) -> None:
    response = http.post(f"{write_url}/_status", json=[])
    assert response.status_code == 405
    assert spec_body(response.json()) == error("The method is not allowed for the requested URL.")
    assert "GET" in response.headers["Allow"]


def test_reading_through_the_write_app_is_405(
    http: requests.Session, write_url: str, registered_data_set: str
) -> None:
    response = http.get(f"{write_url}/data/{registered_data_set}/{registered_data_set}")
    assert response.status_code == 405
    assert spec_body(response.json()) == error("The method is not allowed for the requested URL.")
    assert {"POST", "PUT"} <= set(response.headers["Allow"].replace(" ", "").split(","))
