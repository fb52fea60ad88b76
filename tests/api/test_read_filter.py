"""features/read_api/filter.feature (spec 9.1 scenarios 23-35) through the real apps."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.support.bodies import spec_body
from tests.support.http_data_set import HttpDataSet

RECORD_1236 = {
    "_timestamp": "2012-12-13T01:01:01+00:00",
    "licence_name": "Temporary events notice",
    "interaction": "success",
    "authority": "Westminster",
    "type": "success",
    "_id": "1236",
}
# what the write app derives from its `_timestamp` (spec 3.5)
DERIVED_1236 = {
    "_hour_start_at": "2012-12-13T01:00:00+00:00",
    "_day_start_at": "2012-12-13T00:00:00+00:00",
    "_week_start_at": "2012-12-10T00:00:00+00:00",
    "_month_start_at": "2012-12-01T00:00:00+00:00",
    "_quarter_start_at": "2012-10-01T00:00:00+00:00",
    "_year_start_at": "2012-01-01T00:00:00+00:00",
}


@pytest.fixture(scope="module")
def licensing(new_data_set: Callable[..., HttpDataSet]) -> HttpDataSet:
    return new_data_set("licensing.json")


@pytest.fixture(scope="module")
def raw_licensing(new_data_set: Callable[..., HttpDataSet]) -> HttpDataSet:
    return new_data_set("licensing.json", raw_queries_allowed=True)


@pytest.fixture(scope="module")
def lizards(new_data_set: Callable[..., HttpDataSet]) -> HttpDataSet:
    return new_data_set("dinosaurs.json", raw_queries_allowed=True)


def without_updated_at(record: dict[str, Any]) -> dict[str, Any]:
    updated_at = record.pop("_updated_at")
    assert isinstance(updated_at, str)
    assert updated_at.endswith("+00:00")
    return record


def test_s23_data_on_or_after_a_point_is_a_raw_query(licensing: HttpDataSet) -> None:
    response = licensing.get("start_at=2012-12-13T01:01:01%2B00:00", legacy=True)
    assert response.status_code == 400
    assert response.json()["message"] == "Use of 'start_at' requires 'end_at' or 'duration'"


def test_s24_data_before_a_point_is_a_raw_query(licensing: HttpDataSet) -> None:
    response = licensing.get("end_at=2012-12-12T01:01:02%2B00:00", legacy=True)
    assert response.status_code == 400
    assert response.json()["message"] == "Use of 'end_at' requires 'start_at' or 'duration'"


def test_s25_data_between_two_points(raw_licensing: HttpDataSet) -> None:
    data = raw_licensing.data(
        "start_at=2012-12-12T01:01:02%2B00:00&end_at=2012-12-14T00:00:00%2B00:00", legacy=True
    )
    assert [without_updated_at(record) for record in data] == [RECORD_1236 | DERIVED_1236]


def test_s26_filtering_by_a_key_and_value(raw_licensing: HttpDataSet) -> None:
    data = raw_licensing.data("filter_by=authority:Camden", legacy=True)
    assert [record["_id"] for record in data] == ["1235", "1239"]


def test_s27_invalid_start_at_parameter(routed_data_set: Callable[..., HttpDataSet]) -> None:
    data_set = routed_data_set(data_group="group", data_type="type")
    assert data_set.path == "/data/group/type"
    response = data_set.get("start_at=not+a+date")
    assert response.status_code == 400
    assert spec_body(response.json()) == {
        "status": "error",
        "message": "start_at is not a valid datetime",
    }


def test_s28_filter_by_field_starting_with_dollar(licensing: HttpDataSet) -> None:
    response = licensing.get("filter_by=$where:function(){}", legacy=True)
    assert response.status_code == 400
    assert response.json()["message"] == "Cannot filter by an invalid field name"


def test_s29_between_two_points_and_filtered(raw_licensing: HttpDataSet) -> None:
    data = raw_licensing.data(
        "start_at=2012-12-13T00:00:02%2B00:00&end_at=2012-12-19T00:00:00%2B00:00"
        "&filter_by=type:success",
        legacy=True,
    )
    assert [without_updated_at(record) for record in data] == [RECORD_1236 | DERIVED_1236]


def test_s30_boolean_data(lizards: HttpDataSet) -> None:
    data = lizards.data("filter_by=eats_people:true", legacy=True)
    assert [record["name"] for record in data] == ["t-rex", "velociraptor", "microraptor"]
    assert all(record["eats_people"] is True for record in data)


def test_s31_filter_by_key_and_prefix_value(raw_licensing: HttpDataSet) -> None:
    data = raw_licensing.data("filter_by_prefix=authority:Camd", legacy=True)
    assert [record["_id"] for record in data] == ["1235", "1239"]


def test_s32_prefix_filter_on_a_dollar_field(licensing: HttpDataSet) -> None:
    response = licensing.get("filter_by_prefix=$prefix:function(){}", legacy=True)
    assert response.status_code == 400
    assert response.json()["message"] == "Cannot filter by an invalid field name"


def test_s33_prefix_filtering_does_not_execute_regex(raw_licensing: HttpDataSet) -> None:
    response = raw_licensing.get("filter_by_prefix=authority:.*", legacy=True)
    assert response.status_code == 200
    assert response.json() == {"data": []}


def test_s34_between_two_points_and_prefix_filtered(raw_licensing: HttpDataSet) -> None:
    data = raw_licensing.data(
        "start_at=2012-12-13T00:00:02%2B00:00&end_at=2012-12-19T00:00:00%2B00:00"
        "&filter_by_prefix=type:succ",
        legacy=True,
    )
    assert [without_updated_at(record) for record in data] == [RECORD_1236 | DERIVED_1236]


def test_s35_more_boolean_data(new_data_set: Callable[..., HttpDataSet]) -> None:
    lizards = new_data_set("dinosaurs.json")  # raw queries not allowed
    assert lizards.data("group_by=eats_people", legacy=True) == [
        {"eats_people": False, "_count": 1},
        {"eats_people": True, "_count": 3},
    ]


def test_filter_values_are_type_sensitive(lizards: HttpDataSet) -> None:
    # spec 2.2: "true" is a boolean, numbers stay strings
    assert lizards.data("filter_by=eats_people:True", legacy=True) == []
    assert len(lizards.data("filter_by=eats_people:false", legacy=True)) == 1


def test_prefix_filter_escapes_regex_characters(new_data_set: Callable[..., HttpDataSet]) -> None:
    data_set = new_data_set(
        raw_queries_allowed=True,
        records=[
            {"_timestamp": "2014-01-01T00:00:00Z", "path": "/a.b(c)"},
            {"_timestamp": "2014-01-02T00:00:00Z", "path": "/aXb(c)"},
        ],
    )
    assert [r["path"] for r in data_set.data("filter_by_prefix=path:/a.b(")] == ["/a.b(c)"]


def test_two_filters_are_anded(raw_licensing: HttpDataSet) -> None:
    data = raw_licensing.data("filter_by=authority:Westminster&filter_by=type:failure", legacy=True)
    assert [record["_id"] for record in data] == ["1237"]


def test_repeated_filters_on_one_field(raw_licensing: HttpDataSet) -> None:
    same = raw_licensing.data("filter_by=authority:Camden&filter_by=authority:Camden")
    assert [record["_id"] for record in same] == ["1235", "1239"]
    assert raw_licensing.data("filter_by=authority:Camden&filter_by=authority:Westminster") == []
    nested = raw_licensing.data("filter_by_prefix=authority:W&filter_by_prefix=authority:West")
    assert len(nested) == 4
    assert raw_licensing.data("filter_by_prefix=authority:W&filter_by_prefix=authority:C") == []


def test_filters_with_a_range_and_grouping(licensing: HttpDataSet) -> None:
    data = licensing.data(
        "group_by=authority&filter_by=type:success"
        "&start_at=2012-12-10T00:00:00Z&end_at=2012-12-17T00:00:00Z"
    )
    assert data == [{"authority": "Camden", "_count": 1}, {"authority": "Westminster", "_count": 2}]
