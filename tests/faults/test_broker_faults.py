"""A broker that accepts connections and never answers holds no write up and loses no transform
(issue 9), with real processes: the write app under gunicorn with one worker of 8 threads (the
setting in which 8 hung writes silenced `/_status` on main), a proxy in front of the real
Redis or RabbitMQ that first holds every connection, then forwards, and a real transform
worker. Once the broker is back, the transform runs without any new write (the worker drains
the outbox), or the next write delivers what waited (the write app drains it). Both engines.
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests

from backdrop.core.config import Settings
from backdrop.core.query_parser import parse_query
from backdrop.core.storage.base import Storage
from backdrop.transformers.outbox import IN_FLIGHT_SECONDS
from backdrop.transformers.publish import BROKER_COOLDOWN
from tests.support import processes
from tests.support.broker_proxy import BrokerProxy
from tests.support.outbox import empty_outbox
from tests.support.stagecraft import RegisterDataSet, StagecraftState
from tests.support.tokens import WORKER_TOKEN
from tests.support.worker import (
    WorkerLog,
    amqp_url,
    poll,
    purge,
    redis_url,
    running_worker,
)
from tests.transformers.scenario import EVENTS, RATES, rate_transform

REDIS_DB = 8
# Shared with every other test process: one module at a time uses these (tests/conftest.py).
pytestmark = pytest.mark.shares_brokers("rabbitmq", f"redis/{REDIS_DB}")
WRITERS = 8
# Seconds each write and each `/_status` may take while the broker hangs: the issue's "a few
# seconds at most", generously (a publish gives up after 2 s).
BOUND = 5.0


@dataclasses.dataclass(frozen=True)
class Source:
    """A data set with a weekly rate transform, its write URL and token."""

    name: str
    write_url: str

    @property
    def token(self) -> str:
        return f"{self.name}-bearer-token"

    def post(self) -> tuple[int, float]:
        """POST the events; (status, seconds)."""
        started = time.monotonic()
        response = requests.post(
            f"{self.write_url}/data/{self.name}/events",
            json=EVENTS,
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=60,
        )
        return response.status_code, time.monotonic() - started

    def broker_state(self) -> dict[str, Any]:
        response = requests.get(f"{self.write_url}/_status/ready", timeout=10)
        assert response.status_code == 200, response.text
        state: dict[str, Any] = response.json()["broker"]
        return state


@contextlib.contextmanager
def write_app(settings: Settings, broker_url: str) -> Iterator[str]:
    """`start-app.sh write` (gunicorn, one worker, 8 threads) on `broker_url`; yields its URL."""
    env = {
        "DATABASE_ENGINE": settings.database_engine,
        "DATABASE_URL": settings.database_url,
        "STAGECRAFT_URL": settings.stagecraft_url or "",
        "SIGNON_API_USER_TOKEN": settings.signon_api_user_token or "",
        "BROKER_URL": broker_url,
        "BACKDROP_DATA_DIR": str(settings.data_dir),
        "WEB_CONCURRENCY": "1",
    }
    with processes.app("write", env) as app:
        yield app.url


@pytest.fixture
def source_for(
    storage: Storage,
    stagecraft: StagecraftState,
    register_data_set: RegisterDataSet,
    data_set_name: str,
) -> Callable[[str], Source]:
    """Register `name` (type `events`) with a rate transform; an empty outbox to count in."""
    register_data_set(data_set_name, data_type="events")
    stagecraft.transforms[data_set_name] = [rate_transform(data_set_name, "events")]
    empty_outbox(storage)
    return lambda write_url: Source(data_set_name, write_url)


def hung_writes(source: Source) -> float:
    """8 writes at once while the broker never answers, `/_status` asked all along: each
    answers in time. Returns when the last write answered (`time.monotonic()`)."""
    statuses: list[tuple[int, float]] = []
    writing = threading.Event()
    writing.set()

    def watch() -> None:
        while writing.is_set():
            started = time.monotonic()
            answer = requests.get(f"{source.write_url}/_status", timeout=60)
            statuses.append((answer.status_code, time.monotonic() - started))
            time.sleep(0.1)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        with ThreadPoolExecutor(WRITERS) as pool:
            writes = list(pool.map(lambda _: source.post(), range(WRITERS)))
    finally:
        writing.clear()
        watcher.join()
    assert [status for status, _ in writes] == [200] * WRITERS
    assert max(seconds for _, seconds in writes) < BOUND
    assert statuses
    assert all(status == 200 and seconds < BOUND for status, seconds in statuses)
    return time.monotonic()


def assert_kept(source: Source, storage: Storage) -> None:
    """The records are stored and each write's dispatch waits in the outbox."""
    assert storage.count_records(source.name) == WRITERS * len(EVENTS)
    assert source.broker_state() == {
        "last_publish": "failed",
        "published": 0,
        "failed": WRITERS,
        "kept": WRITERS,
        "delivered_later": 0,
        "waiting_dispatches": WRITERS,
    }


