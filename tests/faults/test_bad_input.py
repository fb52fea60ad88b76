"""Bad input through the real apps on every engine (issue 9): a 4xx JSON error that names the
problem, nothing stored; and the headers every kind of response carries."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from backdrop.core.query import Query
from backdrop.core.query_parser import OUT_OF_RANGE
from backdrop.core.storage.base import Storage
from tests.support.bodies import spec_body
from tests.support.builtin_registry import BuiltinApps, RegisteredDataSet, register
from tests.support.http_data_set import HttpDataSet
from tests.support.stagecraft import StagecraftState, stagecraft_config

BEYOND_64_BITS = (
    "The JSON body holds an integer outside the range of 64-bit integers "
    "(-9223372036854775808 to 9223372036854775807)"
)


@pytest.fixture
def target(builtin_apps: BuiltinApps, storage: Storage) -> RegisteredDataSet:
    return register(storage)


def post(builtin: BuiltinApps, data_set: RegisteredDataSet, body: str) -> requests.Response:
    return requests.post(
        builtin.write_url + data_set.path, data=body.encode(), headers=data_set.auth, timeout=30
    )


@pytest.mark.parametrize(
    "number",
    [
        "18446744073709551616",  # 2^64: orjson reads it as a float
        "18446744073709551617",
        "-9223372036854775809",  # -(2^63) - 1
        "123456789012345678901234567890",
        "-100000000000000000000000000000000000000",
    ],
)
def test_an_integer_beyond_64_bits_is_400_not_a_float(
    builtin_apps: BuiltinApps, target: RegisteredDataSet, storage: Storage, number: str
) -> None:
    body = f'[{{"_timestamp": "2014-01-01T00:00:00Z", "count": {number}}}]'
    response = post(builtin_apps, target, body)
    assert response.status_code == 400, response.text
    assert response.json() == {"status": "error", "message": BEYOND_64_BITS}
    assert not storage.data_set_exists(target.config.name)


def test_an_integer_beyond_64_bits_deep_in_a_patch_is_400(
    builtin_apps: BuiltinApps, target: RegisteredDataSet, storage: Storage
) -> None:
    assert post(builtin_apps, target, '{"_id": "p", "value": 1}').status_code == 200
    response = requests.patch(
        f"{builtin_apps.write_url}{target.path}/p",
        data=b'{"nested": {"list": [1, 2, 99999999999999999999]}}',
        headers=target.auth,
        timeout=30,
    )
    assert response.status_code == 400, response.text
    assert response.json() == {"status": "error", "message": BEYOND_64_BITS}
    assert [r.get("nested") for r in storage.find(target.config.name, Query())] == [None]


@pytest.mark.parametrize("number", ["18446744073709551615", "9223372036854775808"])
def test_an_integer_orjson_keeps_gets_the_message_naming_its_field(
    builtin_apps: BuiltinApps, target: RegisteredDataSet, number: str
) -> None:
    response = post(builtin_apps, target, f'{{"count": {number}}}')
    assert response.status_code == 400
    assert response.json() == {
        "messages": [
            "count is outside the range of 64-bit integers "
            "(-9223372036854775808 to 9223372036854775807)"
        ]
    }


LONG_DIGITS = "123456789012345678901234567890"


@pytest.mark.parametrize(
    ("literal", "value"),
    [
        (f'"{LONG_DIGITS}"', LONG_DIGITS),  # digits in a string are text
        (f'"a\\"{LONG_DIGITS}"', f'a"{LONG_DIGITS}'),  # ... after an escaped quote too
        ("9223372036854775807", 2**63 - 1),
        ("-9223372036854775808", -(2**63)),
        (f"0.{LONG_DIGITS}", float(f"0.{LONG_DIGITS}")),  # a long fraction is a float
        (f"{LONG_DIGITS}.5", float(f"{LONG_DIGITS}.5")),
        (f"{LONG_DIGITS}e0", float(LONG_DIGITS)),
        ("1e-0000000000000000000001", 0.1),  # exponent digits are no integer
        ("1E+0000000000000000000002", 100.0),
    ],
)
def test_long_digit_runs_that_are_no_integer_are_stored_as_sent(
    builtin_apps: BuiltinApps, target: RegisteredDataSet, literal: str, value: Any
) -> None:
    response = post(builtin_apps, target, f'{{"_id": "n", "value": {literal}}}')
    assert response.status_code == 200, response.text
    read = requests.get(f"{builtin_apps.read_url}{target.path}", timeout=30)
    [stored] = read.json()["data"]
    assert type(stored["value"]) is type(value)
    assert stored["value"] == value or math.isclose(stored["value"], value)


# -- X-Content-Type-Options: nosniff on every kind of response ----------------------------------


@pytest.fixture
def readable(new_data_set: Callable[..., HttpDataSet]) -> HttpDataSet:
    return new_data_set(records=[{"_timestamp": "2014-01-01T00:00:00Z", "value": 1}])


def _etag_request(data_set: HttpDataSet) -> requests.Response:
    first = data_set.get("group_by=value")
    return data_set.get("group_by=value", headers={"If-None-Match": first.headers["ETag"]})


def _broken_config(data_set: HttpDataSet, stagecraft: StagecraftState) -> requests.Response:
    """A config the registry serves that core cannot read: a real 500 (a server-side fault)."""
    config = stagecraft_config(f"{data_set.name}_broken", capped_size="not a number")
    stagecraft.put(config)
    try:
        return data_set.http.get(f"{data_set.read_url}/{config['name']}")
    finally:  # every listing of the configs would fail on it
        stagecraft.remove(config["name"])


def _config_source_down(data_set: HttpDataSet, stagecraft: StagecraftState) -> requests.Response:
    stagecraft.failures.extend([503] * 10)
    return data_set.get("group_by=value")


KINDS: dict[str, tuple[int, Callable[[HttpDataSet, StagecraftState], requests.Response]]] = {
    "200": (200, lambda d, s: d.get("group_by=value")),
    "304": (304, lambda d, s: _etag_request(d)),
    "400": (400, lambda d, s: d.get("period=fortnight")),
    "401": (401, lambda d, s: d.http.post(f"{d.write_url}{d.path}", json={})),
    "404": (404, lambda d, s: d.http.get(f"{d.read_url}/data/no/such")),
    "405": (405, lambda d, s: d.http.get(f"{d.write_url}{d.path}")),
    "413": (
        413,
        lambda d, s: d.http.post(
            f"{d.write_url}{d.path}",
            data=b" " * (11 << 20),
            headers={"Authorization": f"Bearer {d.config['bearer_token']}"},
        ),
    ),
    "500": (500, _broken_config),
    "503": (503, _config_source_down),
    "OPTIONS": (200, lambda d, s: d.http.options(f"{d.read_url}{d.path}")),
    "write 200": (200, lambda d, s: d.post([{"_timestamp": "2014-01-02T00:00:00Z"}])),
    "status": (200, lambda d, s: d.http.get(f"{d.write_url}/_status")),
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_of_response_says_nosniff(
    readable: HttpDataSet, stagecraft: StagecraftState, kind: str
) -> None:
    status, send = KINDS[kind]
    response = send(readable, stagecraft)
    assert response.status_code == status, response.text[:300]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_500_carries_a_generic_message_and_the_request_id(
    readable: HttpDataSet, stagecraft: StagecraftState
) -> None:
    response = _broken_config(readable, stagecraft)
    assert response.status_code == 500
    body = response.json()
    assert body == {
        "status": "error",
        "message": "Internal Server Error",
        "request_id": response.headers["GOVUK-Request-Id"],
    }


# -- NUL in a path segment, with configs from the built-in registry in the database ----------------


@pytest.mark.parametrize(
    ("app", "method", "path"),
    [
        ("read", "GET", "/a%00b"),
        ("read", "OPTIONS", "/a%00b"),
        ("read", "GET", "/data/a%00b/t1"),
        ("read", "GET", "/data/g1/t%00"),
        ("write", "POST", "/data/x%00y/t1"),
        ("write", "POST", "/ab%00cd"),
        ("write", "PUT", "/data/g1/%00"),
        ("write", "PATCH", "/data/%00/t1/some_id"),
        ("write", "DELETE", "/data/%00/t1/some_id"),
        ("write", "POST", "/data/x%00y/t1/transform"),
    ],
)
def test_a_nul_in_a_path_segment_is_404_before_the_registry_is_asked(
    builtin_apps: BuiltinApps, app: str, method: str, path: str
) -> None:
    base = builtin_apps.read_url if app == "read" else builtin_apps.write_url
    response = requests.request(method, base + path, data=b"{}", timeout=30)
    assert response.status_code == 404, response.text
    assert response.json()["status"] == "error"


# -- a record past MongoDB's 16 MB, over HTTP --------------------------------------------------

NINE_MIB = "x" * (9 << 20)  # a body under the 10 MiB cap; two of them pass 16 MB of BSON

# What one PATCH that takes a 9 MiB record to 17 MiB answers, per engine (README "Limits": the
# 16 MB bound is MongoDB's; PostgreSQL's jsonb holds up to 255 MB, so the PATCH is stored).
PAST_16_MB: dict[str, tuple[int, dict[str, Any]]] = {
    "mongodb": (
        413,
        {
            "status": "error",
            "message": "A record is too large to store: MongoDB keeps at most 16 MB per record",
        },
    ),
    "postgres": (200, {"status": "ok"}),
}


def test_a_patch_past_16_mb_of_bson_is_413_on_mongodb_and_stored_on_postgres(
    builtin_apps: BuiltinApps, target: RegisteredDataSet, storage: Storage, database_engine: str
) -> None:
    first = post(builtin_apps, target, f'{{"_id": "big", "first": "{NINE_MIB}"}}')
    assert first.status_code == 200, first.text[:300]
    errors_before = database_errors(builtin_apps.write_url, "too_large")
    response = requests.patch(
        f"{builtin_apps.write_url}{target.path}/big",
        data=f'{{"second": "{NINE_MIB[: 8 << 20]}"}}'.encode(),
        headers=target.auth,
        timeout=60,
    )
    status, body = PAST_16_MB[database_engine]
    assert (response.status_code, response.json()) == (status, body)
    [record] = storage.find(target.config.name, Query())
    assert len(record["first"]) == 9 << 20
    assert len(record.get("second", "")) == (8 << 20 if status == 200 else 0)
    counted = database_errors(builtin_apps.write_url, "too_large") - errors_before
    assert counted == (1 if status == 413 else 0)  # backdrop_database_errors_total{kind=...}


def database_errors(url: str, kind: str) -> float:
    """The app's `backdrop_database_errors_total` of `kind`, from its /metrics."""
    text = requests.get(f"{url}/metrics", timeout=30).text
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "backdrop_database_errors_total" and sample.labels == {"kind": kind}
    )


