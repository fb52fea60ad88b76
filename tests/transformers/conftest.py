"""Transformer tests end to end: the real read and write apps, a real worker process and a
real broker (Redis, RabbitMQ or the embedded filesystem one), one worker per test module.

A module sets its broker with a `broker_settings` fixture; `broker_write_url` (the write app
publishing to that broker) and `worker` follow it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis
import requests

from backdrop.core.config import Settings
from backdrop.core.storage.base import Storage
from backdrop.write.app import create_app as create_write_app
from tests.support.outbox import empty_outbox
from tests.support.servers import LiveServer
from tests.support.stagecraft import RegisterDataSet, StagecraftState
from tests.support.tokens import WORKER_TOKEN
from tests.support.worker import WorkerLog, running_worker
from tests.transformers.redis_queue import emptied_queue
from tests.transformers.scenario import configure_chain, post_events


@pytest.fixture(scope="module")
def broker_write_url(broker_settings: Settings, storage: Storage) -> Iterator[str]:
    with LiveServer(create_write_app(broker_settings, storage=storage)) as server:
        yield server.url


@pytest.fixture(scope="module")
def worker(
    broker_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WorkerLog]:
    log_path = tmp_path_factory.mktemp("worker") / "worker.log"
    with running_worker(broker_settings, log_path, oauth_token=WORKER_TOKEN) as log:
        yield log


@pytest.fixture
def empty_outbox_around(storage: Storage) -> Iterator[None]:
    """Nothing waits in the outbox before the test, nor after it (so no later write app or
    worker delivers what it left)."""
    empty_outbox(storage)
    yield
    empty_outbox(storage)


@pytest.fixture
def events_data_set(register_data_set: RegisterDataSet, data_set_name: str) -> str:
    """The name of a fresh source data set of type `events` (its group is its name), with no
    transforms yet."""
    register_data_set(data_set_name, data_type="events")
    return data_set_name


@pytest.fixture
def chained_data_set(
    stagecraft: StagecraftState,
    register_data_set: RegisterDataSet,
    data_set_name: str,
    http: requests.Session,
    broker_write_url: str,
) -> str:
    """The name of a source data set (type `events`) with the rate-then-latest transform chain
    (tests/transformers/scenario.py), its events just posted through `broker_write_url`."""
    configure_chain(stagecraft, register_data_set, data_set_name)
    post_events(http, broker_write_url, data_set_name, "events", f"{data_set_name}-bearer-token")
    return data_set_name


@pytest.fixture
def queue(broker_settings: Settings) -> Iterator[redis.Redis]:
    """The Redis broker's `celery` list (for modules whose broker is Redis), emptied before each
    test."""
    with emptied_queue(broker_settings) as client:
        yield client
