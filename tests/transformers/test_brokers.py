"""Transforms end to end on the other brokers: the embedded one (kombu's filesystem transport
under `$BACKDROP_DATA_DIR/broker`, no server) and RabbitMQ. Redis has its own module."""

from __future__ import annotations

import pytest
import requests

from backdrop.core.config import Settings
from tests.support.worker import WorkerLog, amqp_url, with_broker
from tests.transformers.scenario import assert_rates, wait_for_rates

# Shared with every other test process: one module at a time uses these (tests/conftest.py).
pytestmark = pytest.mark.shares_brokers("rabbitmq")


@pytest.fixture(scope="module", params=["embedded", "rabbitmq"])
def broker_settings(
    request: pytest.FixtureRequest, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    broker_url = amqp_url() if request.param == "rabbitmq" else None
    return with_broker(settings, broker_url, tmp_path_factory)


def test_a_write_is_transformed_by_the_worker(
    broker_settings: Settings,
    http: requests.Session,
    read_url: str,
    worker: WorkerLog,
    chained_data_set: str,
) -> None:
    assert_rates(wait_for_rates(http, read_url, chained_data_set))
    broker = worker.matching("worker ready")[0]["broker"]
    if broker_settings.broker_url is None:
        assert broker == "filesystem://localhost//"
        assert (broker_settings.data_dir.resolve() / "broker" / "queue").is_dir()
    else:
        assert broker.startswith("amqp://")
