"""features/read_api/published.feature (spec 9.1 scenarios 55-56) through the real apps."""

from __future__ import annotations

from collections.abc import Callable

from tests.support.http_data_set import HttpDataSet

WARNING = "Warning: This data-set is unpublished. Data may be subject to change or be inaccurate."


def test_s55_published_data_set(new_data_set: Callable[..., HttpDataSet]) -> None:
    published = new_data_set("licensing.json", published=True, raw_queries_allowed=True)
    response = published.get(legacy=True)
    assert response.status_code == 200
    assert "warning" not in response.json()
    assert len(response.json()["data"]) == 6


def test_s56_unpublished_data_set(new_data_set: Callable[..., HttpDataSet]) -> None:
    unpublished = new_data_set("licensing.json", published=False, raw_queries_allowed=True)
    response = unpublished.get(legacy=True)
    assert response.status_code == 200
    assert response.json()["warning"] == WARNING
    assert len(response.json()["data"]) == 6
    grouped = unpublished.get("group_by=authority")
    assert grouped.json() == {
        "data": [{"authority": "Camden", "_count": 2}, {"authority": "Westminster", "_count": 4}],
        "warning": WARNING,
    }


def test_unpublished_data_sets_never_answer_csv(new_data_set: Callable[..., HttpDataSet]) -> None:
    unpublished = new_data_set("licensing.json", published=False)
    response = unpublished.get("group_by=authority&format=csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.json()["warning"] == WARNING
