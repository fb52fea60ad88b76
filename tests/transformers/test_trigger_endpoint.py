"""Which writes queue transforms, the manual trigger's answers, and the message on the wire
(spec 1.2, 6.1): the write app on a real Redis with no worker, so the queue can be read."""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import redis
import requests
from flask import Flask

from backdrop.core.config import Settings
from backdrop.core.query_parser import parse_query
from backdrop.core.storage.base import Storage
from backdrop.transformers.publish import TransformPublisher
from backdrop.write.app import create_app as create_write_app
from backdrop.write.triggers import EXTENSION
from tests.support.bodies import spec_body
from tests.support.processes import free_port
from tests.support.servers import LiveServer
from tests.support.stagecraft import RegisterDataSet
from tests.support.worker import redis_url, with_broker
from tests.transformers.redis_queue import messages

REDIS_DB = 14
# Shared with every other test process: one module at a time uses these (tests/conftest.py).
pytestmark = pytest.mark.shares_brokers(f"redis/{REDIS_DB}")


@pytest.fixture(scope="module")
def broker_settings(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return with_broker(settings, redis_url(REDIS_DB), tmp_path_factory)


@pytest.fixture
def data_set_config(register_data_set: RegisterDataSet, data_set_name: str) -> dict[str, Any]:
    return register_data_set(data_set_name, schema=None, raw_queries_allowed=True)


def auth(config: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {config['bearer_token']}"}


Trigger = Callable[..., requests.Response]


@pytest.fixture
def trigger(
    http: requests.Session, broker_write_url: str, data_set_config: dict[str, Any]
) -> Trigger:
    """POST `body` as JSON (or as `content_type`) to the data set's manual trigger, with its
    token."""
    name = data_set_config["name"]

    def send(body: Any, content_type: str = "application/json") -> requests.Response:
        return http.post(
            f"{broker_write_url}/data/{name}/{name}/transform",
            data=json.dumps(body),
            headers={**auth(data_set_config), "Content-Type": content_type},
        )

    return send


def test_a_post_queues_entrypoint_with_the_bounds_of_its_timestamps(
    http: requests.Session,
    broker_write_url: str,
    queue: redis.Redis,
    data_set_config: dict[str, Any],
) -> None:
    name = data_set_config["name"]
    records = [
        {"_timestamp": "2014-01-02T00:00:00+01:00", "value": 1},
        {"_timestamp": "2013-12-31T23:00:00Z", "value": 2},
        {"value": 3},  # no timestamp: stored, not part of the bounds (spec 10 #1)
        {"_timestamp": "2014-01-05T12:30:00.250000Z", "value": 4},
    ]
    response = http.post(
        f"{broker_write_url}/data/{name}/{name}", json=records, headers=auth(data_set_config)
    )
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert messages(queue, name) == [
        {
            "task": "backdrop.transformers.dispatch.entrypoint",
            "args": [name, "2013-12-31T23:00:00Z", "2014-01-05T12:30:00.250000Z"],
            "kwargs": {},
            "content_type": "application/json",
            "lang": "py",
            "routing_key": "celery",
        }
    ]


def test_writes_that_queue_no_transforms(
    http: requests.Session,
    broker_write_url: str,
    queue: redis.Redis,
    data_set_config: dict[str, Any],
) -> None:
    name, headers = data_set_config["name"], auth(data_set_config)
    answers = [
        http.post(f"{broker_write_url}/data/{name}/{name}", json=[], headers=headers),
        http.post(f"{broker_write_url}/data/{name}/{name}", json=[{"value": 1}], headers=headers),
        http.post(
            f"{broker_write_url}/{name}",
            json=[{"_timestamp": "2014-01-01T00:00:00Z"}],
            headers=headers,
        ),
        http.post(
            f"{broker_write_url}/data/{name}/{name}",
            json=[{"_id": "a", "_timestamp": "2014-01-01T00:00:00Z"}],
            headers=headers,
        ),
        http.patch(f"{broker_write_url}/data/{name}/{name}/a", json={"value": 2}, headers=headers),
        http.delete(f"{broker_write_url}/data/{name}/{name}/a", headers=headers),
        http.put(f"{broker_write_url}/data/{name}/{name}", json=[], headers=headers),
    ]
    assert [answer.status_code for answer in answers] == [200] * len(answers)
    assert len(messages(queue, name)) == 1  # the 4th write only


def test_the_manual_trigger_queues_entrypoint_for_the_range(
    trigger: Trigger, queue: redis.Redis, data_set_config: dict[str, Any]
) -> None:
    name = data_set_config["name"]
    response = trigger(
        {"_start_at": "2012-01-01T00:00:00Z", "_end_at": "2015-03-20T01:00:00+01:00"}
    )
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert response.headers["Cache-Control"] == "no-cache"
    (message,) = messages(queue, name)
    assert message["task"] == "backdrop.transformers.dispatch.entrypoint"
    assert message["args"] == [name, "2012-01-01T00:00:00Z", "2015-03-20T00:00:00Z"]


def test_the_manual_trigger_ends_now_by_default(
    trigger: Trigger, queue: redis.Redis, data_set_config: dict[str, Any]
) -> None:
    name = data_set_config["name"]
    before = datetime.now(UTC).replace(microsecond=0)
    response = trigger({"_start_at": "2014-01-01"})
    after = datetime.now(UTC)
    assert response.status_code == 200
    (message,) = messages(queue, name)
    assert message["args"][1] == "2014-01-01T00:00:00Z"
    end = datetime.fromisoformat(message["args"][2])
    assert before <= end <= after
    assert end.microsecond == 0


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (
            {"_end_at": "2015-03-20T00:00:00Z"},
            "application/json",
            "You must specify a _start_at timestamp",
        ),
        (
            [{"_start_at": "2012-01-01T00:00:00Z"}],
            "application/json",
            "You must specify a _start_at timestamp",
        ),
        ({"_start_at": "not a date"}, "application/json", "_start_at is not a valid datetime"),
        (
            {"_start_at": "2014-02-30T00:00:00Z"},
            "application/json",
            "_start_at is not a valid datetime",
        ),
        ({"_start_at": 20140101}, "application/json", "_start_at is not a valid datetime"),
        (
            {"_start_at": "2014-01-01T00:00:00Z", "_end_at": "soon"},
            "application/json",
            "_end_at is not a valid datetime",
        ),
        (
            {"_start_at": "2014-01-01T00:00:00Z"},
            "text/plain",
            "ValidationError('Expected header: Content-type: application/json',)",
        ),
    ],
)
def test_the_manual_trigger_refuses_bad_requests(
    trigger: Trigger,
    queue: redis.Redis,
    data_set_config: dict[str, Any],
    body: Any,
    content_type: str,
    message: str,
) -> None:
    response = trigger(body, content_type)
    body = spec_body(response.json())
    assert (response.status_code, body) == (400, {"status": "error", "message": message})
    assert messages(queue, data_set_config["name"]) == []


