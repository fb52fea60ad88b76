"""Every response shape of spec 2.5, whole bodies compared (keys sorted, compact JSON)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
import requests

from tests.support.fixture_files import fixture_records
from tests.support.http_data_set import HttpDataSet

WARNING = "Warning: This data-set is unpublished. Data may be subject to change or be inaccurate."
LICENSING_WEEKS = "start_at=2012-12-03T00:00:00Z&end_at=2012-12-17T00:00:00Z"
UPDATED_AT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3}000)?\+00:00$")


def body(value: Any) -> bytes:
    """What the read app sends: compact JSON, keys sorted."""
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()


def period(start: str, end: str, count: int, **extra: Any) -> dict[str, Any]:
    return {
        "_start_at": f"{start}T00:00:00+00:00",
        "_end_at": f"{end}T00:00:00+00:00",
        "_count": count,
        **extra,
    }


def assert_body(response: requests.Response, expected: Any) -> None:
    assert response.status_code == 200, response.text
    assert response.json() == expected
    assert response.content == body(expected)


@pytest.fixture(scope="module")
def licensing(new_data_set: Callable[..., HttpDataSet]) -> HttpDataSet:
    return new_data_set("licensing.json", raw_queries_allowed=True)


@pytest.fixture(scope="module")
def licensing_2(new_data_set: Callable[..., HttpDataSet]) -> HttpDataSet:
    volumes = [10, 20, 30, 40, 50]
    records = [
        record | {"volume": volume}
        for record, volume in zip(fixture_records("licensing_2.json"), volumes, strict=True)
    ]
    return new_data_set(records=records)


def test_raw(licensing: HttpDataSet) -> None:
    response = licensing.get(
        "start_at=2012-12-13T00:00:00Z&end_at=2012-12-14T00:00:00Z", legacy=True
    )
    (record,) = response.json()["data"]
    updated_at = record["_updated_at"]
    assert UPDATED_AT.match(updated_at), updated_at
    expected = {
        "data": [
            {
                "_id": "1236",
                "_timestamp": "2012-12-13T01:01:01+00:00",
                "_updated_at": updated_at,
                "_day_start_at": "2012-12-13T00:00:00+00:00",
                "_hour_start_at": "2012-12-13T01:00:00+00:00",
                "_week_start_at": "2012-12-10T00:00:00+00:00",
                "_month_start_at": "2012-12-01T00:00:00+00:00",
                "_quarter_start_at": "2012-10-01T00:00:00+00:00",
                "_year_start_at": "2012-01-01T00:00:00+00:00",
                "authority": "Westminster",
                "interaction": "success",
                "licence_name": "Temporary events notice",
                "type": "success",
            }
        ]
    }
    assert_body(response, expected)


def test_raw_generated_ids_are_hex_strings(new_data_set: Callable[..., HttpDataSet]) -> None:
    data_set = new_data_set("dinosaurs.json", raw_queries_allowed=True)
    ids = [record["_id"] for record in data_set.data()]
    assert len(ids) == 4
    assert all(re.fullmatch("[0-9a-f]{24}", record_id) for record_id in ids)


def test_raw_datetimes_in_utc(new_data_set: Callable[..., HttpDataSet]) -> None:
    data_set = new_data_set(
        raw_queries_allowed=True,
        records=[
            {"_timestamp": "2013-03-20T01:00:00-05:00", "_start_at": "2013-03-18T00:00:00+0100"}
        ],
    )
    (record,) = data_set.data()
    assert record["_timestamp"] == "2013-03-20T06:00:00+00:00"
    assert record["_start_at"] == "2013-03-17T23:00:00+00:00"
    assert record["_day_start_at"] == "2013-03-20T00:00:00+00:00"


def test_group_by(licensing: HttpDataSet) -> None:
    expected = {
        "data": [{"authority": "Camden", "_count": 2}, {"authority": "Westminster", "_count": 4}]
    }
    assert_body(licensing.get("group_by=authority"), expected)


def test_multiple_group_by(licensing_2: HttpDataSet) -> None:
    expected = {
        "data": [
            {"authority": "Camden", "licence_name": "Temporary events notice", "_count": 1},
            {"authority": "Westminster", "licence_name": "Cat herding licence", "_count": 1},
            {"authority": "Westminster", "licence_name": "Temporary events notice", "_count": 3},
        ]
    }
    assert_body(licensing_2.get("group_by=authority&group_by=licence_name"), expected)


def test_group_by_with_collect_sum_and_mean(new_data_set: Callable[..., HttpDataSet]) -> None:
    data_set = new_data_set("sort_and_limit.json")
    expected = {
        "data": [
            {"type": "domestic", "_count": 2, "value:sum": 6, "value:mean": 3.0},
            {"type": "wild", "_count": 4, "value:sum": 27, "value:mean": 6.75},
        ]
    }
    assert_body(data_set.get("group_by=type&collect=value:sum&collect=value:mean"), expected)


def test_period_only_is_time_ordered_and_gap_filled(
    new_data_set: Callable[..., HttpDataSet],
) -> None:
    data_set = new_data_set("stored_timestamps.json")
    expected = {
        "data": [
            period("2013-03-04", "2013-03-11", 0),
            period("2013-03-11", "2013-03-18", 3),
            period("2013-03-18", "2013-03-25", 2),
            period("2013-03-25", "2013-04-01", 0),
        ]
    }
    query = "period=week&start_at=2013-03-04T00:00:00Z&end_at=2013-04-01T00:00:00Z"
    assert_body(data_set.get(query), expected)


def test_period_with_default_collect(new_data_set: Callable[..., HttpDataSet]) -> None:
    data_set = new_data_set("collectables.json")
    query = "period=week&collect=pickup&start_at=2013-08-05T00:00:00Z&end_at=2013-08-19T00:00:00Z"
    expected = {
        "data": [
            period(
                "2013-08-05",
                "2013-08-12",
                2,
                pickup=["mushroom", "ring"],
                **{"pickup:set": ["mushroom", "ring"]},
            ),
            period("2013-08-12", "2013-08-19", 1, pickup=["1-up"], **{"pickup:set": ["1-up"]}),
        ]
    }
    assert_body(data_set.get(query), expected)


def test_nested_period_and_group_by(licensing_2: HttpDataSet) -> None:
    expected = {
        "data": [
            {
                "authority": "Camden",
                "_count": 1,
                "_group_count": 1,
                "values": [
                    period("2012-12-03", "2012-12-10", 0),
                    period("2012-12-10", "2012-12-17", 1),
                ],
            },
            {
                "authority": "Westminster",
                "_count": 4,
                "_group_count": 2,
                "values": [
                    period("2012-12-03", "2012-12-10", 1),
                    period("2012-12-10", "2012-12-17", 3),
                ],
            },
        ]
    }
    assert_body(licensing_2.get(f"period=week&group_by=authority&{LICENSING_WEEKS}"), expected)


def test_nested_period_and_group_by_with_collect(licensing_2: HttpDataSet) -> None:
    expected = {
        "data": [
            {
                "authority": "Camden",
                "_count": 1,
                "_group_count": 1,
                "volume:sum": 20,
                "values": [
                    period("2012-12-03", "2012-12-10", 0, **{"volume:sum": None}),
                    period("2012-12-10", "2012-12-17", 1, **{"volume:sum": 20}),
                ],
            },
            {
                "authority": "Westminster",
                "_count": 4,
                "_group_count": 2,
                "volume:sum": 130,
                "values": [
                    period("2012-12-03", "2012-12-10", 1, **{"volume:sum": 50}),
                    period("2012-12-10", "2012-12-17", 3, **{"volume:sum": 80}),
                ],
            },
        ]
    }
    query = f"period=week&group_by=authority&collect=volume:sum&{LICENSING_WEEKS}"
    assert_body(licensing_2.get(query), expected)


def test_flatten_period_and_group_by(licensing_2: HttpDataSet) -> None:
    expected = {
        "data": [
            {"authority": "Camden", **period("2012-12-03", "2012-12-10", 0)},
            {"authority": "Westminster", **period("2012-12-03", "2012-12-10", 1)},
            {"authority": "Camden", **period("2012-12-10", "2012-12-17", 1)},
            {"authority": "Westminster", **period("2012-12-10", "2012-12-17", 3)},
        ]
    }
    query = f"period=week&group_by=authority&flatten=true&{LICENSING_WEEKS}"
    assert_body(licensing_2.get(query), expected)


def test_flatten_group_by_only_and_period_only(licensing_2: HttpDataSet) -> None:
    grouped = licensing_2.get("group_by=authority&flatten=true").json()["data"]
    assert sorted(grouped, key=lambda row: row["authority"]) == [
        {"authority": "Camden", "_count": 1},
        {"authority": "Westminster", "_count": 4},
    ]
    flat = licensing_2.get(f"period=week&flatten=true&{LICENSING_WEEKS}")
    nested = licensing_2.get(f"period=week&{LICENSING_WEEKS}")
    assert flat.content == nested.content


def test_unpublished_warning(new_data_set: Callable[..., HttpDataSet]) -> None:
    data_set = new_data_set("licensing.json", published=False)
    expected = {
        "data": [{"authority": "Camden", "_count": 2}, {"authority": "Westminster", "_count": 4}],
        "warning": WARNING,
    }
    assert_body(data_set.get("group_by=authority"), expected)


def test_empty_results(licensing_2: HttpDataSet) -> None:
    assert_body(licensing_2.get("group_by=wibble"), {"data": []})
    query = (
        "period=week&group_by=authority&start_at=2013-01-07T00:00:00Z&end_at=2013-01-21T00:00:00Z"
    )
    assert_body(licensing_2.get(query), {"data": []})
    query = "period=week&start_at=2013-01-07T00:00:00Z&end_at=2013-01-21T00:00:00Z"
    expected = {
        "data": [period("2013-01-07", "2013-01-14", 0), period("2013-01-14", "2013-01-21", 0)]
    }
    assert_body(licensing_2.get(query), expected)
