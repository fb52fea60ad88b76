"""features/read_api/prevent_raw_query.feature (spec 9.1 scenario 54) through the real apps."""

from __future__ import annotations

from collections.abc import Callable

from tests.support.bodies import spec_body
from tests.support.http_data_set import HttpDataSet


def test_s54_raw_queries_are_prevented(new_data_set: Callable[..., HttpDataSet]) -> None:
    data_set = new_data_set("licensing.json", data_type="type")
    response = data_set.get("filter_by=name:foo")
    assert response.status_code == 400
    assert spec_body(response.json()) == {
        "status": "error",
        "message": "querying for raw data is not allowed",
    }
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert data_set.get().status_code == 400
    assert data_set.get("group_by=authority").status_code == 200
