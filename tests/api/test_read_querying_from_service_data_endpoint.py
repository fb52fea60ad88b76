"""features/read_api/querying_from_service_data_endpoint.feature (spec 9.1 scenario 57)."""

from __future__ import annotations

from collections.abc import Callable

from tests.support.http_data_set import HttpDataSet


def test_s57_querying_data(routed_data_set: Callable[..., HttpDataSet]) -> None:
    rawr = routed_data_set(
        "dinosaurs.json", data_group="dinosaurs", data_type="taxonomy", raw_queries_allowed=True
    )
    assert rawr.path == "/data/dinosaurs/taxonomy"
    data = rawr.data("filter_by=eats_people:true")
    assert len(data) == 3
    assert {record["name"] for record in data} == {"t-rex", "velociraptor", "microraptor"}
