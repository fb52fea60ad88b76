"""A database that cannot be reached (pinned behaviour 5): every call raises StorageUnavailable,
never a driver error, within `Settings.database_timeout` (+ 1 s), also many at once, whether
nothing listens, the server is gone, or it accepts connections and never answers; the engine
can be built while the database is down (the apps start first), and recovers by itself once
the server is back."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest

from backdrop.core.config import Settings
from backdrop.core.errors import StorageUnavailable
from backdrop.core.query import Query
from backdrop.core.storage import open_storage
from backdrop.core.storage.base import Dispatch, Storage
from tests.support.engines import EngineUnderTest
from tests.support.outages import Restartable, restartable, silent_listener
from tests.support.processes import free_port

TIMEOUT = 1.0
BOUND = TIMEOUT + 1.0
MOMENT = datetime(2014, 1, 6, tzinfo=UTC)
DISPATCH = Dispatch("d1", "ds", MOMENT, MOMENT)


# Every method of the interface, as a caller uses it (generators consumed); `method:variant`
# for a second way of calling one (`test_the_calls_are_every_method_of_the_engine`).
def read_in_one_session(storage: Storage) -> str:
    with storage.monotonic_reads() as view:
        return view.data_version("ds")


CALLS: dict[str, Callable[[Storage], Any]] = {
    "ping": lambda s: s.ping(),
    "migrate": lambda s: s.migrate(),
    "data_set_exists": lambda s: s.data_set_exists("ds"),
    "create_data_set": lambda s: s.create_data_set("ds", None),
    "drop_data_set": lambda s: s.drop_data_set("ds"),
    "empty_data_set": lambda s: s.empty_data_set("ds"),
    "data_sets": lambda s: s.data_sets(),
    "count_records": lambda s: s.count_records("ds"),
    "save": lambda s: s.save("ds", [{"_id": "a", "value": 1}]),
    "import_records": lambda s: s.import_records("ds", [{"_id": "a", "value": 1}]),
    "patch_record": lambda s: s.patch_record("ds", "a", {"value": 2}),
    "delete_record": lambda s: s.delete_record("ds", "a"),
    "find": lambda s: list(s.find("ds", Query())),
    "find:limited": lambda s: list(s.find("ds", Query(limit=5))),
    "run": lambda s: s.run("ds", Query(group_by=("value",))),
    "data_version": lambda s: s.data_version("ds"),
    "last_updated": lambda s: s.last_updated(["ds"]),
    "add_dispatch": lambda s: s.add_dispatch(DISPATCH),
    "claim_dispatches": lambda s: s.claim_dispatches(10, 30.0),
    "finish_dispatch": lambda s: s.finish_dispatch("d1"),
    "count_dispatches": lambda s: s.count_dispatches(),
    "get_document": lambda s: s.get_document("data_sets", "ds"),
    "find_documents": lambda s: s.find_documents("data_sets", {"data_group": "g"}),
    "put_document": lambda s: s.put_document("data_sets", "ds", {"name": "ds"}),
    "delete_document": lambda s: s.delete_document("data_sets", "ds"),
    "all_documents": lambda s: list(s.all_documents()),
    "monotonic_reads": read_in_one_session,
}


@contextlib.contextmanager
def engine_at(engine: str, url: str) -> Iterator[Storage]:
    """The engine on the database at `url` (which may not answer), closed afterwards."""
    storage = open_storage(
        Settings(database_engine=engine, database_url=url, database_timeout=TIMEOUT)
    )
    try:
        yield storage
    finally:
        storage.close()


def unavailable_in_time(call: Callable[[Storage], Any], storage: Storage) -> float:
    """Seconds `call` took to raise StorageUnavailable (it must not succeed)."""
    started = time.monotonic()
    with pytest.raises(StorageUnavailable):
        call(storage)
    return time.monotonic() - started


def every_call_is_unavailable_in_time(storage: Storage) -> None:
    took = {name: unavailable_in_time(call, storage) for name, call in CALLS.items()}
    assert {name: seconds for name, seconds in took.items() if seconds > BOUND} == {}


def many_at_once_are_unavailable_in_time(storage: Storage, callers: int = 8) -> None:
    names = list(CALLS)
    with ThreadPoolExecutor(callers) as pool:
        took = list(
            pool.map(
                lambda n: unavailable_in_time(CALLS[names[n % len(names)]], storage),
                range(callers * 3),
            )
        )
    assert max(took) <= BOUND, took


def recovers(storage: Storage, deadline: float = 20.0) -> None:
    """The engine answers again without being rebuilt: a save and a read work."""
    give_up = time.monotonic() + deadline
    while True:
        try:
            storage.ping()
            break
        except StorageUnavailable:
            if time.monotonic() > give_up:
                raise
            time.sleep(0.2)
    storage.save("back", [{"_id": "again", "value": 1}])
    assert [record["_id"] for record in storage.find("back", Query())] == ["again"]


@pytest.fixture(scope="module")
def restartable_server(engine_under_test: EngineUnderTest) -> Iterator[Restartable]:
    with restartable(engine_under_test.restartable) as made:
        yield made


@pytest.fixture
def server(restartable_server: Restartable) -> Iterator[Restartable]:
    """The engine's restartable server, stopped at the start (and end) of each test."""
    restartable_server.stop()
    yield restartable_server
    restartable_server.stop()


