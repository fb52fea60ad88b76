"""`Accept: text/csv` answers CSV like `format=csv`, and `Accept-Encoding: gzip` gets a gzip
body, with ETags and `Vary` that keep caches right (issue 10)."""

from __future__ import annotations

import gzip
from collections.abc import Callable

import pytest
import requests

from tests.support.http_data_set import HttpDataSet

RECORDS = [
    {"_timestamp": f"2014-01-{day:02d}T00:00:00Z", "channel": f"channel_{day % 3}", "count": day}
    for day in range(1, 29)
]


@pytest.fixture(scope="module")
def counts(new_data_set: Callable[..., HttpDataSet]) -> HttpDataSet:
    return new_data_set(records=RECORDS, raw_queries_allowed=True)


def raw_get(data_set: HttpDataSet, query: str, headers: dict[str, str]) -> requests.Response:
    """A GET whose body is left as sent (requests would inflate gzip itself)."""
    response = data_set.http.get(
        f"{data_set.read_url}{data_set.path}?{query}", headers=headers, stream=True
    )
    response.raw.decode_content = False
    response._content = response.raw.read()
    return response


def test_accept_text_csv_is_format_csv(counts: HttpDataSet) -> None:
    by_header = counts.get("group_by=channel", headers={"Accept": "text/csv"})
    by_format = counts.get("group_by=channel&format=csv")
    assert by_header.status_code == 200
    assert by_header.headers["Content-Type"].startswith("text/csv")
    assert by_header.content == by_format.content
    assert by_header.content.startswith(b"_count,channel")
    assert "Accept" in by_header.headers["Vary"]


@pytest.mark.parametrize(
    "accept", ["application/json", "*/*", "text/html,application/xhtml+xml,*/*;q=0.8", ""]
)
def test_other_accept_headers_stay_json(counts: HttpDataSet, accept: str) -> None:
    response = counts.get("group_by=channel", headers={"Accept": accept})
    assert response.headers["Content-Type"] == "application/json"


def test_an_explicit_format_wins_over_accept(counts: HttpDataSet) -> None:
    response = counts.get("group_by=channel&format=json", headers={"Accept": "text/csv"})
    assert response.headers["Content-Type"] == "application/json"


def test_gzip_when_asked(counts: HttpDataSet) -> None:
    plain = raw_get(counts, "", {"Accept-Encoding": "identity"})
    packed = raw_get(counts, "", {"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.content) == plain.content
    assert len(packed.content) < len(plain.content) / 3
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert packed.headers["ETag"] == plain.headers["ETag"][:-1] + ':gzip"'
    again = raw_get(
        counts, "", {"Accept-Encoding": "gzip", "If-None-Match": packed.headers["ETag"]}
    )
    assert again.status_code == 304
    assert again.content == b""


def test_csv_is_compressed_too(counts: HttpDataSet) -> None:
    plain = raw_get(counts, "format=csv", {"Accept-Encoding": "identity"})
    response = raw_get(counts, "format=csv", {"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.content) == plain.content


def test_the_write_app_compresses_nothing_small(http: requests.Session, write_url: str) -> None:
    response = http.get(f"{write_url}/_status", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in response.headers
