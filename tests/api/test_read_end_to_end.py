"""features/end_to_end.feature (spec 9.1 scenarios 1-3): a client writes with its token, a
dashboard reads back."""

from __future__ import annotations

from collections.abc import Callable

from tests.support.bodies import spec_body
from tests.support.fixture_files import fixture_records
from tests.support.http_data_set import HttpDataSet


def test_s01_write_data_to_platform(new_data_set: Callable[..., HttpDataSet]) -> None:
    reptiles = new_data_set(data_type="fertility", raw_queries_allowed=True)
    response = reptiles.post(fixture_records("dinosaurs.json"))
    assert response.status_code == 200
    assert spec_body(response.json()) == {"status": "ok"}
    assert len(reptiles.data()) == 4


def test_s02_write_and_retrieve_data_from_platform(
    new_data_set: Callable[..., HttpDataSet],
) -> None:
    reptiles = new_data_set(data_type="fertility", raw_queries_allowed=True)
    assert reptiles.post(fixture_records("dinosaurs.json")).status_code == 200
    response = reptiles.get("filter_by=size:big", legacy=True)
    assert response.status_code == 200
    assert [record["name"] for record in response.json()["data"]] == ["t-rex", "diplodocus"]


def test_s03_writing_events_and_retrieving_weekly_data(
    new_data_set: Callable[..., HttpDataSet],
) -> None:
    flavour_events = new_data_set(data_type="events")
    assert flavour_events.post(fixture_records("grouped_timestamps.json")).status_code == 200
    response = flavour_events.get(
        "period=week&group_by=flavour&start_at=2013-03-18T00:00:00Z&end_at=2013-04-08T00:00:00Z",
        legacy=True,
    )
    assert response.status_code == 200
    data = response.json()["data"]
    assert [(g["flavour"], g["_count"], g["_group_count"]) for g in data] == [
        ("beetroot", 3, 3),
        ("cherry", 1, 1),
        ("lemon", 8, 3),
        ("lime", 6, 3),
    ]
    assert [[week["_count"] for week in group["values"]] for group in data] == [
        [1, 1, 1],
        [0, 1, 0],
        [3, 2, 3],
        [2, 2, 2],
    ]
