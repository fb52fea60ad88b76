"""Steps every feature shares: data sets in Stagecraft, HTTP requests, response checks."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from behave import given, then, when

from tests.support.stagecraft import data_set_config

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def _unique(context: Any, name: str) -> str:
    """Scenario data lives in data sets named per run, so scenarios never see each other's data."""
    return f"{name}_{uuid.uuid4().hex[:10]}"


@given('a data set "{name}" in group "{group}" of type "{data_type}"')
def data_set_routed(context: Any, name: str, group: str, data_type: str) -> None:
    settings = json.loads(context.text) if context.text else {}
    config = data_set_config(_unique(context, name), data_group=group, data_type=data_type)
    config.update(settings)
    context.stagecraft.put(config)
    context.config_of = getattr(context, "config_of", {})
    context.config_of[name] = config
    context.data_set = config


@when('I POST "{fixture}" to "{path}" with the data set\'s token')
def post_fixture(context: Any, fixture: str, path: str) -> None:
    context.response = context.http.post(
        context.write_url + path,
        data=fixture_text(fixture).encode("utf-8"),
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {context.data_set['bearer_token']}",
        },
    )


@when('I GET "{path}"')
def get_path(context: Any, path: str) -> None:
    context.response = context.http.get(context.read_url + path)


@then("the response status is {status:d}")
def response_status(context: Any, status: int) -> None:
    assert context.response.status_code == status, (
        context.response.status_code,
        context.response.text,
    )


@then("the response body is {body}")
def response_body(context: Any, body: str) -> None:
    assert context.response.json() == json.loads(body), context.response.text


@then("the response has {count:d} results")
def result_count(context: Any, count: int) -> None:
    data = context.response.json()["data"]
    assert len(data) == count, (len(data), data)
