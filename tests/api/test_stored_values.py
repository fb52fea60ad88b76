"""Stored values through the real apps (issue 9): a PATCH whose value looks like a type tag
reads back as written and never breaks a later read; sums and means that overflow answer null;
text no database can hold in a path is "not found" (built-in registry, so it reaches storage)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest
import requests

from tests.support.builtin_registry import BuiltinApps
from tests.support.http_data_set import HttpDataSet

TAGGED = {"$date": "garbage"}
RECORDS = [
    {"_id": "q1", "_timestamp": "2014-01-06T00:00:00Z", "channel": "a", "count": 1},
    {"_id": "q2", "_timestamp": "2014-01-07T00:00:00Z", "channel": "b", "count": 2},
]


def patch(data_set: HttpDataSet, record_id: str, body: object) -> requests.Response:
    return data_set.http.patch(
        f"{data_set.write_url}{data_set.path}/{record_id}",
        json=body,
        headers={"Authorization": f"Bearer {data_set.config['bearer_token']}"},
    )


@pytest.fixture
def patched(new_data_set: Callable[..., HttpDataSet]) -> HttpDataSet:
    data_set = new_data_set(records=RECORDS, raw_queries_allowed=True)
    response = patch(data_set, "q2", {"note": TAGGED, "deep": {"list": [{"$oid": "x"}, 1e16]}})
    assert response.status_code == 200, response.text
    return data_set


def test_a_patched_tag_like_value_reads_back_as_written(patched: HttpDataSet) -> None:
    [first, second] = patched.data("limit=10")
    assert "note" not in first
    assert second["note"] == TAGGED
    assert second["deep"] == {"list": [{"$oid": "x"}, 1e16]}
    assert isinstance(second["deep"]["list"][1], float)


def test_a_patched_tag_like_value_never_breaks_a_filtered_read(patched: HttpDataSet) -> None:
    [record] = patched.data("filter_by=channel:b")
    assert record["note"] == TAGGED
    assert patched.data("group_by=channel&collect=count:sum") == [
        {"channel": "a", "_count": 1, "count:sum": 1},
        {"channel": "b", "_count": 1, "count:sum": 2},
    ]


def test_a_patched_tag_like_value_never_breaks_csv(patched: HttpDataSet) -> None:
    response = patched.get("format=csv")
    assert response.status_code == 200, response.text
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [row["_id"] for row in rows] == ["q1", "q2"]
    assert rows[1]["channel"] == "b"


@pytest.mark.parametrize(
    ("values", "collect", "expected"),
    [
        ([1e308, 1e308, 1.5], "mv:mean", None),
        ([1e308, 1e308], "mv:sum", None),
        ([2**63 - 1, 1], "mv:sum", float(2**63)),
    ],
)
def test_sums_and_means_that_overflow_answer_null_or_a_float(
    new_data_set: Callable[..., HttpDataSet],
    values: list[float],
    collect: str,
    expected: float | None,
) -> None:
    records = [{"_timestamp": "2014-01-06T00:00:00Z", "kind": "x", "mv": v} for v in values]
    data_set = new_data_set(records=records)
    response = data_set.get(f"group_by=kind&collect={collect}")
    assert response.status_code == 200, response.text
    assert response.json()["data"] == [{"kind": "x", "_count": len(values), collect: expected}]


@pytest.mark.parametrize("path", ["/a%00", "/data/x%00y/t1", "/data/x/t%00", "/%ED%A0%80"])
def test_text_no_database_can_hold_in_a_read_path_is_not_found(
    http: requests.Session, builtin_apps: BuiltinApps, path: str
) -> None:
    response = http.get(f"{builtin_apps.read_url}{path}")
    assert response.status_code == 404, response.text


@pytest.mark.parametrize(
    "path", ["/data/x%00y/t1", "/data/x/t%00", "/data/x%00/t1/some-id", "/a%00"]
)
def test_text_no_database_can_hold_in_a_write_path_is_not_found(
    http: requests.Session, builtin_apps: BuiltinApps, path: str
) -> None:
    write_url = builtin_apps.write_url
    method = "PATCH" if path.endswith("some-id") else "POST"
    response = http.request(method, f"{write_url}{path}", json=[{"a": 1}])
    assert response.status_code == 404, response.text
