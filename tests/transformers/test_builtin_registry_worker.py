"""Transforms end to end with the built-in registry (no Stagecraft): data set and transform
made with the `backdrop` CLI, a write through the write app, a real worker on Redis, the
output data set created by the worker and read through the read API."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from click.testing import CliRunner

from backdrop.cli import main
from backdrop.core.config import Settings
from backdrop.core.registry.local import LocalRegistry
from backdrop.core.storage.base import Storage
from backdrop.read.app import create_app as create_read_app
from backdrop.write.app import create_app as create_write_app
from tests.support.servers import LiveServer
from tests.support.worker import WorkerLog, redis_url, running_worker, with_broker
from tests.transformers.scenario import (
    RATE,
    assert_rates,
    post_events,
    rate_transform,
    wait_for_rates,
)

REDIS_DB = 12
# Shared with every other test process: one module at a time uses these (tests/conftest.py).
pytestmark = pytest.mark.shares_brokers(f"redis/{REDIS_DB}")


@pytest.fixture(scope="module")
def local_settings(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return dataclasses.replace(
        with_broker(settings, redis_url(REDIS_DB), tmp_path_factory), stagecraft_url=None
    )


@pytest.fixture(scope="module")
def apps(local_settings: Settings, storage: Storage) -> Iterator[tuple[str, str]]:
    """(read URL, write URL) of apps reading configs from the built-in registry."""
    with (
        LiveServer(create_read_app(local_settings, storage=storage)) as read,
        LiveServer(create_write_app(local_settings, storage=storage)) as write,
    ):
        yield read.url, write.url


@pytest.fixture(scope="module")
def local_worker(
    local_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WorkerLog]:
    log_path = tmp_path_factory.mktemp("registry-worker") / "worker.log"
    with running_worker(local_settings, log_path) as log:
        yield log


@pytest.fixture
def backdrop(local_settings: Settings) -> Any:
    """Run the `backdrop` command against the test database; returns its JSON output."""
    runner = CliRunner()
    env = {"DATABASE_URL": local_settings.database_url, "STAGECRAFT_URL": ""}

    def run(*args: str, exit_code: int = 0) -> Any:
        result = runner.invoke(main, list(args), env=env)
        assert result.exit_code == exit_code, result.output
        return json.loads(result.stdout) if exit_code == 0 else result.output

    return run


def test_a_transform_made_with_the_cli_runs_on_writes(
    http: requests.Session,
    apps: tuple[str, str],
    local_worker: WorkerLog,
    backdrop: Any,
    storage: Storage,
    data_set_name: str,
) -> None:
    read_url, write_url = apps
    source = backdrop(
        "data-set", "create", data_set_name, "--data-group", data_set_name, "--data-type", "events"
    )
    example = rate_transform(data_set_name, "events")
    created = backdrop(
        "transform", "create",
        "--function", RATE,
        "--input-group", data_set_name,
        "--input-type", "events",
        "--query-parameters", json.dumps(example["query-parameters"]),
        "--options", json.dumps(example["options"]),
        "--output-type", "completion-rate",
    )  # fmt: skip
    assert {key: created[key] for key in ("type", "input", "output", "query-parameters")} == {
        "type": {"id": RATE, "function": RATE},
        "input": {"data-group": data_set_name, "data-type": "events"},
        "output": {"data-type": "completion-rate"},
        "query-parameters": example["query-parameters"],
    }
    assert created in backdrop("transform", "list")

    post_events(http, write_url, data_set_name, "events", source["bearer_token"])

    assert_rates(wait_for_rates(http, read_url, data_set_name))
    output = LocalRegistry(storage).by_name(f"{data_set_name}_completion_rate")
    assert output is not None
    assert (output.data_group, output.data_type, output.raw_queries_allowed) == (
        data_set_name,
        "completion-rate",
        True,
    )
    assert output.bearer_token_sha256 is not None  # a fresh token of its own

    assert backdrop("transform", "delete", created["id"])["status"] == "ok"
    assert created not in backdrop("transform", "list")


def test_the_cli_refuses_an_unknown_transform_function(backdrop: Any) -> None:
    message = backdrop(
        "transform", "create", "--function", "os.system", "--input-type", "a", "--output-type", "b",
        exit_code=2,
    )  # fmt: skip
    assert "unknown transform" in message
    assert "No transform with id" in backdrop("transform", "delete", "nope", exit_code=1)
