"""Steps for read-API features: data written through the write app as a client would, queries
through the read app, and checks of results and headers."""

from __future__ import annotations

import json
from typing import Any

from behave import given, then, when

from tests.support.bodies import spec_body
from tests.support.fixture_files import fixture_records
from tests.support.http_data_set import HttpDataSet


def _data_set(context: Any) -> HttpDataSet:
    return HttpDataSet(context.data_set, context.http, context.read_url, context.write_url)


def _results(context: Any) -> list[Any]:
    assert context.response.status_code == 200, (
        context.response.status_code,
        context.response.text,
    )
    data: list[Any] = context.response.json()["data"]
    return data


def _without_updated_at(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_updated_at(v) for k, v in value.items() if k != "_updated_at"}
    if isinstance(value, list):
        return [_without_updated_at(item) for item in value]
    return value


@given('"{fixture}" is in the data set')
def fixture_is_in_the_data_set(context: Any, fixture: str) -> None:
    response = _data_set(context).post(fixture_records(fixture))
    assert response.status_code == 200, (response.status_code, response.text)


@when('I query the data set with "{query}"')
def query_the_data_set(context: Any, query: str) -> None:
    context.response = _data_set(context).get(query)


@when('I query the data set by its name with "{query}"')
def query_the_data_set_by_name(context: Any, query: str) -> None:
    context.response = _data_set(context).get(query, legacy=True)


@when("I query the data set by its name without parameters")
def query_the_data_set_by_name_plainly(context: Any) -> None:
    context.response = _data_set(context).get(legacy=True)


@when("I send the same request with its ETag")
def same_request_with_etag(context: Any) -> None:
    previous = context.response
    context.response = context.http.get(
        previous.request.url, headers={"If-None-Match": previous.headers["ETag"]}
    )


@when("I send a preflight request to the data set")
def preflight(context: Any) -> None:
    data_set = _data_set(context)
    context.response = context.http.options(
        f"{data_set.read_url}{data_set.path}",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "GET"},
    )


@then("the results are")
def results_are(context: Any) -> None:
    assert _without_updated_at(_results(context)) == json.loads(context.text), context.response.text


@then("result {index:d} is")
def result_is(context: Any, index: int) -> None:
    results = _results(context)
    assert _without_updated_at(results[index - 1]) == json.loads(context.text), results


@then('result {index:d} has "{key}" equal to {value}')
def result_has(context: Any, index: int, key: str, value: str) -> None:
    result = _results(context)[index - 1]
    assert result[key] == json.loads(value), result


@then("the counts of result {index:d} are {counts}")
def counts_of_result(context: Any, index: int, counts: str) -> None:
    result = _results(context)[index - 1]
    assert [value["_count"] for value in result["values"]] == json.loads(counts), result


@then("the counts are {counts}")
def counts_are(context: Any, counts: str) -> None:
    assert [row["_count"] for row in _results(context)] == json.loads(counts)


@then("the periods start on {starts}")
def periods_start_on(context: Any, starts: str) -> None:
    expected = [f"{day}T00:00:00+00:00" for day in json.loads(starts)]
    assert [row["_start_at"] for row in _results(context)] == expected


@then('the error message is "{message}"')
def error_message(context: Any, message: str) -> None:
    body = spec_body(context.response.json())
    assert body == {"status": "error", "message": message}, context.response.text


@then('the response warns "{warning}"')
def response_warns(context: Any, warning: str) -> None:
    assert context.response.json()["warning"] == warning


@then("the response has an empty body")
def body_is_empty(context: Any) -> None:
    assert context.response.content == b""