def rates(storage: Storage, source: Source) -> list[tuple[str, float]]:
    """The transform's output: (week, rate) pairs, once both weeks are there."""
    query = parse_query({}, raw_queries_allowed=True)
    records = storage.find(f"{source.name}_completion_rate", query)
    found = sorted((record["_start_at"].isoformat(), record["rate"]) for record in records)
    return found if len(found) == len(RATES) else []


def deliveries(log: WorkerLog, source: Source) -> list[dict[str, Any]]:
    """The worker's log lines for the dispatches it delivered, once all the writes' are."""
    lines = log.matching("transform dispatch delivered later", data_set=source.name)
    return lines if len(lines) >= WRITERS else []


def test_the_worker_delivers_what_waited_while_redis_never_answered(
    settings: Settings,
    storage: Storage,
    source_for: Callable[[str], Source],
    tmp_path: Path,
) -> None:
    broker = redis_url(REDIS_DB)
    worker_settings = dataclasses.replace(settings, broker_url=broker)
    with BrokerProxy(broker) as proxy, write_app(settings, proxy.url(broker)) as write_url:
        source = source_for(write_url)
        hung_writes(source)
        assert_kept(source, storage)
        # the write app still faces the hung broker; a worker reaches the real one, no write
        log_path = tmp_path / "worker.log"
        with running_worker(worker_settings, log_path, oauth_token=WORKER_TOKEN) as log:
            assert poll(lambda: rates(storage, source), timeout=30) == list(RATES.items())
            delivered = poll(lambda: deliveries(log, source), what="the worker's deliveries")
            poll(lambda: storage.count_dispatches() == 0, what="an empty outbox")
    assert len(delivered) == WRITERS
    assert all(line["earliest"] == "2014-01-06T10:00:00Z" for line in delivered)


def test_the_next_write_delivers_what_waited_while_rabbitmq_never_answered(
    settings: Settings,
    storage: Storage,
    source_for: Callable[[str], Source],
) -> None:
    broker = amqp_url()
    purge(dataclasses.replace(settings, broker_url=broker))
    with BrokerProxy(broker) as proxy, write_app(settings, proxy.url(broker)) as write_url:
        source = source_for(write_url)
        started = time.monotonic()
        ended = hung_writes(source)
        assert_kept(source, storage)
        proxy.forward()  # the broker answers again; no worker runs
        # the next write is the breaker's probe once it cooled down, and the waiting
        # dispatches are old enough to be no other writer's any more
        ready_at = max(ended + BROKER_COOLDOWN, started + IN_FLIGHT_SECONDS)
        time.sleep(max(0.0, ready_at - time.monotonic()))
        assert source.post()[0] == 200
        state = source.broker_state()
    assert (state["published"], state["delivered_later"], state["waiting_dispatches"]) == (
        1 + WRITERS,
        WRITERS,
        0,
    )
    # the write's own entrypoint and the 8 that waited, for a worker to run (as it does in
    # the test above)
    assert purge(dataclasses.replace(settings, broker_url=broker)) == 1 + WRITERS
