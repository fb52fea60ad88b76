"""The end-to-end scenario the broker tests share: events → weekly completion rate (`rate`)
→ latest value per dashboard (`latest_dataset_value`, chained by the rate's output write)."""

from __future__ import annotations

from typing import Any

import requests

from backdrop.transformers.ids import encode_id
from tests.support.bodies import spec_body
from tests.support.stagecraft import RegisterDataSet, StagecraftState
from tests.support.worker import poll

RATE = "backdrop.transformers.tasks.rate.compute"
LATEST = "backdrop.transformers.tasks.latest_dataset_value.compute"
WEEK_1, WEEK_2 = "2014-01-06T00:00:00+00:00", "2014-01-13T00:00:00+00:00"
EVENTS = [
    {"_timestamp": "2014-01-06T10:00:00Z", "eventCategory": "start", "uniqueEvents": 15},
    {"_timestamp": "2014-01-07T10:00:00Z", "eventCategory": "done", "uniqueEvents": 10},
    {"_timestamp": "2014-01-13T10:00:00Z", "eventCategory": "start", "uniqueEvents": 12},
    {"_timestamp": "2014-01-14T10:00:00Z", "eventCategory": "start", "uniqueEvents": 8},
    {"_timestamp": "2014-01-14T11:00:00Z", "eventCategory": "done", "uniqueEvents": 5},
]
# What the rate transform makes of EVENTS, by week: 10/15 and 5/20.
RATES = {WEEK_1: 10 / 15, WEEK_2: 5 / 20}


def rate_transform(group: str, data_type: str) -> dict[str, Any]:
    """A Stagecraft transform: weekly `done`/`start` of an events data set."""
    return {
        "id": f"rate-{group}",
        "type": {"id": "rate", "function": RATE},
        "input": {"data-group": group, "data-type": data_type},
        "query-parameters": {
            "period": "week",
            "group_by": "eventCategory",
            "collect": "uniqueEvents:sum",
        },
        "options": {
            "numeratorMatcher": "done",
            "denominatorMatcher": "start",
            "matchingAttribute": "eventCategory",
            "valueAttribute": "uniqueEvents:sum",
        },
        "output": {"data-type": "completion-rate"},
    }


def configure_chain(
    stagecraft: StagecraftState, register_data_set: RegisterDataSet, name: str
) -> None:
    """Source `name` (group `name`, type `events`) with a rate transform whose output
    (`<name>_completion_rate`, created by the worker) has a latest-value transform."""
    register_data_set(name, data_type="events")
    stagecraft.transforms[name] = [rate_transform(name, "events")]
    stagecraft.transforms[f"{name}_completion_rate"] = [
        {
            "id": f"latest-{name}",
            "type": {"id": "latest", "function": LATEST},
            "input": {"data-group": name, "data-type": "completion-rate"},
            "query-parameters": {},
            "options": {},
            "output": {"data-type": "latest-values"},
        }
    ]
    stagecraft.dashboards[f"{name}_completion_rate"] = [
        {"slug": f"{name}-dashboard", "published": True},
        {"slug": f"{name}-draft", "published": False},
    ]


def post_events(
    http: requests.Session, write_url: str, group: str, data_type: str, token: str
) -> float:
    """POST the events; returns how long the write took, in seconds."""
    response = http.post(
        f"{write_url}/data/{group}/{data_type}",
        json=EVENTS,
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.text
    assert spec_body(response.json()) == {"status": "ok"}
    return response.elapsed.total_seconds()


def read_all(
    http: requests.Session, read_url: str, group: str, data_type: str
) -> list[dict[str, Any]]:
    """Every record of a data set through the read API ([] while it does not exist)."""
    response = http.get(f"{read_url}/data/{group}/{data_type}")
    if response.status_code == 404:
        return []
    assert response.status_code == 200, response.text
    return sorted(response.json()["data"], key=lambda record: record["_timestamp"])


def wait_for_rates(
    http: requests.Session,
    read_url: str,
    group: str,
    data_type: str = "completion-rate",
    timeout: float = 60,
) -> list[dict[str, Any]]:
    """Poll the read API until the rate output holds both weeks; returns its records."""

    def both_weeks() -> list[dict[str, Any]]:
        records = read_all(http, read_url, group, data_type)
        return records if len(records) == len(RATES) else []

    return poll(both_weeks, timeout=timeout, what=f"rates in {group}/{data_type}")


def assert_rates(records: list[dict[str, Any]]) -> None:
    assert [(r["_timestamp"], r["rate"]) for r in records] == list(RATES.items())
    assert [r["_id"] for r in records] == [
        encode_id(WEEK_1, "2014-01-13T00:00:00+00:00"),
        encode_id(WEEK_2, "2014-01-20T00:00:00+00:00"),
    ]
    assert [r["_end_at"] for r in records] == [
        "2014-01-13T00:00:00+00:00",
        "2014-01-20T00:00:00+00:00",
    ]
