"""Errors that help (issue 10): every spec `message` stays exactly as it was, and a `detail`
next to it says what exactly was wrong and how to fix it. No Python reprs, no tokens."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable

import pytest
import requests

from tests.support.http_data_set import HttpDataSet, unique_name

PARAMETERS = (
    "collect, duration, end_at, filter_by, filter_by_prefix, flatten, format, group_by, "
    "inclusive, limit, period, sort_by, start_at"
)


@pytest.fixture(scope="module")
def restricted(new_data_set: Callable[..., HttpDataSet]) -> HttpDataSet:
    return new_data_set(records=[{"_timestamp": "2014-01-06T00:00:00Z", "nn": 1}])


def error_of(response: requests.Response, status: int = 400) -> dict[str, str]:
    assert response.status_code == status, response.text
    body: dict[str, str] = response.json()
    return body


@pytest.mark.parametrize(
    ("query", "message", "detail"),
    [
        (
            "group_by=aa&colour=red",
            "An unrecognised parameter was provided",
            f'Unknown parameter "colour"; the parameters are {PARAMETERS}',
        ),
        (
            "group_by=aa&collect=nn:total",
            "Unknown collection method",
            '"total" in collect=nn:total is not a collection method: use one of sum, count, '
            "set, mean, or the field alone (collect=FIELD gathers its values)",
        ),
        (
            "period=weak",
            "Either 'duration' or both 'start_at' and 'end_at' are required for a period query",
            "Add duration=N (the last N periods, or N from start_at or back from end_at), or "
            'both start_at and end_at; and "weak" is not a period: use one of hour, day, week, '
            "month, quarter, year",
        ),
        (
            "period=weak&duration=2",
            "'period' must be one of ['hour', 'day', 'week', 'month', 'quarter', 'year']",
            '"weak" is not a period',
        ),
        (
            "group_by=aa&filter_by=a-b:c",
            "Cannot filter by an invalid field name",
            '"a-b": field names start with a letter or _ and hold only letters, digits and _ '
            "(at least two characters)",
        ),
        (
            "period=week&start_at=2014-01-07T00:00:00Z&end_at=2014-01-20T00:00:00Z",
            "start_at must be a monday",
            "2014-01-07 is a Tuesday: weeks start on Mondays (a rule for data sets that do not "
            "allow raw queries)",
        ),
    ],
)
def test_query_errors_keep_the_message_and_add_a_detail(
    restricted: HttpDataSet, query: str, message: str, detail: str
) -> None:
    body = error_of(restricted.get(query))
    assert body == {"status": "error", "message": message, "detail": detail}


def test_raw_queries_say_how_to_allow_them(restricted: HttpDataSet) -> None:
    body = error_of(restricted.get("filter_by=aa:b"))
    assert body["message"] == "querying for raw data is not allowed"
    assert body["detail"] == (
        "This data set answers grouped queries only: add group_by=FIELD or period=week (with a "
        f"range). To allow raw queries, run `backdrop data-set update {restricted.name} "
        "--raw-queries-allowed` (built-in registry) or set raw_queries_allowed in Stagecraft."
    )


def test_a_missing_data_set_is_named(http: requests.Session, read_url: str, write_url: str) -> None:
    name = unique_name("missing")
    read = error_of(http.get(f"{read_url}/data/{name}/things"), 404)
    assert read == {
        "status": "error",
        "message": "data_set not found",
        "detail": f'No queryable data set is registered under data group "{name}" and data '
        'type "things"',
    }
    legacy = error_of(http.get(f"{read_url}/{name}"), 404)
    assert legacy["detail"] == f'No queryable data set is registered under the name "{name}"'
    write = error_of(http.post(f"{write_url}/data/{name}/things", json=[]), 404)
    assert write == {
        "status": "error",
        "message": "Could not find data_set_config",
        "detail": f'No data set is registered under data group "{name}" and data type "things"',
    }


@pytest.fixture
def writable(new_data_set: Callable[..., HttpDataSet]) -> HttpDataSet:
    return new_data_set()


@pytest.mark.parametrize("header", ["Token abc", "bearer abc", "Bearer", "Bearer "])
def test_an_authorization_header_that_is_not_bearer_says_so(
    writable: HttpDataSet, header: str
) -> None:
    response = writable.http.post(
        f"{writable.write_url}{writable.path}", json=[], headers={"Authorization": header}
    )
    body = error_of(response, 401)
    assert body == {
        "status": "error",
        "message": f"Unauthorized: Invalid bearer token 'None' for '{writable.name}'",
        "detail": "The Authorization header must read `Bearer <token>`: the word Bearer, one "
        "space, then the data set's token",
    }


def test_a_wrong_token_says_tokens_are_per_data_set(writable: HttpDataSet) -> None:
    response = writable.http.post(
        f"{writable.write_url}{writable.path}",
        json=[],
        headers={"Authorization": "Bearer not-the-token"},
    )
    body = error_of(response, 401)
    assert body["detail"].startswith("This is not the data set's bearer token")
    assert "not-the-token" not in body["detail"]


def _post(data_set: HttpDataSet, body: bytes, headers: dict[str, str]) -> requests.Response:
    auth = {"Authorization": f"Bearer {data_set.config['bearer_token']}"}
    return data_set.http.post(
        f"{data_set.write_url}{data_set.path}", data=body, headers={**auth, **headers}
    )


def test_a_gzip_body_without_content_encoding_says_so(writable: HttpDataSet) -> None:
    packed = gzip.compress(json.dumps([{"_timestamp": "2014-01-06T00:00:00Z"}]).encode())
    body = error_of(_post(writable, packed, {"Content-Type": "application/json"}))
    assert body["message"].startswith('Error parsing JSON: "')
    assert body["detail"] == (
        "The body looks gzip-compressed but the request has no `Content-Encoding: gzip` "
        "header: add the header, or send the JSON uncompressed"
    )
    encoded = _post(
        writable, packed, {"Content-Type": "application/json", "Content-Encoding": "gzip"}
    )
    assert encoded.status_code == 200


def test_a_body_that_is_not_json_keeps_the_spec_repr_and_explains_it(
    writable: HttpDataSet,
) -> None:
    body = error_of(_post(writable, b"[]", {"Content-Type": "text/plain"}))
    assert body == {
        "messages": ["ValidationError('Expected header: Content-type: application/json',)"],
        "detail": "Send the body as JSON with the header `Content-Type: application/json` "
        '(this request said "text/plain")',
    }
    put = writable.http.put(
        f"{writable.write_url}{writable.path}",
        data=b"[]",
        headers={"Authorization": f"Bearer {writable.config['bearer_token']}"},
    )
    assert error_of(put)["detail"] == (
        "Send the body as JSON with the header `Content-Type: application/json` "
        '(this request said "no Content-Type")'
    )


def test_routing_errors_have_one_shape_on_both_apps(
    http: requests.Session, read_url: str, write_url: str
) -> None:
    read = error_of(http.get(f"{read_url}/no/such/route"), 404)
    write = error_of(http.get(f"{write_url}/no/such/route"), 404)
    assert read == {
        "status": "error",
        "message": "Not Found",
        "detail": "No route matches /no/such/route; this app's routes are described at /docs",
    }
    assert write == {
        "status": "error",
        "message": "The requested URL was not found on the server.  If you entered the URL "
        "manually please check your spelling and try again.",
        "detail": "No route matches /no/such/route; this app's routes are described at /docs",
    }
    read_405 = error_of(http.post(f"{read_url}/_status"), 405)
    write_405 = error_of(http.delete(f"{write_url}/_status"), 405)
    assert read_405 == {
        "status": "error",
        "message": "Method Not Allowed",
        "detail": "POST is not allowed on /_status; allowed: GET, HEAD, OPTIONS",
    }
    assert write_405 == {
        "status": "error",
        "message": "The method is not allowed for the requested URL.",
        "detail": "DELETE is not allowed on /_status; allowed: GET, HEAD, OPTIONS",
    }


# -- every other detail a read query can get (table B.1 of the closing notes) ---------------------

FIELD_NAMES = (
    "field names start with a letter or _ and hold only letters, digits and _ "
    "(at least two characters)"
)
DATETIMES = (
    "use YYYY-MM-DDTHH:MM:SS followed by Z or an offset such as +01:00, "
    "e.g. 2014-01-06T00:00:00Z (write + as %2B in a URL)"
)
RESTRICTED = "(a rule for data sets that do not allow raw queries)"
WEEK = "start_at=2014-01-06T00:00:00Z&end_at=2014-01-20T00:00:00Z"


@pytest.mark.parametrize(
    ("query", "message", "detail"),
    [
        (
            "period=week",
            "Either 'duration' or both 'start_at' and 'end_at' are required for a period query",
            "Add duration=N (the last N periods, or N from start_at or back from end_at), or "
            "both start_at and end_at",
        ),
        (
            "group_by=aa&start_at=2014-13-01&end_at=2014-01-20T00:00:00Z",
            "start_at is not a valid datetime",
            f'"2014-13-01": {DATETIMES}',
        ),
        (
            "group_by=aa&start_at=2014-01-06T00:00:00Z&end_at=next%20week",
            "end_at is not a valid datetime",
            f'"next week": {DATETIMES}',
        ),
        (
            "group_by=aa&filter_by=authority",
            "filter_by must be a field name and value separated by a colon (:) "
            "eg. authority:Westminster",
            '"authority" has no colon',
        ),
        (
            "group_by=aa&filter_by_prefix=authority",
            "filter_by must be a field name and value separated by a colon (:) "
            "eg. authority:Westminster",
            '"authority" has no colon',
        ),
        (
            "group_by=aa&sort_by=count",
            "sort_by must be a field name and sort direction separated by a colon (:) "
            "eg. authority:ascending",
            '"count" has no colon',
        ),
        (
            "group_by=aa&sort_by=count:up",
            "Unrecognised sort direction. Supported directions include: ascending, descending",
            '"up" is not a direction',
        ),
        (
            "group_by=aa&sort_by=a-b:ascending",
            "Cannot sort by an invalid field name",
            f'"a-b": {FIELD_NAMES}',
        ),
        ("group_by=a-b", "Cannot group by an invalid field name", f'"a-b": {FIELD_NAMES}'),
        (
            "group_by=" + "x" * 300 + "-",
            "Cannot group by an invalid field name",
            f'"{"x" * 64}...": {FIELD_NAMES}',  # a long value is quoted cut short
        ),
        (
            "group_by=_id",
            "Cannot group by internal fields, internal fields start with an underscore",
            '"_id" is an internal field',
        ),
        ("group_by=aa&limit=-1", "limit must be a positive integer", '"-1" is not one'),
        ("period=week&duration=x", "duration must be a positive integer", '"x" is not one'),
        (
            "group_by=aa&duration=3",
            "If 'duration' is requested (for relative time), 'period' is required - please add "
            "a period (like 'day', 'month' etc)",
            "The periods are hour, day, week, month, quarter, year",
        ),
        (
            "group_by=aa&collect=a-b",
            "Cannot collect an invalid field name",
            f'"a-b": {FIELD_NAMES}',
        ),
        (
            "group_by=aa&collect=_id",
            "Cannot collect internal fields, internal fields start with an underscore",
            '"_id" is an internal field',
        ),
        (
            "group_by=aa&collect=aa:sum",
            "Cannot collect by a field that is used for group_by",
            '"aa" is in group_by',
        ),
        ("group_by=aa&flatten=yes", "flatten must be either 'true' or 'false'", '"yes" is neither'),
        (
            f"group_by=aa&inclusive=1&{WEEK}",
            "inclusive must be either 'true' or 'false'",
            '"1" is neither',
        ),
        (
            "period=day&start_at=2014-01-06T00:00:00Z&end_at=2014-01-12T12:00:00Z",
            "The minimum time span for a query is 7 days",
            f"start_at to end_at spans 6 days, 12:00:00 {RESTRICTED}",
        ),
        (
            "period=day&start_at=2014-01-06T12:00:00%2B01:00&end_at=2014-01-20T00:00:00Z",
            "start_at must be midnight",
            f"2014-01-06T11:00:00+00:00 is not, in UTC {RESTRICTED}",
        ),
        (
            "period=day&start_at=2014-01-06T00:00:00Z&end_at=2014-01-20T06:30:00Z",
            "end_at must be midnight",
            f"2014-01-20T06:30:00+00:00 is not, in UTC {RESTRICTED}",
        ),
        (
            "period=week&start_at=2014-01-06T00:00:00Z&end_at=2014-01-26T00:00:00Z",
            "end_at must be a monday",
            f"2014-01-26 is a Sunday: weeks start on Mondays {RESTRICTED}",
        ),
        (
            "period=month&start_at=2014-01-15T00:00:00Z&end_at=2014-03-01T00:00:00Z",
            "'start_at' must be the first of the month for period=month queries",
            f"2014-01-15 is not {RESTRICTED}",
        ),
        (
            "period=month&start_at=2014-01-01T00:00:00Z&end_at=2014-03-31T00:00:00Z",
            "'end_at' must be the first of the month for period=month queries",
            f"2014-03-31 is not {RESTRICTED}",
        ),
    ],
)
def test_every_query_detail_is_exact(
    restricted: HttpDataSet, query: str, message: str, detail: str
) -> None:
    body = error_of(restricted.get(query))
    assert body == {"status": "error", "message": message, "detail": detail}


# -- and on the write app -------------------------------------------------------------------------


def test_the_drop_route_says_which_token_it_takes(
    http: requests.Session, write_url: str, writable: HttpDataSet
) -> None:
    for headers in ({}, {"Authorization": f"Bearer {writable.config['bearer_token']}"}):
        response = http.delete(f"{write_url}/data-sets/{writable.name}", headers=headers)
        assert error_of(response, 401) == {
            "status": "error",
            "message": f'Unauthorized: invalid or no token given for "{writable.name}".',
            "detail": "Dropping a data set takes the write app's "
            "STAGECRAFT_COLLECTION_ENDPOINT_TOKEN as `Authorization: Bearer <token>`",
        }


def test_malformed_json_is_named_as_such(writable: HttpDataSet) -> None:
    body = error_of(_post(writable, b'[{"a": }]', {"Content-Type": "application/json"}))
    assert body["message"].startswith('Error parsing JSON: "')
    assert body["detail"] == "The body is not valid JSON"


def test_a_gzip_body_without_a_json_type_gets_both_hints(writable: HttpDataSet) -> None:
    packed = gzip.compress(b"[]")
    body = error_of(_post(writable, packed, {"Content-Type": "application/octet-stream"}))
    assert body == {
        "messages": ["ValidationError('Expected header: Content-type: application/json',)"],
        "detail": "Send the body as JSON with the header `Content-Type: application/json` "
        '(this request said "application/octet-stream"). The body looks gzip-compressed but '
        "the request has no `Content-Encoding: gzip` header: add the header, or send the JSON "
        "uncompressed",
    }


@pytest.mark.parametrize("method", ["PATCH", "POST /transform"])
def test_a_patch_or_trigger_that_is_not_json_says_so_in_the_request_shape(
    writable: HttpDataSet, method: str
) -> None:
    auth = {"Authorization": f"Bearer {writable.config['bearer_token']}"}
    if method == "PATCH":
        url, verb = f"{writable.write_url}{writable.path}/some_id", "PATCH"
    else:
        url, verb = f"{writable.write_url}{writable.path}/transform", "POST"
    response = writable.http.request(
        verb, url, data=b"{}", headers={**auth, "Content-Type": "text/csv"}
    )
    assert error_of(response) == {
        "status": "error",
        "message": "ValidationError('Expected header: Content-type: application/json',)",
        "detail": "Send the body as JSON with the header `Content-Type: application/json` "
        '(this request said "text/csv")',
    }
