"""Steps every feature shares: data sets in Stagecraft, HTTP requests, response checks."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from behave import given, then, when

from tests.support.bodies import spec_body
from tests.support.fixture_files import fixture_text
from tests.support.stagecraft import stagecraft_config


def _unique(context: Any, name: str) -> str:
    """Scenario data lives in data sets named per run, so scenarios never see each other's data."""
    return f"{name}_{uuid.uuid4().hex[:10]}"


def actual_name(context: Any, alias: str) -> str:
    """The per-run name behind a data set name written in a feature (made up when unknown)."""
    names: dict[str, str] | None = getattr(context, "names", None)
    if names is None:
        names = context.names = {}
    config = getattr(context, "config_of", {}).get(alias)
    if config is not None:
        return str(config["name"])
    return names.setdefault(alias, _unique(context, alias))


def with_actual_names(context: Any, text: str) -> str:
    """`text` with every data set name of the scenario replaced by its per-run name."""
    aliases = {*getattr(context, "config_of", {}), *(getattr(context, "names", None) or {})}
    for alias in sorted(aliases, key=len, reverse=True):
        pattern = rf"(?<![A-Za-z0-9_-]){re.escape(alias)}(?![A-Za-z0-9_-])"
        text = re.sub(pattern, actual_name(context, alias), text)
    return text


@given('a data set "{name}" in group "{group}" of type "{data_type}"')
def data_set_routed(context: Any, name: str, group: str, data_type: str) -> None:
    settings = json.loads(context.text) if context.text else {}
    config = stagecraft_config(_unique(context, name), data_group=group, data_type=data_type)
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
    """The spec's body exactly; fields added next to it (`version`, `detail`) are not compared."""
    assert spec_body(context.response.json()) == json.loads(body), context.response.text


@then("the response has {count:d} results")
def result_count(context: Any, count: int) -> None:
    data = context.response.json()["data"]
    assert len(data) == count, (len(data), data)


@then('the response message is "{message}"')
def response_message(context: Any, message: str) -> None:
    body = context.response.json()
    assert body.get("message") == with_actual_names(context, message), body


@then('the response message starts with "{prefix}"')
def response_message_prefix(context: Any, prefix: str) -> None:
    message = context.response.json().get("message", "")
    assert message.startswith(prefix), message


@then('the response header "{header}" is "{value}"')
def response_header(context: Any, header: str, value: str) -> None:
    assert context.response.headers.get(header) == value, dict(context.response.headers)


@then('the response has no "{header}" header')
def response_without_header(context: Any, header: str) -> None:
    assert header not in context.response.headers, dict(context.response.headers)


@then('the response field "{field}" is "{value}"')
def response_field(context: Any, field: str, value: str) -> None:
    body = context.response.json()
    assert body.get(field) == value, body
