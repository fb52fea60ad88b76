"""Request and audit logs (STYLE 12, spec 3.10, 8.2): one JSON line per request, tagged with the
request id; audit events carry a token fingerprint; no token and no record data in any line.

Lines are captured with the handler `configure_logging` builds (its JSON formatter and request-id
filter), writing to memory instead of stderr.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import logging
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from flask import Response, g, request

from backdrop.core.config import Settings
from backdrop.core.logs import configure_logging
from backdrop.core.storage.base import Storage
from backdrop.write.app import create_app as create_write_app
from tests.support.bodies import spec_body
from tests.support.servers import LiveServer
from tests.support.stagecraft import RegisterDataSet
from tests.support.tokens import ADMIN_TOKEN

TOKEN_MARKER = "SECRET-TOKEN-0f9e8d7c"
BODY_MARKER = "BODYMARKER4a5b6c"


class Logs:
    """The JSON lines logged while a test runs."""

    def __init__(self, stream: io.StringIO) -> None:
        self._stream = stream

    @property
    def text(self) -> str:
        return self._stream.getvalue()

    def lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.text.splitlines()]

    def of(self, logger: str) -> list[dict[str, Any]]:
        return [line for line in self.lines() if line.get("logger") == logger]

    def wait_for_server_lines(self, count: int, timeout: float = 5.0) -> None:
        """Werkzeug logs its access line after the response is sent: wait (bounded) for them."""
        deadline = time.monotonic() + timeout
        while len(self.of("werkzeug")) < count:
            assert time.monotonic() < deadline, f"fewer than {count} access lines: {self.text}"
            time.sleep(0.02)


@pytest.fixture
def logs() -> Iterator[Logs]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    configure_logging("INFO")
    [handler] = root.handlers
    assert isinstance(handler, logging.StreamHandler)
    stream = io.StringIO()
    handler.setStream(stream)
    root.handlers[:] = [*handlers, handler]
    try:
        yield Logs(stream)
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


def auth(name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {name}-bearer-token"}


def fingerprint(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()[:12]


# -- one line per request --------------------------------------------------------------------


def test_one_json_line_per_write_request(
    http: requests.Session, write_url: str, registered_data_set: str, logs: Logs
) -> None:
    response = http.post(
        f"{write_url}/data/{registered_data_set}/{registered_data_set}",
        json={"_timestamp": "2014-01-01T00:00:00Z"},
        headers={**auth(registered_data_set), "GOVUK-Request-Id": "log-test-1"},
    )
    assert response.status_code == 200
    assert response.headers["GOVUK-Request-Id"] == "log-test-1"
    [line] = logs.of("backdrop.request")
    assert line["message"] == "request"
    assert line["level"] == "INFO"
    assert line["method"] == "POST"
    assert line["path"] == f"/data/{registered_data_set}/{registered_data_set}"
    assert line["status"] == 200
    assert line["data_set"] == registered_data_set
    assert line["request_id"] == "log-test-1"
    assert isinstance(line["duration_ms"], int | float)
    assert line["duration_ms"] >= 0
    assert "time" in line


def test_read_requests_are_logged_with_their_status(
    http: requests.Session, read_url: str, registered_data_set: str, logs: Logs
) -> None:
    ok = http.get(
        f"{read_url}/data/{registered_data_set}/{registered_data_set}",
        params={"group_by": "value"},
        headers={"GOVUK-Request-Id": "read-1"},
    )
    refused = http.get(
        f"{read_url}/data/{registered_data_set}/{registered_data_set}",
        headers={"GOVUK-Request-Id": "read-2"},
    )
    missing = http.get(f"{read_url}/data/nobody/{registered_data_set}")
    assert (ok.status_code, refused.status_code, missing.status_code) == (200, 400, 404)
    lines = logs.of("backdrop.request")
    assert [(line["method"], line["status"], line["data_set"]) for line in lines] == [
        ("GET", 200, registered_data_set),
        ("GET", 400, registered_data_set),
        ("GET", 404, None),
    ]
    assert [line["request_id"] for line in lines[:2]] == ["read-1", "read-2"]
    assert lines[2]["request_id"] == missing.headers["GOVUK-Request-Id"]
    assert lines[2]["request_id"] not in ("read-1", "read-2")


def test_every_line_of_a_request_carries_its_id(
    http: requests.Session, write_url: str, registered_data_set: str, logs: Logs
) -> None:
    http.post(
        f"{write_url}/data/{registered_data_set}/{registered_data_set}",
        json={"_timestamp": "2014-01-01T00:00:00Z"},
        headers={**auth(registered_data_set), "GOVUK-Request-Id": "tagged-1"},
    )
    mine = [line for line in logs.lines() if line.get("logger", "").startswith("backdrop")]
    assert {line["logger"] for line in mine} >= {"backdrop.request", "backdrop.write.audit"}
    assert {line["request_id"] for line in mine} == {"tagged-1"}


# -- what is never logged --------------------------------------------------------------------


def test_tokens_and_record_data_never_reach_the_logs(
    http: requests.Session,
    write_url: str,
    data_set_name: str,
    register_data_set: RegisterDataSet,
    logs: Logs,
) -> None:
    register_data_set(data_set_name, bearer_token=TOKEN_MARKER)
    url = f"{write_url}/data/{data_set_name}/{data_set_name}"
    good = {"Authorization": f"Bearer {TOKEN_MARKER}"}
    bodies: list[Any] = [
        {"_timestamp": "2014-01-01T00:00:00Z", "secret": BODY_MARKER},
        {"_timestamp": BODY_MARKER},
        {"_timestamp": f"2014-02-30T{BODY_MARKER}"},
        {"_timestamp": "2014-01-01T00:00:00Z", "_id": f"{BODY_MARKER} x"},
        {"_timestamp": "2014-01-01T00:00:00Z", f"{BODY_MARKER}-key": 1},
        {"_timestamp": "2014-01-01T00:00:00Z", f"_{BODY_MARKER}": 1},
    ]
    statuses = [http.post(url, json=body, headers=good).status_code for body in bodies]
    assert statuses == [200, 400, 400, 400, 400, 400]
    sent = [
        http.post(
            url,
            data=f"{{{BODY_MARKER}".encode(),
            headers={**good, "Content-Type": "application/json"},
        ),
        http.post(
            url,
            data=gzip.compress(json.dumps([{"secret": BODY_MARKER}]).encode()),
            headers={**good, "Content-Type": "application/json", "Content-Encoding": "gzip"},
        ),
        http.post(url, json=[], headers={"Authorization": f"Bearer {TOKEN_MARKER}x"}),
        http.put(url, json=[{"secret": BODY_MARKER}], headers=good),
        http.patch(f"{url}/missing-id", json={"secret": BODY_MARKER}, headers=good),
        http.delete(
            f"{write_url}/data-sets/{data_set_name}",
            headers={"Authorization": f"Bearer {TOKEN_MARKER}"},
        ),
    ]
    assert [response.status_code for response in sent] == [400, 400, 401, 400, 400, 401]
    logs.wait_for_server_lines(len(bodies) + len(sent))
    assert TOKEN_MARKER not in logs.text
    assert BODY_MARKER not in logs.text
    assert "Authorization" not in logs.text


def test_a_patch_body_is_never_logged(
    http: requests.Session, write_url: str, registered_data_set: str, logs: Logs
) -> None:
    url = f"{write_url}/data/{registered_data_set}/{registered_data_set}"
    assert http.post(
        url,
        json={"_id": "rec", "_timestamp": "2014-01-01T00:00:00Z"},
        headers=auth(registered_data_set),
    ).ok
    patch = {"secret": BODY_MARKER, "_start_at": BODY_MARKER}
    assert http.patch(f"{url}/rec", json=patch, headers=auth(registered_data_set)).ok
    logs.wait_for_server_lines(2)
    assert BODY_MARKER not in logs.text
    assert f"{registered_data_set}-bearer-token" not in logs.text


# -- audit events (spec 3.10) -----------------------------------------------------------------


def test_audit_events_of_a_data_set_carry_a_token_fingerprint(
    http: requests.Session, write_url: str, registered_data_set: str, logs: Logs
) -> None:
    token = f"{registered_data_set}-bearer-token"
    url = f"{write_url}/data/{registered_data_set}/{registered_data_set}"
    records = [{"_id": f"r{n}", "_timestamp": "2014-01-01T00:00:00Z"} for n in range(3)]
    assert http.post(url, json=records, headers=auth(registered_data_set)).ok
    assert http.patch(f"{url}/r1", json={"value": 2}, headers=auth(registered_data_set)).ok
    assert http.delete(f"{url}/r2", headers=auth(registered_data_set)).ok
    assert http.put(url, json=[], headers=auth(registered_data_set)).ok
    assert http.post(url, json=[], headers={"Authorization": "Bearer wrong-one"}).status_code == 401
    assert http.post(url, json=[]).status_code == 401
    events = logs.of("backdrop.write.audit")
    assert [event["message"] for event in events] == [
        "Data append action",
        "Data patch action",
        "Data delete action",
        "Data delete action",
        "Bad auth",
        "Bad auth",
    ]
    assert all(
        event["audit"] is True and event["data_set"] == registered_data_set for event in events
    )
    assert [event["token_fingerprint"] for event in events] == [fingerprint(token)] * 4 + [
        fingerprint("wrong-one"),
        None,
    ]
    assert events[0]["datapoints"] == 3
    assert events[1]["record_id"] == "r1"
    assert events[2]["record_id"] == "r2"
    assert token not in logs.text
    assert "wrong-one" not in logs.text


def test_dropping_a_data_set_is_audited(
    http: requests.Session, write_url: str, registered_data_set: str, logs: Logs
) -> None:
    assert http.put(
        f"{write_url}/data/{registered_data_set}/{registered_data_set}",
        json=[],
        headers=auth(registered_data_set),
    ).ok
    refused = http.delete(
        f"{write_url}/data-sets/{registered_data_set}", headers={"Authorization": "Bearer no"}
    )
    dropped = http.delete(
        f"{write_url}/data-sets/{registered_data_set}",
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
    )
    assert (refused.status_code, dropped.status_code) == (401, 200)
    events = [
        (event["message"], event["data_set"], event["token_fingerprint"])
        for event in logs.of("backdrop.write.audit")
    ]
    assert events[-2:] == [
        ("Bad auth", registered_data_set, fingerprint("no")),
        ("Data delete action", registered_data_set, fingerprint(ADMIN_TOKEN)),
    ]
    assert ADMIN_TOKEN not in logs.text


@pytest.fixture(scope="module")
def failing_write_url(settings: Settings, storage: Storage) -> Iterator[str]:
    """A real write app with one extra route that fails the way a bug would, with an exception
    whose text quotes the posted record (as driver and parser errors do)."""
    app = create_write_app(settings, storage=storage)

    def fail() -> Response:
        g.data_set = "some_data_set"
        raise ValueError(f"Invalid isoformat string: {request.get_json()['secret']!r}")

    app.add_url_rule("/fail", view_func=fail, methods=["POST"])
    with LiveServer(app) as server:
        yield server.url


def test_an_unexpected_error_is_logged_once_with_its_traceback(
    http: requests.Session, failing_write_url: str, logs: Logs
) -> None:
    response = http.post(
        f"{failing_write_url}/fail",
        json={"_timestamp": "2014-01-01T00:00:00Z", "secret": BODY_MARKER},
        headers={"GOVUK-Request-Id": "boom-1"},
    )
    assert response.status_code == 500
    assert spec_body(response.json()) == {
        "status": "error",
        "message": "Internal Server Error",
        "request_id": "boom-1",
    }
    [failure] = [line for line in logs.lines() if line["level"] == "ERROR"]
    assert failure["message"] == "unhandled error"
    assert failure["data_set"] == "some_data_set"
    assert failure["request_id"] == "boom-1"
    assert "builtins.ValueError [message withheld]" in failure["exc_info"]
    assert "in fail" in failure["exc_info"]  # the frames are all there
    [request] = logs.of("backdrop.request")
    assert (request["status"], request["request_id"]) == (500, "boom-1")
    assert BODY_MARKER not in logs.text
