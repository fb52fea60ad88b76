"""Transforms end to end on the other brokers: the embedded one (kombu's filesystem transport
under `$BACKDROP_DATA_DIR/broker`, no server) and RabbitMQ. Redis has its own module."""

from __future__ import annotations

import pytest
import requests

from backdrop.core.config import Settings
from tests.support.stagecraft import RegisterDataSet, StagecraftState
from tests.support.worker import WorkerLog, amqp_url, with_broker
from tests.transformers.scenario import assert_rates, configure_chain, post_events, wait_for_rates

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
    broker_write_url: str,
    worker: WorkerLog,
    stagecraft: StagecraftState,
    register_data_set: RegisterDataSet,
    data_set_name: str,
) -> None:
    configure_chain(stagecraft, register_data_set, data_set_name)
    post_events(http, broker_write_url, data_set_name, "events", f"{data_set_name}-bearer-token")
    assert_rates(wait_for_rates(http, read_url, data_set_name))
    broker = worker.matching("worker ready")[0]["broker"]
    if broker_settings.broker_url is None:
        assert broker == "filesystem://localhost//"
        assert (broker_settings.data_dir.resolve() / "broker" / "queue").is_dir()
    else:
        assert broker.startswith("amqp://")
