"""features/read_api/collect.feature (spec 9.1 scenarios 9-17) through the real apps."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.support.bodies import spec_body
from tests.support.http_data_set import HttpDataSet


@pytest.fixture(scope="module")
def licensing_2(new_data_set: Callable[..., HttpDataSet]) -> HttpDataSet:
    return new_data_set("licensing_2.json")


@pytest.fixture(scope="module")
def sort_and_limit(new_data_set: Callable[..., HttpDataSet]) -> HttpDataSet:
    return new_data_set("sort_and_limit.json")


def test_s09_collect_on_a_key_for_grouped_queries(licensing_2: HttpDataSet) -> None:
    assert licensing_2.data("collect=authority&group_by=licence_name") == [
        {
            "licence_name": "Cat herding licence",
            "_count": 1,
            "authority": ["Westminster"],
            "authority:set": ["Westminster"],
        },
        {
            "licence_name": "Temporary events notice",
            "_count": 4,
            "authority": ["Camden", "Westminster"],
            "authority:set": ["Camden", "Westminster"],
        },
    ]


def test_s10_collect_on_a_key_for_period_grouped_queries(licensing_2: HttpDataSet) -> None:
    data = licensing_2.data(
        "collect=authority&period=week&group_by=licence_name"
        "&start_at=2012-12-03T00:00:00Z&end_at=2012-12-17T00:00:00Z"
    )
    assert [group["licence_name"] for group in data] == [
        "Cat herding licence",
        "Temporary events notice",
    ]
    assert data[1]["authority"] == ["Camden", "Westminster"]
    assert data[1]["authority:set"] == ["Camden", "Westminster"]
    assert data[1]["values"] == [
        {
            "_start_at": "2012-12-03T00:00:00+00:00",
            "_end_at": "2012-12-10T00:00:00+00:00",
            "_count": 0,
            "authority:set": None,
        },
        {
            "_start_at": "2012-12-10T00:00:00+00:00",
            "_end_at": "2012-12-17T00:00:00+00:00",
            "_count": 4,
            "authority": ["Camden", "Westminster"],
            "authority:set": ["Camden", "Westminster"],
        },
    ]


def test_s11_cannot_collect_on_non_grouped_queries(licensing_2: HttpDataSet) -> None:
    response = licensing_2.get("collect=authority")
    assert response.status_code == 400
    assert spec_body(response.json()) == {
        "status": "error",
        "message": "collect can be used only with either ['group_by', 'period']",
    }


def test_s12_collect_false_values(licensing_2: HttpDataSet) -> None:
    data = licensing_2.data(
        "group_by=licence_name&filter_by=isPaymentRequired:false&collect=isPaymentRequired"
    )
    assert [group["isPaymentRequired"] for group in data] == [[False], [False]]
    assert [group["_count"] for group in data] == [1, 4]


def test_s13_maths_on_collect(sort_and_limit: HttpDataSet) -> None:
    data = sort_and_limit.data(
        "group_by=type&filter_by=type:wild&collect=value:sum&collect=value:mean"
    )
    assert data == [{"type": "wild", "_count": 4, "value:sum": 27, "value:mean": 6.75}]


def test_s14_maths_on_collect_with_filter_by_prefix(sort_and_limit: HttpDataSet) -> None:
    data = sort_and_limit.data(
        "group_by=type&filter_by_prefix=type:wild&collect=value:sum&collect=value:mean"
    )
    assert data == [{"type": "wild", "_count": 4, "value:sum": 27, "value:mean": 6.75}]


def test_s15_maths_on_collect_when_flattened(sort_and_limit: HttpDataSet) -> None:
    data = sort_and_limit.data(
        "group_by=type&filter_by=type:wild&collect=value:sum&collect=value:mean&flatten=true"
    )
    assert data[0] == {"type": "wild", "_count": 4, "value:sum": 27, "value:mean": 6.75}


def test_s16_maths_on_sub_groups(new_data_set: Callable[..., HttpDataSet]) -> None:
    evl = new_data_set("evl_volumetrics.json")
    data = evl.data(
        "period=month&group_by=channel&collect=volume:sum"
        "&start_at=2012-04-01T00:00:00Z&end_at=2012-05-01T00:00:00Z"
    )
    assert [(group["channel"], group["volume:sum"]) for group in data] == [
        ("assisted-digital", 1862526),
        ("fully-digital", 17104),
        ("manual", 22782),
    ]
    assert data[0]["values"] == [
        {
            "_start_at": "2012-04-01T00:00:00+00:00",
            "_end_at": "2012-05-01T00:00:00+00:00",
            "_count": 2,
            "volume:sum": 1862526,
        }
    ]


def test_s17_invalid_operation_is_a_nice_error(new_data_set: Callable[..., HttpDataSet]) -> None:
    dinosaurs = new_data_set("dinosaurs.json")
    response = dinosaurs.get("group_by=type&collect=name:sum")
    assert response.status_code == 400
    assert spec_body(response.json()) == {"status": "error", "message": "invalid collect function"}
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Cache-Control" not in response.headers
    assert dinosaurs.get("group_by=type&collect=name:mean").status_code == 400
    assert dinosaurs.data("group_by=type&collect=name:count") == [
        {"type": "dinosaur", "_count": 4, "name:count": 4}
    ]


def test_booleans_sum_as_numbers_and_null_is_not_numeric(
    new_data_set: Callable[..., HttpDataSet],
) -> None:
    data_set = new_data_set(
        records=[
            {"_timestamp": "2014-01-01T00:00:00Z", "kind": "a", "flag": True, "score": 2},
            {"_timestamp": "2014-01-02T00:00:00Z", "kind": "a", "flag": True, "score": 2.5},
            {"_timestamp": "2014-01-03T00:00:00Z", "kind": "a", "flag": False},
            {"_timestamp": "2014-01-04T00:00:00Z", "kind": "b", "flag": None, "score": 1},
        ]
    )
    query = "group_by=kind&filter_by=kind:a&collect=flag:sum&collect=flag:mean&collect=score:mean"
    assert data_set.data(query) == [
        {"kind": "a", "_count": 3, "flag:sum": 2, "flag:mean": 2 / 3, "score:mean": 2.25}
    ]
    response = data_set.get("group_by=kind&collect=flag:sum")
    assert response.status_code == 400
    assert response.json()["message"] == "invalid collect function"
    assert data_set.data(
        "group_by=kind&collect=flag:count&collect=flag:set&collect=score:count"
    ) == [
        {"kind": "a", "_count": 3, "flag:count": 3, "flag:set": [False, True], "score:count": 2},
        {"kind": "b", "_count": 1, "flag:count": 1, "flag:set": [None], "score:count": 1},
    ]


def test_records_without_the_field_add_nothing_to_a_set(
    new_data_set: Callable[..., HttpDataSet],
) -> None:
    data_set = new_data_set(
        records=[
            {"_timestamp": "2014-01-01T00:00:00Z", "kind": "a", "colour": "red"},
            {"_timestamp": "2014-01-02T00:00:00Z", "kind": "a"},
            {"_timestamp": "2014-01-03T00:00:00Z", "kind": "a", "colour": "blue"},
            {"_timestamp": "2014-01-04T00:00:00Z", "kind": "a", "colour": "red"},
        ]
    )
    assert data_set.data("group_by=kind&collect=colour&collect=colour:count") == [
        {
            "kind": "a",
            "_count": 4,
            "colour": ["blue", "red"],
            "colour:set": ["blue", "red"],
            "colour:count": 3,
        }
    ]


def test_mean_of_no_values_is_null(new_data_set: Callable[..., HttpDataSet]) -> None:
    data_set = new_data_set(records=[{"_timestamp": "2014-01-01T00:00:00Z", "kind": "a"}])
    assert data_set.data("group_by=kind&collect=score:mean&collect=score:sum") == [
        {"kind": "a", "_count": 1, "score:mean": None, "score:sum": 0}
    ]
