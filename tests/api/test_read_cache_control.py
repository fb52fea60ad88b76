"""features/read_api/cache_control.feature (spec 9.1 scenarios 4-8) and the Cache-Control and
ETag rules of spec 1.1 and 1.3."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import pytest
import requests

from tests.support.http_data_set import HttpDataSet

GROUPED = "group_by=authority"


@pytest.fixture(scope="module")
def foo(new_data_set: Callable[..., HttpDataSet]) -> HttpDataSet:
    return new_data_set("licensing.json", raw_queries_allowed=True)


def test_s04_status_is_not_cacheable(http: requests.Session, read_url: str) -> None:
    response = http.get(f"{read_url}/_status")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-cache"


def test_s05_query_returns_an_etag(foo: HttpDataSet) -> None:
    # uncompressed, as the original answered (a gzip answer's ETag ends ":gzip", issue 10)
    response = foo.get(legacy=True, headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200
    assert response.headers["ETag"] == f'"{hashlib.sha1(response.content).hexdigest()}"'


def test_s06_not_modified_when_the_etag_matches(new_data_set: Callable[..., HttpDataSet]) -> None:
    foo = new_data_set("licensing.json")  # default config: a raw query is a 400
    first = foo.get(legacy=True)
    assert first.status_code == 400
    etag = first.headers["ETag"]
    assert etag == f'"{hashlib.sha1(first.content).hexdigest()}"'
    second = foo.get(legacy=True, headers={"If-None-Match": etag})
    assert second.status_code == 304
    assert second.content == b""
    assert second.headers["ETag"] == etag


def test_s07_non_realtime_data_sets_cache_for_30_minutes(foo: HttpDataSet) -> None:
    assert foo.get(legacy=True).headers["Cache-Control"] == "max-age=1800, must-revalidate"
    assert foo.get(GROUPED).headers["Cache-Control"] == "max-age=1800, must-revalidate"


def test_s08_realtime_data_sets_cache_for_2_minutes(
    new_data_set: Callable[..., HttpDataSet],
) -> None:
    foo = new_data_set("licensing.json", raw_queries_allowed=True, realtime=True)
    assert foo.get(legacy=True).headers["Cache-Control"] == "max-age=120, must-revalidate"
    assert foo.get(GROUPED).headers["Cache-Control"] == "max-age=120, must-revalidate"
    csv = foo.get(f"{GROUPED}&format=csv")
    assert csv.headers["Cache-Control"] == "max-age=120, must-revalidate"


def test_unpublished_data_sets_are_not_cached(new_data_set: Callable[..., HttpDataSet]) -> None:
    foo = new_data_set("licensing.json", published=False, realtime=True)
    assert foo.get(GROUPED).headers["Cache-Control"] == "no-cache"
    assert foo.get(GROUPED, legacy=True).headers["Cache-Control"] == "no-cache"


def test_errors_and_preflights_carry_no_cache_control(
    foo: HttpDataSet, http: requests.Session, read_url: str
) -> None:
    assert "Cache-Control" not in foo.get("period=fortnight").headers
    assert "Cache-Control" not in http.get(f"{read_url}/data/no/such-thing").headers
    assert "Cache-Control" not in http.get(f"{read_url}/no_such_data_set").headers
    preflight = http.options(f"{read_url}{foo.path}")
    assert preflight.status_code == 200
    assert "Cache-Control" not in preflight.headers


def test_the_etag_changes_with_the_data(new_data_set: Callable[..., HttpDataSet]) -> None:
    foo = new_data_set("licensing.json")
    before = foo.get(GROUPED, legacy=True)
    assert (
        foo.get(GROUPED, legacy=True, headers={"If-None-Match": before.headers["ETag"]}).status_code
        == 304
    )
    assert (
        foo.post([{"_timestamp": "2012-12-20T00:00:00Z", "authority": "Hackney"}]).status_code
        == 200
    )
    after = foo.get(GROUPED, legacy=True, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert after.headers["ETag"] != before.headers["ETag"]
    assert [group["authority"] for group in after.json()["data"]] == [
        "Camden",
        "Hackney",
        "Westminster",
    ]


def test_a_404_carries_an_etag_too(http: requests.Session, read_url: str) -> None:
    response = http.get(f"{read_url}/no_such_data_set")
    assert response.status_code == 404
    assert response.headers["ETag"] == f'"{hashlib.sha1(response.content).hexdigest()}"'
