from __future__ import annotations

from collections.abc import Callable
from typing import Any

import requests

from tests.support.bodies import spec_body


def test_post_then_read_back(
    http: requests.Session,
    read_url: str,
    write_url: str,
    name: str,
    make_data_set: Callable[..., dict[str, Any]],
) -> None:
    make_data_set(name, raw_queries_allowed=True)
    response = http.post(
        f"{write_url}/data/{name}/{name}",
        json=[{"_timestamp": "2014-01-01T00:00:00Z", "value": 3, "_id": "a"}],
        headers={"Authorization": f"Bearer {name}-bearer-token"},
    )
    assert response.status_code == 200, response.text
    assert spec_body(response.json()) == {"status": "ok"}
    data = http.get(f"{read_url}/data/{name}/{name}").json()["data"]
    assert len(data) == 1
    assert data[0]["value"] == 3
    assert data[0]["_week_start_at"] == "2013-12-30T00:00:00+00:00"
    grouped = http.get(
        f"{read_url}/data/{name}/{name}",
        params={
            "period": "week",
            "start_at": "2013-12-30T00:00:00Z",
            "end_at": "2014-01-13T00:00:00Z",
            "collect": "value:sum",
        },
    ).json()
    assert grouped["data"][0]["_count"] == 1
    assert grouped["data"][0]["value:sum"] == 3
