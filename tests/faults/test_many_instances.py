"""Many instances over one database (issue 12): two read apps and two write apps under
gunicorn (`start-app.sh read|write`), two transform workers on Redis. Each app keeps its own
response cache, yet a write through either write app is read at once through either read app;
and each transform dispatch runs its transform exactly once, whichever worker takes it."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import pytest
import redis
import requests

from backdrop.core.config import Settings
from backdrop.core.registry.transforms import LocalTransforms
from backdrop.core.storage import open_storage
from backdrop.core.storage.base import Storage
from tests.support.builtin_registry import RegisteredDataSet, register
from tests.support.processes import App, app
from tests.support.servers import throwaway_postgres
from tests.support.start_app import process_env
from tests.support.worker import WorkerLog, poll, redis_url, running_worker
from tests.transformers.scenario import EVENTS, RATE, assert_rates, rate_transform, wait_for_rates

REDIS_DB = 11
# Shared with every other test process: one module at a time uses these (tests/conftest.py).
pytestmark = pytest.mark.shares_brokers(f"redis/{REDIS_DB}")
TOTAL = {"collect": "value:sum", "group_by": "kind"}


@dataclass(frozen=True)
class Deployment:
    reads: tuple[App, App]
    writes: tuple[App, App]
    workers: tuple[WorkerLog, WorkerLog]
    storage: Storage
    broker: str


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    broker = redis_url(REDIS_DB)
    with throwaway_postgres() as url, contextlib.ExitStack() as stack:
        settings = Settings(
            database_engine="postgres",
            database_url=url,
            broker_url=broker,
            data_dir=tmp_path_factory.mktemp("many-instances"),
        )
        storage = open_storage(settings)
        stack.callback(storage.close)
        storage.migrate()
        env = {**process_env(settings, url), "BROKER_URL": broker}
        reads = tuple(stack.enter_context(app("read", env)) for _ in range(2))
        writes = tuple(stack.enter_context(app("write", env)) for _ in range(2))
        logs = tmp_path_factory.mktemp("many-workers")
        workers = tuple(
            stack.enter_context(
                running_worker(
                    replace(settings, data_dir=logs / f"data-{index}"),
                    logs / f"worker-{index}.log",
                    fresh_queue=index == 0,
                )
            )
            for index in range(2)
        )
        yield Deployment(reads, writes, workers, storage, broker)  # type: ignore[arg-type]


def _post(write: App, data_set: RegisteredDataSet, records: list[dict[str, Any]]) -> None:
    url = f"{write.url}{data_set.path}"
    response = requests.post(url, json=records, headers=data_set.auth, timeout=10)
    assert response.status_code == 200, response.text


def _total(read: App, data_set: RegisteredDataSet) -> int:
    response = requests.get(f"{read.url}{data_set.path}", params=TOTAL, timeout=10)
    assert response.status_code == 200, response.text
    return sum(group["value:sum"] for group in response.json()["data"])


def test_a_write_through_one_app_is_read_at_once_through_every_read_app(
    deployment: Deployment,
) -> None:
    data_set = register(deployment.storage)
    for value, write in enumerate((*deployment.writes, *deployment.writes), start=1):
        before = [_total(read, data_set) for read in deployment.reads]  # now in both caches
        assert before == [value - 1, value - 1]
        record = {"_timestamp": "2014-01-06T00:00:00Z", "kind": "k", "value": 1}
        _post(write, data_set, [record])
        assert [_total(read, data_set) for read in deployment.reads] == [value, value]


def _runs(workers: tuple[WorkerLog, WorkerLog], data_set: str) -> list[int]:
    """How many transforms of `data_set` each worker has run."""
    return [len(log.matching("transform written", data_set=data_set)) for log in workers]


def _broker_idle(broker: str) -> bool:
    """Nothing waits in the default queue, and no delivered task is unacknowledged."""
    with contextlib.closing(redis.Redis.from_url(broker)) as client:
        return client.llen("celery") == 0 and client.hlen("unacked") == 0


def test_each_dispatch_runs_its_transform_once_with_two_workers(deployment: Deployment) -> None:
    events = register(deployment.storage, data_type="events")
    name, group = events.config.name, events.config.data_group
    example = rate_transform(group, "events")
    LocalTransforms(deployment.storage).create(
        function=RATE,
        input_group=group,
        input_type="events",
        output_type="completion-rate",
        query_parameters=example["query-parameters"],
        options=example["options"],
    )
    # The scenario's events with ids, so posting the first again changes no rate.
    records = [{"_id": f"event-{index}", **event} for index, event in enumerate(EVENTS)]
    dispatches = 4
    for index in range(dispatches):  # each POST stores one dispatch with its records
        _post(deployment.writes[index % 2], events, records if index == 0 else records[:1])

    poll(
        lambda: sum(_runs(deployment.workers, name)) >= dispatches,
        timeout=60,
        what=f"{dispatches} transform runs",
    )
    poll(lambda: _broker_idle(deployment.broker), timeout=30, what="an idle broker")
    runs = _runs(deployment.workers, name)
    assert sum(runs) == dispatches, runs
    with requests.Session() as http:
        assert_rates(wait_for_rates(http, deployment.reads[1].url, group))
