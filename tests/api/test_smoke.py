from __future__ import annotations

import requests

from tests.support.bodies import spec_body
from tests.support.stagecraft import RegisterDataSet


def test_post_then_read_back(
    http: requests.Session,
    read_url: str,
    write_url: str,
    data_set_name: str,
    register_data_set: RegisterDataSet,
) -> None:
    register_data_set(data_set_name, raw_queries_allowed=True)
    response = http.post(
        f"{write_url}/data/{data_set_name}/{data_set_name}",
        json=[{"_timestamp": "2014-01-01T00:00:00Z", "value": 3, "_id": "a"}],
        headers={"Authorization": f"Bearer {data_set_name}-bearer-token"},
    )
    assert response.status_code == 200, response.text
    assert spec_body(response.json()) == {"status": "ok"}
    data = http.get(f"{read_url}/data/{data_set_name}/{data_set_name}").json()["data"]
    assert len(data) == 1
    assert data[0]["value"] == 3
    assert data[0]["_week_start_at"] == "2013-12-30T00:00:00+00:00"
    grouped = http.get(
        f"{read_url}/data/{data_set_name}/{data_set_name}",
        params={
            "period": "week",
            "start_at": "2013-12-30T00:00:00Z",
            "end_at": "2014-01-13T00:00:00Z",
            "collect": "value:sum",
        },
    ).json()
    assert grouped["data"][0]["_count"] == 1
    assert grouped["data"][0]["value:sum"] == 3