# -- the manual trigger, a timestamp that leaves the calendar once its offset is applied -------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"_start_at": "9999-12-31T23:59:59-01:00"}, "_start_at is not a valid datetime"),
        ({"_start_at": "0001-01-01T00:00:00+01:00"}, "_start_at is not a valid datetime"),
        (
            {"_start_at": "2014-01-01T00:00:00Z", "_end_at": "9999-12-31T23:59:59-01:00"},
            "_end_at is not a valid datetime",
        ),
    ],
)
def test_an_overflowing_transform_range_is_400(
    builtin_apps: BuiltinApps, target: RegisteredDataSet, body: dict[str, str], message: str
) -> None:
    response = requests.post(
        f"{builtin_apps.write_url}{target.path}/transform",
        json=body,
        headers=target.auth,
        timeout=30,
    )
    assert response.status_code == 400, response.text
    assert spec_body(response.json()) == {"status": "error", "message": message}


# -- huge durations: every period, over HTTP ------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("period=hour&duration=1000000000", OUT_OF_RANGE),
        ("period=day&duration=1000000000", OUT_OF_RANGE),
        ("period=week&duration=1000000000", OUT_OF_RANGE),
        ("period=month&duration=1000000000", OUT_OF_RANGE),
        ("period=year&duration=1000000000", OUT_OF_RANGE),
        (
            "period=quarter&duration=9999999999999999999999999",
            "duration is too large: at most 18 digits",
        ),
    ],
)
def test_a_duration_past_the_calendar_is_400_for_every_period(
    builtin_apps: BuiltinApps, target: RegisteredDataSet, query: str, message: str
) -> None:
    response = requests.get(f"{builtin_apps.read_url}{target.path}?{query}", timeout=30)
    assert response.status_code == 400, response.text
    assert spec_body(response.json()) == {"status": "error", "message": message}


# -- NUL in a record key and in a record id -------------------------------------------------------


def test_a_nul_in_a_record_key_is_400_naming_the_key(
    builtin_apps: BuiltinApps, target: RegisteredDataSet, storage: Storage
) -> None:
    response = post(builtin_apps, target, '[{"_id": "k", "a\\u0000b": 1}]')
    assert (response.status_code, response.json()) == (
        400,
        {"messages": ["a\u0000b is not a valid key"]},
    )
    assert not storage.data_set_exists(target.config.name)


@pytest.mark.parametrize("method", ["PATCH", "DELETE"])
def test_a_nul_in_a_record_id_finds_no_record(
    builtin_apps: BuiltinApps, target: RegisteredDataSet, storage: Storage, method: str
) -> None:
    assert post(builtin_apps, target, '{"_id": "ab", "value": 1}').status_code == 200
    response = requests.request(
        method,
        f"{builtin_apps.write_url}{target.path}/a%00b",
        data=b'{"value": 2}' if method == "PATCH" else None,
        headers=target.auth,
        timeout=30,
    )
    assert (response.status_code, response.json()) == (
        400,
        {"messages": "No record found with id a\u0000b"},
    )
    assert [r["value"] for r in storage.find(target.config.name, Query())] == [1]
