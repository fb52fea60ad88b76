"""Transformer tests end to end: the real read and write apps, a real worker process and a
real broker (Redis, RabbitMQ or the embedded filesystem one), one worker per test module.

A module sets its broker with a `broker_settings` fixture; `broker_write_url` (the write app
publishing to that broker) and `worker` follow it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from backdrop.core.config import Settings
from backdrop.core.storage.base import Storage
from backdrop.write.app import create_app as create_write_app
from tests.support.outbox import empty_outbox
from tests.support.servers import LiveServer
from tests.support.tokens import WORKER_TOKEN
from tests.support.worker import WorkerLog, running_worker


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
