"""Transforms end to end on RabbitMQ: write app, real worker process, read API."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from backdrop.core.config import Settings
from backdrop.core.storage.base import Storage
from backdrop.write.app import create_app as create_write_app
from tests.support.servers import LiveServer
from tests.support.stagecraft import StagecraftState
from tests.support.worker import WorkerLog, amqp_url, running_worker
from tests.transformers.conftest import WORKER_TOKEN, with_broker
from tests.transformers.scenario import assert_rates, configure_chain, post_events, wait_for_rates


@pytest.fixture(scope="module")
def broker_settings(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return with_broker(settings, amqp_url(), tmp_path_factory)


@pytest.fixture(scope="module")
def write_url(broker_settings: Settings, storage: Storage) -> Iterator[str]:
    with LiveServer(create_write_app(broker_settings, storage=storage)) as server:
        yield server.url


@pytest.fixture(scope="module")
def worker(
    broker_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WorkerLog]:
    log_path = tmp_path_factory.mktemp("rabbitmq-worker") / "worker.log"
    with running_worker(broker_settings, log_path, oauth_token=WORKER_TOKEN) as log:
        yield log


def test_a_write_is_transformed_by_the_worker(
    http: requests.Session,
    read_url: str,
    write_url: str,
    worker: WorkerLog,
    stagecraft: StagecraftState,
    make_data_set: Callable[..., dict[str, Any]],
    name: str,
) -> None:
    configure_chain(stagecraft, make_data_set, name)
    post_events(http, write_url, name, "events", f"{name}-bearer-token")
    assert_rates(wait_for_rates(http, read_url, name))
