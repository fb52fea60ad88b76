"""What Backdrop asks Stagecraft, and how it copes when Stagecraft changes or fails (spec 4.2).

Requests go to the Stagecraft stand-in over real HTTP; the stand-in records what it received.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any

import pytest
import requests

from backdrop.core.config import Settings
from backdrop.core.storage.base import Storage
from backdrop.read.app import create_app as create_read_app
from backdrop.write.app import create_app as create_write_app
from tests.support.bodies import spec_body
from tests.support.processes import free_port
from tests.support.servers import LiveServer
from tests.support.stagecraft import RegisterDataSet, StagecraftState
from tests.support.tokens import SIGNON_TOKEN

RECORD = {"_timestamp": "2014-01-01T00:00:00Z", "value": 1}


def auth(name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {name}-bearer-token"}


def post_record(
    http: requests.Session, write_url: str, name: str, headers: Mapping[str, str] | None = None
) -> requests.Response:
    """POST RECORD to the data set as its client does: with its token, unless `headers` carry
    another, and any other headers given."""
    return http.post(
        f"{write_url}/data/{name}/{name}", json=RECORD, headers={**auth(name), **(headers or {})}
    )


def query(http: requests.Session, read_url: str, name: str) -> requests.Response:
    """A grouped read of the data set."""
    return http.get(f"{read_url}/data/{name}/{name}", params={"group_by": "value"})


def asked(stagecraft: StagecraftState) -> list[dict[str, Any]]:
    """The requests the stand-in received since the test cleared them."""
    with stagecraft.lock:
        return list(stagecraft.requests)


@pytest.fixture
def cleared_stagecraft(stagecraft: StagecraftState) -> StagecraftState:
    """The stand-in with its request log cleared."""
    with stagecraft.lock:
        stagecraft.requests.clear()
    return stagecraft


# -- the requests themselves -----------------------------------------------------------------


def test_a_write_looks_the_data_set_up_by_group_and_type(
    http: requests.Session,
    write_url: str,
    data_set_name: str,
    register_data_set: RegisterDataSet,
    cleared_stagecraft: StagecraftState,
) -> None:
    register_data_set(
        data_set_name, data_group=f"{data_set_name}-group", data_type=f"{data_set_name}-type"
    )
    response = http.post(
        f"{write_url}/data/{data_set_name}-group/{data_set_name}-type",
        json=RECORD,
        headers={**auth(data_set_name), "GOVUK-Request-Id": "req-123"},
    )
    assert response.status_code == 200
    [request] = asked(cleared_stagecraft)
    assert request["method"] == "GET"
    assert request["path"] == "/data-sets"
    assert request["args"] == {
        "data-group": [f"{data_set_name}-group"],
        "data-type": [f"{data_set_name}-type"],
    }
    headers = request["headers"]
    assert headers["Authorization"] == f"Bearer {SIGNON_TOKEN}"
    assert headers["Accept"] == "application/json"
    assert headers["User-Agent"].startswith("Performance Platform Client ")
    assert headers["Request-Id"] == "req-123"


def test_reads_use_the_list_or_the_named_lookup(
    http: requests.Session,
    read_url: str,
    data_set_name: str,
    register_data_set: RegisterDataSet,
    cleared_stagecraft: StagecraftState,
) -> None:
    register_data_set(data_set_name, data_group="grp", data_type=data_set_name)
    assert http.get(f"{read_url}/data/grp/{data_set_name}", params={"group_by": "value"}).ok
    assert http.get(f"{read_url}/{data_set_name}", params={"group_by": "value"}).ok
    first, second = asked(cleared_stagecraft)
    assert (first["path"], first["args"]) == (
        "/data-sets",
        {"data-group": ["grp"], "data-type": [data_set_name]},
    )
    assert (second["path"], second["args"]) == (f"/data-sets/{data_set_name}", {})
    for request in (first, second):
        assert request["headers"]["Authorization"] == f"Bearer {SIGNON_TOKEN}"
        assert request["headers"]["Accept"] == "application/json"


def test_the_deprecated_write_by_name_uses_the_named_lookup(
    http: requests.Session,
    write_url: str,
    registered_data_set: str,
    cleared_stagecraft: StagecraftState,
) -> None:
    assert http.post(
        f"{write_url}/{registered_data_set}", json=RECORD, headers=auth(registered_data_set)
    ).ok
    assert [request["path"] for request in asked(cleared_stagecraft)] == [
        f"/data-sets/{registered_data_set}"
    ]


def test_the_status_page_lists_every_data_set(
    http: requests.Session, read_url: str, cleared_stagecraft: StagecraftState
) -> None:
    assert http.get(f"{read_url}/_status/data-sets").ok
    [request] = asked(cleared_stagecraft)
    assert (request["path"], request["args"]) == ("/data-sets", {})


def test_the_request_id_header_is_forwarded_under_either_name(
    http: requests.Session,
    write_url: str,
    registered_data_set: str,
    cleared_stagecraft: StagecraftState,
) -> None:
    sent = post_record(http, write_url, registered_data_set, {"Request-Id": "plain-id"})
    assert sent.headers["GOVUK-Request-Id"] == "plain-id"
    assert [r["headers"]["Request-Id"] for r in asked(cleared_stagecraft)] == ["plain-id"]


def test_without_a_request_id_a_new_one_is_made_and_forwarded(
    http: requests.Session,
    write_url: str,
    registered_data_set: str,
    cleared_stagecraft: StagecraftState,
) -> None:
    first = post_record(http, write_url, registered_data_set)
    second = post_record(http, write_url, registered_data_set)
    ids = [r["headers"]["Request-Id"] for r in asked(cleared_stagecraft)]
    assert ids == [first.headers["GOVUK-Request-Id"], second.headers["GOVUK-Request-Id"]]
    assert ids[0] and ids[1] and ids[0] != ids[1]


# -- no cache: changes in Stagecraft count from the next request -----------------------------


def test_a_data_set_removed_from_stagecraft_is_gone_at_once(
    http: requests.Session,
    read_url: str,
    write_url: str,
    registered_data_set: str,
    stagecraft: StagecraftState,
) -> None:
    assert post_record(http, write_url, registered_data_set).ok
    assert query(http, read_url, registered_data_set).ok
    stagecraft.remove(registered_data_set)
    read = query(http, read_url, registered_data_set)
    assert read.status_code == 404
    assert spec_body(read.json()) == {"status": "error", "message": "data_set not found"}
    write = post_record(http, write_url, registered_data_set)
    assert write.status_code == 404
    assert spec_body(write.json()) == {
        "status": "error",
        "message": "Could not find data_set_config",
    }


def test_a_new_token_counts_on_the_next_request(
    http: requests.Session, write_url: str, data_set_name: str, register_data_set: RegisterDataSet
) -> None:
    register_data_set(data_set_name)
    assert post_record(http, write_url, data_set_name).ok
    register_data_set(data_set_name, bearer_token="rotated-token")
    old = post_record(http, write_url, data_set_name)
    assert old.status_code == 401
    assert old.json()["message"] == (
        f"Unauthorized: Invalid bearer token '{data_set_name}-bearer-token' for '{data_set_name}'"
    )
    new = post_record(http, write_url, data_set_name, {"Authorization": "Bearer rotated-token"})
    assert new.status_code == 200


def test_a_changed_setting_counts_on_the_next_request(
    http: requests.Session, read_url: str, data_set_name: str, register_data_set: RegisterDataSet
) -> None:
    register_data_set(data_set_name, raw_queries_allowed=True)
    url = f"{read_url}/data/{data_set_name}/{data_set_name}"
    assert http.get(url).status_code == 200
    register_data_set(data_set_name, raw_queries_allowed=False)
    assert http.get(url).status_code == 400
    register_data_set(data_set_name, queryable=False)
    assert http.get(url, params={"group_by": "value"}).status_code == 404


def test_a_stagecraft_404_means_no_such_data_set(
    http: requests.Session, write_url: str, registered_data_set: str, stagecraft: StagecraftState
) -> None:
    stagecraft.failures.append(404)
    response = post_record(http, write_url, registered_data_set)
    assert response.status_code == 404
    assert spec_body(response.json()) == {
        "status": "error",
        "message": "Could not find data_set_config",
    }


# -- failures: retried, then a 503 naming Stagecraft -----------------------------------------


@pytest.mark.parametrize("failures", [[502], [503], [502, 503, 502]])
def test_bad_gateway_and_unavailable_are_retried(
    http: requests.Session,
    write_url: str,
    storage: Storage,
    registered_data_set: str,
    cleared_stagecraft: StagecraftState,
    failures: list[int],
) -> None:
    cleared_stagecraft.failures.extend(failures)
    response = post_record(http, write_url, registered_data_set)
    assert response.status_code == 200, response.text
    assert len(asked(cleared_stagecraft)) == len(failures) + 1
    assert storage.data_set_exists(registered_data_set)


@pytest.mark.parametrize("app", ["read", "write"])
def test_still_failing_after_five_tries_is_a_503_naming_stagecraft(
    http: requests.Session,
    read_url: str,
    write_url: str,
    registered_data_set: str,
    cleared_stagecraft: StagecraftState,
    app: str,
) -> None:
    cleared_stagecraft.failures.extend([503] * 5)
    if app == "read":
        response = query(http, read_url, registered_data_set)
    else:
        response = post_record(http, write_url, registered_data_set)
    assert response.status_code == 503
    assert spec_body(response.json()) == {"status": "error", "message": "Stagecraft answered 503"}
    assert len(asked(cleared_stagecraft)) == 5


def test_other_stagecraft_errors_are_not_retried(
    http: requests.Session,
    write_url: str,
    registered_data_set: str,
    cleared_stagecraft: StagecraftState,
) -> None:
    cleared_stagecraft.failures.append(500)
    response = post_record(http, write_url, registered_data_set)
    assert response.status_code == 503
    assert spec_body(response.json()) == {"status": "error", "message": "Stagecraft answered 500"}
    assert len(asked(cleared_stagecraft)) == 1


@pytest.fixture(scope="module")
def unreachable_urls(settings: Settings, storage: Storage) -> Iterator[tuple[str, str]]:
    """Read and write apps whose Stagecraft URL is a port nobody listens on."""
    closed = replace(settings, stagecraft_url=f"http://127.0.0.1:{free_port()}")
    with (
        LiveServer(create_read_app(closed, storage=storage)) as read,
        LiveServer(create_write_app(closed, storage=storage)) as write,
    ):
        yield read.url, write.url


def test_stagecraft_unreachable_is_503(
    http: requests.Session, unreachable_urls: tuple[str, str]
) -> None:
    read_url, write_url = unreachable_urls
    unavailable = {"status": "error", "message": "Stagecraft is unavailable"}
    write = http.post(f"{write_url}/data/a/b", json=RECORD, headers=auth("a"))
    assert write.status_code == 503
    assert write.json() == unavailable
    read = http.get(f"{read_url}/data/a/b")
    assert read.status_code == 503
    assert read.json() == unavailable
    assert read.headers["Access-Control-Allow-Origin"] == "*"
    status = http.get(f"{read_url}/_status/data-sets")
    assert status.status_code == 503
    assert http.get(f"{read_url}/_status").status_code == 200  # liveness needs no Stagecraft
