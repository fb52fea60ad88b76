"""HTTP behaviour of the query routes (spec 1.1, 1.3): CORS and preflight, ETags, 404s,
deterministic bodies, and the query strings Spotlight sends (clients-and-peers 1.3)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from tests.support.bodies import spec_body
from tests.support.http_data_set import HttpDataSet, unique_name

PREFLIGHT = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Max-Age": "86400",
    "Access-Control-Allow-Headers": "cache-control, govuk-request-id, request-id",
}


@pytest.fixture(scope="module")
def licensing(new_data_set: Callable[..., HttpDataSet]) -> HttpDataSet:
    return new_data_set("licensing.json", raw_queries_allowed=True)


# -- CORS and preflight ---------------------------------------------------------------------------


@pytest.mark.parametrize("legacy", [False, True])
def test_every_answer_allows_any_origin(licensing: HttpDataSet, legacy: bool) -> None:
    for query, status in [("", 200), ("group_by=authority", 200), ("period=fortnight", 400)]:
        response = licensing.get(query, legacy=legacy)
        assert response.status_code == status
        assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("legacy", [False, True])
def test_options_is_a_preflight(licensing: HttpDataSet, legacy: bool) -> None:
    path = f"/{licensing.name}" if legacy else licensing.path
    response = licensing.http.options(
        f"{licensing.read_url}{path}",
        headers={
            "Origin": "https://www.performance.service.gov.uk",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "govuk-request-id, request-id, cache-control",
        },
    )
    assert response.status_code == 200
    assert response.content == b""
    assert {name: response.headers.get(name) for name in PREFLIGHT} == PREFLIGHT
    assert "Cache-Control" not in response.headers
    assert "ETag" not in response.headers
    assert {m.strip() for m in response.headers["Allow"].split(",")} == {"GET", "HEAD", "OPTIONS"}


def test_options_on_an_unknown_data_set_is_a_404(http: requests.Session, read_url: str) -> None:
    response = http.options(f"{read_url}/data/{unique_name('no')}/such-type")
    assert response.status_code == 404
    assert spec_body(response.json()) == {"status": "error", "message": "data_set not found"}
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_status_allows_any_origin(http: requests.Session, read_url: str) -> None:
    response = http.get(f"{read_url}/_status")
    assert spec_body(response.json()) == {"status": "ok", "message": "app is up"}
    assert response.headers["Access-Control-Allow-Origin"] == "*"


# -- ETags: the legacy route only (spec 1.1, 10 #5) ----------------------------------------------


# The body as the original sent it, uncompressed (a gzip answer has its own ETag, `"<sha1 of
# the uncompressed body>:gzip"`: tests/api/test_http_negotiation.py).
PLAIN = {"Accept-Encoding": "identity"}


def test_legacy_route_etag_is_the_quoted_sha1_of_the_body(licensing: HttpDataSet) -> None:
    for query in ("", "group_by=authority", "period=fortnight"):
        response = licensing.get(query, legacy=True, headers=PLAIN)
        assert response.headers["ETag"] == f'"{hashlib.sha1(response.content).hexdigest()}"'
        again = licensing.get(
            query, legacy=True, headers={"If-None-Match": response.headers["ETag"]}
        )
        assert again.status_code == 304
        assert again.content == b""


def test_a_stale_etag_gets_the_full_answer(licensing: HttpDataSet) -> None:
    response = licensing.get("group_by=authority", legacy=True, headers={"If-None-Match": '"abc"'})
    assert response.status_code == 200
    assert response.json()["data"][0] == {"authority": "Camden", "_count": 2}


def test_the_canonical_route_is_conditional_too(licensing: HttpDataSet) -> None:
    """An allowed extension of spec 1.1 (issue 6): ETag and 304 on `/data/<g>/<t>` as well."""
    response = licensing.get("group_by=authority", headers=PLAIN)
    etag = f'"{hashlib.sha1(response.content).hexdigest()}"'
    assert response.headers["ETag"] == etag
    again = licensing.get("group_by=authority", headers={"If-None-Match": etag, **PLAIN})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["ETag"] == etag


# -- not found ----------------------------------------------------------------------------------


@pytest.mark.parametrize("legacy", [False, True])
def test_a_data_set_that_is_not_queryable_is_not_found(
    new_data_set: Callable[..., HttpDataSet], legacy: bool
) -> None:
    hidden = new_data_set("licensing.json", queryable=False, raw_queries_allowed=True)
    response = hidden.get("group_by=authority", legacy=legacy)
    assert response.status_code == 404
    assert spec_body(response.json()) == {"status": "error", "message": "data_set not found"}
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Cache-Control" not in response.headers


def test_a_removed_data_set_is_not_found_at_once(
    new_data_set: Callable[..., HttpDataSet], stagecraft_server: tuple[Any, str]
) -> None:
    data_set = new_data_set("licensing.json")
    assert data_set.get("group_by=authority").status_code == 200
    stagecraft_server[0].remove(data_set.name)
    assert data_set.get("group_by=authority").status_code == 404


# -- deterministic bodies --------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "",
        "start_at=2012-12-01T00:00:00Z&end_at=2013-01-01T00:00:00Z",
        "filter_by=type:success&limit=4",
        "group_by=authority&group_by=type&collect=licence_name",
        "period=day&group_by=authority&start_at=2012-12-10T00:00:00Z&end_at=2012-12-20T00:00:00Z"
        "&flatten=true",
    ],
)
def test_identical_requests_get_identical_bytes(licensing: HttpDataSet, query: str) -> None:
    first = licensing.get(query)
    assert first.status_code == 200
    assert licensing.get(query).content == first.content


def test_raw_order_without_a_range_is_insertion_order(licensing: HttpDataSet) -> None:
    ids = [record["_id"] for record in licensing.data()]
    assert ids == ["1234", "1235", "1236", "1237", "1238", "1239"]


def test_x_requested_with_is_accepted(licensing: HttpDataSet) -> None:
    plain = licensing.get("group_by=authority")
    ajax = licensing.get("group_by=authority", headers={"X-Requested-With": "XMLHttpRequest"})
    assert ajax.status_code == 200
    assert ajax.json() == plain.json()
    assert (
        ajax.content
        == b'{"data":[{"_count":2,"authority":"Camden"},{"_count":4,"authority":"Westminster"}]}'
    )


def test_json_content_type(licensing: HttpDataSet) -> None:
    assert licensing.get("group_by=authority").headers["Content-Type"] == "application/json"


def test_request_ids_are_echoed(licensing: HttpDataSet) -> None:
    response = licensing.get("group_by=authority", headers={"GOVUK-Request-Id": "abc-123"})
    assert response.headers["GOVUK-Request-Id"] == "abc-123"


# -- Spotlight's query strings (clients-and-peers 1.3) --------------------------------------------


def monday(weeks_ago: int) -> datetime:
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return today - timedelta(days=today.weekday(), weeks=weeks_ago)


@pytest.fixture(scope="module")
def availability(new_data_set: Callable[..., HttpDataSet]) -> HttpDataSet:
    """Pingdom-style records in the last weeks, relative to now (Spotlight uses `duration`)."""
    records = [
        {
            "_timestamp": (monday(weeks_ago) + timedelta(hours=hour)).isoformat(),
            "check": "www",
            "downtime": 60 * weeks_ago,
            "uptime": 3600 - 60 * weeks_ago,
            "unmonitored": 0,
            "avgresponse": 100 + weeks_ago + hour,
        }
        for weeks_ago in (1, 2, 4)
        for hour in (1, 2)
    ]
    return new_data_set(records=records, realtime=True)


SPOTLIGHT_HEADERS = {"GOVUK-Request-Id": "spotlight-1", "Request-Id": "spotlight-1"}


def test_spotlight_availability_module(availability: HttpDataSet) -> None:
    response = availability.get(
        "flatten=true&period=week&duration=9&collect=downtime%3Asum&collect=uptime%3Asum"
        "&collect=unmonitored%3Asum&collect=avgresponse%3Amean",
        headers={**SPOTLIGHT_HEADERS, "cache-control": "max-age=120"},
    )
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "max-age=120, must-revalidate"
    data = response.json()["data"]
    assert len(data) == 9
    assert data[-1]["_end_at"] == monday(0).isoformat()  # the current week is excluded
    assert data[-1] == {
        "_start_at": monday(1).isoformat(),
        "_end_at": monday(0).isoformat(),
        "_count": 2,
        "downtime:sum": 120,
        "uptime:sum": 7080,
        "unmonitored:sum": 0,
        "avgresponse:mean": 102.5,
    }
    assert data[-3] == {
        "_start_at": monday(3).isoformat(),
        "_end_at": monday(2).isoformat(),
        "_count": 0,
        "downtime:sum": None,
        "uptime:sum": None,
        "unmonitored:sum": None,
        "avgresponse:mean": None,
    }


def test_spotlight_dates_with_encoded_colons(new_data_set: Callable[..., HttpDataSet]) -> None:
    evl = new_data_set("evl_volumetrics.json")
    response = evl.get(
        "flatten=true&group_by=channel&period=month&start_at=2012-04-01T00%3A00%3A00Z"
        "&end_at=2012-06-01T00%3A00%3A00Z&collect=volume%3Asum&filter_by=service%3Asorn",
        headers=SPOTLIGHT_HEADERS,
    )
    assert response.status_code == 200
    assert [
        (row["_start_at"][:10], row["channel"], row["_count"], row["volume:sum"])
        for row in response.json()["data"]
    ] == [
        ("2012-04-01", "assisted-digital", 1, 595827),
        ("2012-04-01", "fully-digital", 2, 15757),
        ("2012-04-01", "manual", 2, 51),
        ("2012-05-01", "assisted-digital", 0, None),
        ("2012-05-01", "fully-digital", 0, None),
        ("2012-05-01", "manual", 0, None),
    ]


def test_spotlight_browse_page(new_data_set: Callable[..., HttpDataSet]) -> None:
    licensing = new_data_set("licensing_preview.json")
    data = licensing.data(
        "group_by=authorityUrlSlug&collect=authorityName&sort_by=authorityName%3Aascending"
    )
    assert [(group["authorityUrlSlug"], group["authorityName"]) for group in data] == [
        ("camden", ["Camden"]),
        ("testington", ["Testington"]),
        ("testport", ["Testport"]),
        ("westminster", ["Westminster"]),
    ]


def test_spotlight_latest_value(new_data_set: Callable[..., HttpDataSet]) -> None:
    latest = new_data_set("licensing.json", raw_queries_allowed=True)
    data = latest.data("sort_by=_timestamp%3Adescending&limit=1")
    assert [record["_id"] for record in data] == ["1238"]


def test_spotlight_grouped_timeshift(new_data_set: Callable[..., HttpDataSet]) -> None:
    weekly = new_data_set("grouped_timestamps.json")
    data = weekly.data(
        "period=week&group_by=flavour&filter_by=flavour%3Alemon"
        "&start_at=2013-03-11T00%3A00%3A00Z&duration=5"
    )
    (lemon,) = data
    # the window moves one week forward, to the first week with data
    assert [(week["_start_at"][:10], week["_count"]) for week in lemon["values"]] == [
        ("2013-03-18", 3),
        ("2013-03-25", 2),
        ("2013-04-01", 3),
        ("2013-04-08", 0),
        ("2013-04-15", 0),
    ]
