"""Transforms end to end on Redis: the write app, a real worker process, the read API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
import requests

from backdrop.core.config import Settings
from backdrop.core.query_parser import parse_query
from backdrop.core.storage.base import Storage
from backdrop.transformers.ids import encode_id
from backdrop.transformers.publish import TransformPublisher
from tests.support.stagecraft import StagecraftState
from tests.support.tokens import WORKER_TOKEN
from tests.support.worker import WorkerLog, poll, redis_url, with_broker
from tests.transformers.scenario import (
    EVENTS,
    RATES,
    WEEK_2,
    assert_rates,
    post_events,
    rate_transform,
    read_all,
    wait_for_rates,
)

REDIS_DB = 13
# Shared with every other test process: one module at a time uses these (tests/conftest.py).
pytestmark = pytest.mark.shares_brokers(f"redis/{REDIS_DB}")


@pytest.fixture(scope="module")
def broker_settings(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return with_broker(settings, redis_url(REDIS_DB), tmp_path_factory)


def stored(storage: Storage, data_set: str) -> list[dict[str, Any]]:
    return list(storage.find(data_set, parse_query({}, raw_queries_allowed=True)))


def test_a_write_runs_its_transforms_and_the_chain_they_start(
    http: requests.Session,
    read_url: str,
    worker: WorkerLog,
    stagecraft: StagecraftState,
    chained_data_set: str,
) -> None:
    assert_rates(wait_for_rates(http, read_url, chained_data_set))
    latest = poll(
        lambda: read_all(http, read_url, chained_data_set, "latest-values"), what="latest values"
    )
    assert [
        {
            key: record[key]
            for key in ("_id", "dashboard_slug", "completion_rate", "_timestamp", "service_id")
        }
        for record in latest
    ] == [
        {
            "_id": encode_id(f"{chained_data_set}-dashboard", "completion_rate"),
            "dashboard_slug": f"{chained_data_set}-dashboard",
            "completion_rate": RATES[WEEK_2],
            "_timestamp": WEEK_2,
            "service_id": f"{chained_data_set}-dashboard",
        }
    ]
    created = stagecraft.data_sets[f"{chained_data_set}_completion_rate"]
    assert {key: created.get(key) for key in ("data_group", "data_type", "bearer_token")} == {
        "data_group": chained_data_set,
        "data_type": "completion-rate",
        "bearer_token": f"{chained_data_set}-bearer-token",
    }
    assert (created["realtime"], created["published"], created["max_age_expected"]) == (
        False,
        True,
        2678400,
    )
    transform_reads = [
        r for r in stagecraft.requests if r["path"] == f"/data-sets/{chained_data_set}/transform"
    ]
    assert transform_reads
    assert {r["headers"].get("Authorization") for r in transform_reads} == {
        f"Bearer {WORKER_TOKEN}"
    }


def _without_write_time(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {key: value for key, value in record.items() if key != "_updated_at"} for record in records
    ]


def test_a_manual_trigger_reruns_the_transforms_and_leaves_the_same_output(
    http: requests.Session,
    read_url: str,
    broker_write_url: str,
    worker: WorkerLog,
    chained_data_set: str,
) -> None:
    first = wait_for_rates(http, read_url, chained_data_set)
    current = first
    for _ in range(2):
        before = max(datetime.fromisoformat(record["_updated_at"]) for record in current)
        response = http.post(
            f"{broker_write_url}/data/{chained_data_set}/events/transform",
            json={"_start_at": EVENTS[0]["_timestamp"], "_end_at": EVENTS[-1]["_timestamp"]},
            headers={"Authorization": f"Bearer {chained_data_set}-bearer-token"},
        )
        assert (response.status_code, response.json()) == (200, {"status": "ok"})

        def rewritten(before: datetime = before) -> list[dict[str, Any]]:
            records = read_all(http, read_url, chained_data_set, "completion-rate")
            written = [datetime.fromisoformat(r["_updated_at"]) for r in records]
            return records if written and min(written) > before else []

        current = poll(rewritten, what="the rates rewritten")
        assert _without_write_time(current) == _without_write_time(first)


def test_a_failing_config_service_is_retried_until_the_transform_has_run(
    broker_settings: Settings,
    http: requests.Session,
    broker_write_url: str,
    worker: WorkerLog,
    storage: Storage,
    stagecraft: StagecraftState,
    events_data_set: str,
) -> None:
    post_events(
        http, broker_write_url, events_data_set, "events", f"{events_data_set}-bearer-token"
    )
    poll(
        lambda: worker.matching("no transforms", data_set=events_data_set), what="the write's task"
    )

    stagecraft.transforms[events_data_set] = [rate_transform(events_data_set, "events")]
    # the worker's next two reads of this data set's transforms fail
    stagecraft.path_failures[f"/data-sets/{events_data_set}/transform"] = [500, 500]
    publisher = TransformPublisher(broker_settings, storage)
    try:
        assert publisher.trigger(
            events_data_set,
            datetime.fromisoformat("2014-01-06T10:00:00+00:00"),
            datetime.fromisoformat("2014-01-14T11:00:00+00:00"),
        )
    finally:
        publisher.close()

    records = poll(
        lambda: stored(storage, f"{events_data_set}_completion_rate"),
        timeout=60,
        what="the retried output",
    )
    assert sorted((r["_start_at"].isoformat(), r["rate"]) for r in records) == list(RATES.items())
    retries = worker.matching("transform retrying", data_set=events_data_set)
    assert [line["retries"] for line in retries] == [0, 1]
    assert all(line["earliest"] == "2014-01-06T10:00:00Z" for line in retries)


def test_an_unknown_transform_is_logged_with_its_range_and_not_retried(
    http: requests.Session,
    broker_write_url: str,
    worker: WorkerLog,
    storage: Storage,
    stagecraft: StagecraftState,
    events_data_set: str,
) -> None:
    transform = rate_transform(events_data_set, "events")
    transform["type"]["function"] = "os.system"
    stagecraft.transforms[events_data_set] = [transform]
    post_events(
        http, broker_write_url, events_data_set, "events", f"{events_data_set}-bearer-token"
    )

    (failure,) = poll(
        lambda: worker.matching("transform failed", data_set=events_data_set), what="the failure"
    )
    assert (failure["earliest"], failure["latest"]) == (
        "2014-01-06T10:00:00Z",
        "2014-01-14T11:00:00Z",
    )
    assert "UnknownTransform" in failure["error"]
    assert worker.matching("transform retrying", data_set=events_data_set) == []
    assert len(stored(storage, events_data_set)) == len(EVENTS)  # the write itself is kept
