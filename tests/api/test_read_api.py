"""features/read_api/read_api.feature (spec 9.1 scenarios 58-60) through the real apps."""

from __future__ import annotations

from collections.abc import Callable

import requests

from tests.support.bodies import spec_body
from tests.support.fixture_files import fixture_records
from tests.support.http_data_set import HttpDataSet, unique_name


def test_s58_getting_all_the_data(new_data_set: Callable[..., HttpDataSet]) -> None:
    foo = new_data_set("licensing.json", raw_queries_allowed=True)
    data = foo.data(legacy=True)
    assert [record["_id"] for record in data] == ["1234", "1235", "1236", "1237", "1238", "1239"]


def test_s59_data_without_timestamps(new_data_set: Callable[..., HttpDataSet]) -> None:
    rawr = new_data_set(raw_queries_allowed=True, schema=None)
    undated = [
        {key: value for key, value in record.items() if key != "_timestamp"}
        for record in fixture_records("dinosaurs.json")
    ]
    assert rawr.post(undated).status_code == 200
    data = rawr.data(legacy=True)
    assert len(data) == 4
    assert all("_timestamp" not in record and "_week_start_at" not in record for record in data)
    # without `_timestamp` a record is in no period (spec 2.4.3)
    period = rawr.data("period=day&start_at=2013-03-20T00:00:00Z&end_at=2013-03-21T00:00:00Z")
    assert [row["_count"] for row in period] == [0]


def test_s60_data_set_that_does_not_exist(http: requests.Session, read_url: str) -> None:
    response = http.get(f"{read_url}/{unique_name('foobar')}")
    assert response.status_code == 404
    assert spec_body(response.json()) == {"status": "error", "message": "data_set not found"}
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    response = http.get(f"{read_url}/data/{unique_name('no')}/such-type")
    assert response.status_code == 404
    assert spec_body(response.json()) == {"status": "error", "message": "data_set not found"}