def test_the_calls_are_every_method_of_the_engine(engine_under_test: EngineUnderTest) -> None:
    """So that the tests below hold for every method: one added to an engine (or the
    interface) must be added to CALLS."""
    with engine_at(engine_under_test.name, engine_under_test.url_at(free_port())) as storage:
        engine = type(storage)
        methods = {
            name
            for name in dir(engine)
            if not name.startswith("_") and callable(getattr(engine, name))
        }
    assert methods - {"close"} == {name.split(":")[0] for name in CALLS}


def test_nothing_listening_every_call_is_unavailable_within_the_timeout(
    engine_under_test: EngineUnderTest,
) -> None:
    with engine_at(engine_under_test.name, engine_under_test.url_at(free_port())) as storage:
        every_call_is_unavailable_in_time(storage)


def test_a_server_that_never_answers_is_unavailable_within_the_timeout(
    engine_under_test: EngineUnderTest,
) -> None:
    with (
        silent_listener() as port,
        engine_at(engine_under_test.name, engine_under_test.url_at(port)) as storage,
    ):
        many_at_once_are_unavailable_in_time(storage)
        every_call_is_unavailable_in_time(storage)


def test_down_at_start_up_then_back(database_engine: str, server: Restartable) -> None:
    """The apps start before the database: requests fail fast meanwhile (none queue behind the
    first use), and the engine serves once the database is up."""
    with engine_at(database_engine, server.url) as storage:
        many_at_once_are_unavailable_in_time(storage)
        every_call_is_unavailable_in_time(storage)
        server.start()
        recovers(storage)


def test_an_outage_longer_than_any_reconnect_timer_then_back(
    database_engine: str, server: Restartable
) -> None:
    server.start()
    with engine_at(database_engine, server.url) as storage:
        storage.save("before", [{"_id": "kept", "value": 1}])
        server.stop()
        # Longer than any give-up timer of the engines (PostgreSQL: a failed attempt and its retry).
        down_until = time.monotonic() + 2 * TIMEOUT + 1
        while time.monotonic() < down_until:
            many_at_once_are_unavailable_in_time(storage)
        every_call_is_unavailable_in_time(storage)
        server.start()
        recovers(storage)


def test_a_restarted_server_costs_no_request(database_engine: str, server: Restartable) -> None:
    """Connections pooled before a restart are dead afterwards: the engine replaces them
    instead of failing the first requests with them."""
    server.start()
    with engine_at(database_engine, server.url) as storage:
        all_at_once = [lambda: storage.save("before", [{"_id": "kept", "value": 1}])] * 4
        with ThreadPoolExecutor(4) as pool:  # several pooled connections
            for future in [pool.submit(call) for call in all_at_once]:
                future.result()
        server.stop()
        server.start()
        for _ in range(4):
            assert [record["_id"] for record in storage.find("before", Query())] == ["kept"]