def test_the_manual_trigger_needs_the_data_sets_token(
    http: requests.Session,
    broker_write_url: str,
    queue: redis.Redis,
    data_set_config: dict[str, Any],
) -> None:
    name, url = (
        data_set_config["name"],
        f"{broker_write_url}/data/{data_set_config['name']}/{data_set_config['name']}/transform",
    )
    body = {"_start_at": "2014-01-01T00:00:00Z"}
    missing = http.post(url, json=body)
    wrong = http.post(url, json=body, headers={"Authorization": "Bearer nope"})
    unknown = http.post(
        f"{broker_write_url}/data/no-such/{name}/transform",
        json=body,
        headers=auth(data_set_config),
    )
    empty = http.post(
        url, data=b"", headers={**auth(data_set_config), "Content-Type": "application/json"}
    )
    assert (missing.status_code, missing.json()["message"]) == (
        401,
        "Expected header of form: Authorization: Bearer <token>",
    )
    assert (wrong.status_code, wrong.json()["message"]) == (
        401,
        f"Unauthorized: Invalid bearer token 'nope' for '{name}'",
    )
    assert wrong.headers["WWW-Authenticate"] == "bearer"
    assert (unknown.status_code, unknown.json()["message"]) == (
        404,
        "Could not find data_set_config",
    )
    assert (empty.status_code, empty.json()["message"]) == (
        400,
        "Expected JSON request body but received zero bytes.",
    )
    assert messages(queue, name) == []


@pytest.fixture
def down_app(settings: Settings, storage: Storage) -> Iterator[tuple[Flask, str]]:
    """A write app whose broker is a Redis port nobody listens on."""
    down = dataclasses.replace(settings, broker_url=f"redis://127.0.0.1:{free_port()}/0")
    app = create_write_app(down, storage=storage)
    with LiveServer(app) as server:
        yield app, server.url


@pytest.mark.usefixtures("empty_outbox_around")
def test_a_broker_that_is_down_fails_no_write_and_is_counted(
    http: requests.Session,
    down_app: tuple[Flask, str],
    data_set_config: dict[str, Any],
    storage: Storage,
) -> None:
    app, url = down_app
    name = data_set_config["name"]
    publisher: TransformPublisher = app.extensions[EXTENSION]
    started = time.monotonic()
    write = http.post(
        f"{url}/data/{name}/{name}",
        json=[{"_timestamp": "2014-01-01T00:00:00Z", "_id": "x"}],
        headers=auth(data_set_config),
    )
    trigger = http.post(
        f"{url}/data/{name}/{name}/transform",
        json={"_start_at": "2014-01-01T00:00:00Z"},
        headers=auth(data_set_config),
    )
    elapsed = time.monotonic() - started
    assert (write.status_code, write.json()) == (200, {"status": "ok"})
    assert (trigger.status_code, trigger.json()) == (200, {"status": "ok"})
    assert elapsed < 5  # one quick connection attempt each, no retry loop
    assert (publisher.published, publisher.failed, publisher.kept) == (0, 2, 2)
    assert storage.count_dispatches() == 2  # both wait in the outbox
    assert http.get(f"{url}/_status").status_code == 200
    (record,) = storage.find(name, parse_query({}, raw_queries_allowed=True))
    assert record["_id"] == "x"
