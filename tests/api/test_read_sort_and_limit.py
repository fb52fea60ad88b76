"""features/read_api/sort_and_limit.feature (spec 9.1 scenarios 69-74) through the real apps."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.support.bodies import spec_body
from tests.support.http_data_set import HttpDataSet

LICENSING_WEEKS = "start_at=2012-12-03T00:00:00Z&end_at=2012-12-17T00:00:00Z"


@pytest.fixture(scope="module")
def raw_foo(new_data_set: Callable[..., HttpDataSet]) -> HttpDataSet:
    return new_data_set("sort_and_limit.json", raw_queries_allowed=True)


@pytest.fixture(scope="module")
def foo(new_data_set: Callable[..., HttpDataSet]) -> HttpDataSet:
    return new_data_set("sort_and_limit.json")


def test_s69_sort_ascending(raw_foo: HttpDataSet) -> None:
    data = raw_foo.data("sort_by=value:ascending", legacy=True)
    assert [record["value"] for record in data] == [3, 3, 4, 7, 8, 8]


def test_s70_sort_descending(raw_foo: HttpDataSet) -> None:
    data = raw_foo.data("sort_by=value:descending", legacy=True)
    assert [record["value"] for record in data] == [8, 8, 7, 4, 3, 3]


def test_s71_limit(raw_foo: HttpDataSet) -> None:
    data = raw_foo.data("limit=3", legacy=True)
    assert [record["value"] for record in data] == [8, 7, 3]
    assert len(raw_foo.data("limit=0", legacy=True)) == 6
    assert [r["value"] for r in raw_foo.data("sort_by=value:ascending&limit=2", legacy=True)] == [
        3,
        3,
    ]


def test_s72_sort_grouped_and_limit(foo: HttpDataSet) -> None:
    data = foo.data("group_by=type&sort_by=_count:ascending&limit=1", legacy=True)
    assert data == [{"type": "domestic", "_count": 2}]


def test_s73_sort_periodic_grouped(new_data_set: Callable[..., HttpDataSet]) -> None:
    licensing = new_data_set("licensing_2.json")
    data = licensing.data(
        f"group_by=authority&period=week&sort_by=_count:descending&{LICENSING_WEEKS}", legacy=True
    )
    assert [(group["authority"], group["_count"]) for group in data] == [
        ("Westminster", 4),
        ("Camden", 1),
    ]


def test_s74_limit_on_a_period_query_without_group_by(foo: HttpDataSet) -> None:
    response = foo.get(f"period=week&limit=1&{LICENSING_WEEKS}", legacy=True)
    assert response.status_code == 400
    assert spec_body(response.json()) == {
        "status": "error",
        "message": "A period query can only be limited if it is grouped - please add 'group_by'",
    }


def test_sort_by_number_is_numeric(new_data_set: Callable[..., HttpDataSet]) -> None:
    data_set = new_data_set(
        raw_queries_allowed=True,
        records=[
            {"_timestamp": "2014-01-01T00:00:00Z", "name": "nine", "value": 9},
            {"_timestamp": "2014-01-02T00:00:00Z", "name": "ten", "value": 10},
            {"_timestamp": "2014-01-03T00:00:00Z", "name": "hundred", "value": 100},
            {"_timestamp": "2014-01-04T00:00:00Z", "name": "two", "value": 2},
        ],
    )
    data = data_set.data("sort_by=value:ascending")
    assert [record["value"] for record in data] == [2, 9, 10, 100]
    descending = data_set.data("sort_by=value:descending&limit=2")
    assert [record["name"] for record in descending] == ["hundred", "ten"]


def test_sorting_groups_by_a_missing_key_is_a_bad_request(foo: HttpDataSet) -> None:
    response = foo.get("group_by=type&sort_by=wibble:ascending", legacy=True)
    assert response.status_code == 400
    assert response.json()["status"] == "error"
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_sort_ties_keep_a_stable_order(raw_foo: HttpDataSet) -> None:
    first = raw_foo.get("sort_by=value:descending", legacy=True)
    second = raw_foo.get("sort_by=value:descending", legacy=True)
    assert first.content == second.content
    by_type = raw_foo.data("sort_by=type:ascending", legacy=True)
    assert [(record["type"], record["value"]) for record in by_type] == [
        ("domestic", 3),
        ("domestic", 3),
        ("wild", 8),
        ("wild", 7),
        ("wild", 8),
        ("wild", 4),
    ]
