"""A database that cannot be reached, on every engine (issue 9): apps built with the default
settings (only the database URL differs) answer each request with a 503 JSON error within 2 s,
also 8 at once; `/_status` stays up, `/_status/ready` says the database is down; and once a real
database answers on that address, requests succeed again without restarting anything.

Two outages: nothing listens on the database's port, and a listener accepts connections and
never answers. The database "comes back" as a relay to the session's real server."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests

from backdrop.core.config import Settings
from backdrop.core.services import Services
from backdrop.core.storage.base import Storage
from backdrop.read.app import create_app as create_read_app
from backdrop.write.app import create_app as create_write_app
from tests.support.bodies import spec_body
from tests.support.builtin_registry import RegisteredDataSet, register
from tests.support.processes import free_port
from tests.support.relay import Mode, Relay
from tests.support.servers import LiveServer
from tests.support.tokens import ADMIN_TOKEN
from tests.support.worker import poll

FAST = 2.0  # seconds: the bound for a 503
CLIENT_TIMEOUT = 3.0  # seconds: a request still unanswered by then has failed the test anyway


@dataclass
class Outage:
    relay: Relay
    read_url: str
    write_url: str
    data_set: RegisteredDataSet

    def read(self) -> requests.Response:
        return requests.get(f"{self.read_url}{self.data_set.path}?limit=5", timeout=CLIENT_TIMEOUT)

    def write(self) -> requests.Response:
        body = {"_timestamp": "2014-01-01T00:00:00Z", "value": 1}
        return requests.post(
            self.write_url + self.data_set.path,
            json=body,
            headers=self.data_set.auth,
            timeout=CLIENT_TIMEOUT,
        )

    def data_sets_status(self) -> requests.Response:
        return requests.get(f"{self.read_url}/_status/data-sets", timeout=CLIENT_TIMEOUT)


def moved(url: str, port: int) -> str:
    """`url` with its host and port replaced by 127.0.0.1:`port` (credentials kept)."""
    parts = urlsplit(url)
    credentials = parts.netloc.rpartition("@")[0]
    host = f"127.0.0.1:{port}"
    return urlunsplit(parts._replace(netloc=f"{credentials}@{host}" if credentials else host))


def _close_in_background(services: Services) -> None:
    """Close an app's clients in a daemon thread: a driver still waiting on the dead address
    must not hold the tests up."""
    threading.Thread(target=services.close, daemon=True).start()


@pytest.fixture(
    scope="module", params=[None, Mode.SILENT], ids=["nothing-listens", "never-answers"]
)
def outage(
    request: pytest.FixtureRequest,
    settings: Settings,
    storage: Storage,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Outage]:
    """One outage per engine and kind, shared by this module's tests in their order: the
    recovery test, last, brings the database back."""
    data_set = register(storage)
    real = urlsplit(settings.database_url)
    port = free_port()
    dead = Settings(
        database_engine=settings.database_engine,
        database_url=moved(settings.database_url, port),
        data_dir=tmp_path_factory.mktemp("outage"),
        collection_endpoint_token=ADMIN_TOKEN,
    )
    with Relay(port, (real.hostname or "127.0.0.1", real.port or 0)) as relay:
        if request.param is not None:
            relay.listen(request.param)
        read_app, write_app = create_read_app(dead), create_write_app(dead)
        try:
            with LiveServer(read_app) as read, LiveServer(write_app) as write:
                yield Outage(relay, read.url, write.url, data_set)
        finally:
            for app in (read_app, write_app):
                _close_in_background(app.extensions["backdrop"])


def assert_fast_503(response: requests.Response, started: float) -> None:
    elapsed = time.monotonic() - started
    assert response.status_code == 503, response.text[:300]
    assert response.headers["Content-Type"] == "application/json"
    assert response.json()["status"] == "error"
    assert response.headers["Retry-After"] == "1"
    assert elapsed < FAST, f"503 after {elapsed:.2f}s"


def timed(send: Callable[[], requests.Response]) -> tuple[requests.Response, float]:
    started = time.monotonic()
    return send(), started


@pytest.mark.parametrize("kind", ["read", "write", "data_sets_status"])
def test_each_request_gets_its_503_within_2_s(outage: Outage, kind: str) -> None:
    for _ in range(3):  # the first (no breaker yet) and the ones after it
        response, started = timed(getattr(outage, kind))
        assert_fast_503(response, started)


def test_8_requests_at_once_each_get_their_503_within_2_s(outage: Outage) -> None:
    sends = [outage.read, outage.write, outage.data_sets_status, outage.read] * 2

    def run(send: Callable[[], requests.Response]) -> tuple[requests.Response, float]:
        started = time.monotonic()
        response = send()
        return response, time.monotonic() - started

    with ThreadPoolExecutor(len(sends)) as pool:
        results = list(pool.map(run, sends))
    for response, elapsed in results:
        assert response.status_code == 503, response.text[:300]
        assert elapsed < FAST, [round(e, 2) for _, e in results]


@pytest.mark.parametrize("app", ["read_url", "write_url"])
def test_liveness_stays_up_and_readiness_names_the_database(outage: Outage, app: str) -> None:
    base = getattr(outage, app)
    live = requests.get(f"{base}/_status", timeout=CLIENT_TIMEOUT)
    assert live.status_code == 200
    assert spec_body(live.json()) == {"status": "ok", "message": "app is up"}
    started = time.monotonic()
    ready = requests.get(f"{base}/_status/ready", timeout=CLIENT_TIMEOUT)
    assert ready.status_code == 503, ready.text
    assert time.monotonic() - started < FAST
    body = ready.json()
    assert body["status"] == "error"
    assert "database" in body["message"]
    assert body["checks"]["database"] == "unavailable"


def test_the_apps_recover_when_the_database_answers_again(outage: Outage) -> None:
    response, started = timed(outage.read)
    assert_fast_503(response, started)
    outage.relay.forward()
    poll(lambda: outage.read().status_code == 200, timeout=15, what="a read after recovery")
    assert outage.write().status_code == 200
    assert outage.data_sets_status().status_code == 200
    for base in (outage.read_url, outage.write_url):
        ready = requests.get(f"{base}/_status/ready", timeout=CLIENT_TIMEOUT)
        assert ready.status_code == 200, ready.text
    rows = outage.read().json()["data"]
    assert [row["value"] for row in rows] == [1]
