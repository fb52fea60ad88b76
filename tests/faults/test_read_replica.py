"""The read app on a real streaming replica (issue 12): a primary and a hot standby made with
`pg_basebackup -R` from the embedded binaries, on free ports in a temporary directory. The
write app and the registry use the primary (DATABASE_URL); the read app's queries go to the
standby (DATABASE_READ_URL). Writes become readable once the standby replayed them; no reader
ever gets an older answer after a newer one, the response cache included; and the read app
keeps answering while the standby lags, and gives a clean 503 while it is down, then recovers."""

from __future__ import annotations

import itertools
import shutil
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
import requests

from backdrop.core.config import Settings
from backdrop.core.storage import open_storage
from backdrop.core.storage.base import Storage
from backdrop.read.app import create_app as create_read_app
from backdrop.write.app import create_app as create_write_app
from tests.support.builtin_registry import RegisteredDataSet, register
from tests.support.pg_cluster import Cluster, wait_for_replay
from tests.support.servers import LiveServer
from tests.support.worker import poll

DATABASE = "backdrop"
TOTAL = {"collect": "value:sum", "group_by": "kind"}


@dataclass(frozen=True)
class Replicated:
    primary: Cluster
    standby: Cluster
    storage: Storage  # the primary, as the write app and the registry use it
    read_url: str
    write_url: str


@pytest.fixture(scope="module")
def replicated() -> Iterator[Replicated]:
    directory = Path(tempfile.mkdtemp(prefix="backdrop-replica."))
    (directory / "primary").mkdir()
    (directory / "standby").mkdir()
    primary, standby = Cluster(directory / "primary"), Cluster(directory / "standby")
    try:
        primary.initdb()
        primary.start()
        with psycopg.connect(primary.url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {DATABASE}")
        settings = Settings(
            database_engine="postgres",
            database_url=primary.url(DATABASE),
            database_read_url=standby.url(DATABASE),
            database_timeout=1.0,
            data_dir=directory / "var",
        )
        storage = open_storage(settings)
        storage.migrate()
        standby.copy_as_standby(primary)
        standby.start()
        with (
            LiveServer(create_read_app(settings)) as read,
            LiveServer(create_write_app(settings)) as write,
        ):
            yield Replicated(primary, standby, storage, read.url, write.url)
        storage.close()
    finally:
        standby.stop("immediate")
        primary.stop("immediate")
        shutil.rmtree(directory, ignore_errors=True)


class Reader:
    """Reads a data set's totals through the read app and keeps every answer in order."""

    def __init__(self, replicated: Replicated, data_set: RegisteredDataSet) -> None:
        self._url = f"{replicated.read_url}{data_set.path}"
        self.seen: list[int] = []

    def total(self) -> int | None:
        """The summed value (0 for no records), or None for a 503."""
        response = requests.get(self._url, params=TOTAL, timeout=10)
        if response.status_code == 503:
            assert response.json()["status"] == "error"
            return None
        assert response.status_code == 200, response.text
        total = int(sum(group["value:sum"] for group in response.json()["data"]))
        self.seen.append(total)
        return total


def _post(replicated: Replicated, data_set: RegisteredDataSet, value: int) -> None:
    record = {"_timestamp": "2014-01-06T00:00:00Z", "kind": "k", "value": value}
    url = f"{replicated.write_url}{data_set.path}"
    response = requests.post(url, json=[record], headers=data_set.auth, timeout=10)
    assert response.status_code == 200, response.text


def _one_record_replayed(replicated: Replicated) -> tuple[RegisteredDataSet, Reader]:
    """A new data set holding one record (value 1), replayed on the standby and read there."""
    data_set = register(replicated.storage)
    reader = Reader(replicated, data_set)
    _post(replicated, data_set, 1)
    wait_for_replay(replicated.primary, replicated.standby, DATABASE)
    assert reader.total() == 1
    return data_set, reader


def _readiness(replicated: Replicated) -> tuple[int, str]:
    """The read app's readiness status and its replica check."""
    response = requests.get(f"{replicated.read_url}/_status/ready", timeout=10)
    return response.status_code, response.json()["checks"]["read_database"]


def _in_order(seen: list[int]) -> bool:
    return all(earlier <= later for earlier, later in itertools.pairwise(seen))


def test_writes_are_read_once_replayed_and_never_older_after_newer(
    replicated: Replicated,
) -> None:
    data_set = register(replicated.storage)
    reader = Reader(replicated, data_set)
    stop = threading.Event()

    def read_all_the_time() -> None:
        while not stop.is_set():
            reader.total()

    thread = threading.Thread(target=read_all_the_time)
    thread.start()
    try:
        for _ in range(10):
            _post(replicated, data_set, 1)
    finally:
        stop.set()
        thread.join(timeout=30)
    wait_for_replay(replicated.primary, replicated.standby, DATABASE)
    assert reader.total() == 10
    assert reader.seen and _in_order(reader.seen), reader.seen


def test_a_lagging_standby_answers_its_own_state_and_then_catches_up(
    replicated: Replicated,
) -> None:
    data_set, reader = _one_record_replayed(replicated)
    with psycopg.connect(replicated.standby.url(), autocommit=True) as standby:
        standby.execute("SELECT pg_wal_replay_pause()")
        try:
            _post(replicated, data_set, 10)
            # The standby answers what it has, from the cache or not, consistently.
            assert [reader.total(), reader.total()] == [1, 1]
        finally:
            standby.execute("SELECT pg_wal_replay_resume()")
    wait_for_replay(replicated.primary, replicated.standby, DATABASE)
    assert reader.total() == 11  # the answer cached while it lagged is not served any more


def test_the_read_app_answers_503_while_the_standby_restarts_and_then_recovers(
    replicated: Replicated,
) -> None:
    data_set, reader = _one_record_replayed(replicated)
    replicated.standby.stop("fast")
    try:
        assert reader.total() is None  # a clean 503, at once
        assert _readiness(replicated) == (503, "unavailable")  # out of the load balancer
        _post(replicated, data_set, 2)  # the primary takes writes meanwhile
    finally:
        replicated.standby.start()
    poll(reader.total, timeout=30, what="an answer from the restarted standby")
    assert _readiness(replicated) == (200, "ok")
    wait_for_replay(replicated.primary, replicated.standby, DATABASE)
    assert reader.total() == 3
    assert _in_order(reader.seen), reader.seen
