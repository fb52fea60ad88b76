"""A database that cannot be reached (pinned 5): every storage method raises StorageUnavailable
within the configured timeout (+ 1 s), also with 8 threads calling at once, and the engine
recovers by itself once the database can be reached again on that port."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest

from backdrop.core.config import Settings
from backdrop.core.errors import StorageUnavailable
from backdrop.core.query import Query
from backdrop.core.storage import open_storage
from backdrop.core.storage.base import Dispatch, Storage
from tests.support.relay import Relay, address_of, on_port
from tests.support.servers import free_port
from tests.support.worker import poll

TIMEOUT = 1.0
THREADS = 8
MOMENT = datetime(2014, 1, 1, tzinfo=UTC)

# Every method of the interface.
CALLS: dict[str, Callable[[Storage], object]] = {
    "ping": lambda s: s.ping(),
    "migrate": lambda s: s.migrate(),
    "data_set_exists": lambda s: s.data_set_exists("ds_down"),
    "create_data_set": lambda s: s.create_data_set("ds_down", None),
    "drop_data_set": lambda s: s.drop_data_set("ds_down"),
    "empty_data_set": lambda s: s.empty_data_set("ds_down"),
    "data_sets": lambda s: s.data_sets(),
    "count_records": lambda s: s.count_records("ds_down"),
    "save": lambda s: s.save("ds_down", [{"_id": "a", "n": 1}]),
    "import_records": lambda s: s.import_records("ds_down", [{"_id": "a", "n": 1}]),
    "patch_record": lambda s: s.patch_record("ds_down", "a", {"n": 2}),
    "delete_record": lambda s: s.delete_record("ds_down", "a"),
    "find": lambda s: list(s.find("ds_down", Query())),
    "run": lambda s: s.run("ds_down", Query(group_by=("n",))),
    "data_version": lambda s: s.data_version("ds_down"),
    "last_updated": lambda s: s.last_updated(["ds_down"]),
    "add_dispatch": lambda s: s.add_dispatch(Dispatch("d", "ds_down", MOMENT, MOMENT)),
    "claim_dispatches": lambda s: s.claim_dispatches(1, 1.0),
    "finish_dispatch": lambda s: s.finish_dispatch("d"),
    "count_dispatches": lambda s: s.count_dispatches(),
    "get_document": lambda s: s.get_document("data_sets", "ds_down"),
    "find_documents": lambda s: s.find_documents("data_sets"),
    "put_document": lambda s: s.put_document("data_sets", "ds_down", {"name": "ds_down"}),
    "delete_document": lambda s: s.delete_document("data_sets", "ds_down"),
    "all_documents": lambda s: list(s.all_documents()),
}


@pytest.fixture
def cut_off(
    database_engine: str, database_url: str
) -> Iterator[tuple[Storage, Callable[[], None]]]:
    """An engine whose database is on a port nothing listens on, and a function that makes the
    real database reachable there."""
    port = free_port()
    settings = Settings(
        database_engine=database_engine,
        database_url=on_port(database_url, port),
        database_timeout=TIMEOUT,
    )
    storage = open_storage(settings)
    relay = Relay(port, address_of(database_url))

    try:
        yield storage, relay.forward
    finally:
        # Bounded: an engine whose calls still hang (the test has failed then) must not hold
        # up the rest of the run while it closes.
        closing = threading.Thread(target=storage.close, daemon=True)
        closing.start()
        closing.join(timeout=10)
        relay.close()


def test_every_method_fails_fast_and_recovers(
    cut_off: tuple[Storage, Callable[[], None]], data_set: str
) -> None:
    storage, reconnect = cut_off
    outcomes: list[tuple[str, str, float]] = []
    lock = threading.Lock()

    def caller(seed: int) -> None:
        names = list(CALLS)
        random.Random(seed).shuffle(names)
        for name in names:
            started = time.monotonic()
            try:
                CALLS[name](storage)
                outcome = "returned"
            except StorageUnavailable:
                outcome = "unavailable"
            except Exception as exc:  # a thread's top level: anything else is the failure shown
                outcome = type(exc).__name__
            with lock:
                outcomes.append((name, outcome, time.monotonic() - started))

    threads = [
        threading.Thread(target=caller, args=(seed,), daemon=True) for seed in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 30  # far more than failing fast takes; a hung call fails here
    for thread in threads:
        thread.join(timeout=max(0, deadline - time.monotonic()))
    with lock:
        assert len(outcomes) == THREADS * len(CALLS), "calls still waiting after 30 s"
    assert {(name, outcome) for name, outcome, _ in outcomes} == {
        (name, "unavailable") for name in CALLS
    }
    slowest = max(outcomes, key=lambda outcome: outcome[2])
    assert slowest[2] <= TIMEOUT + 1, slowest

    reconnect()
    poll(lambda: _answers(storage), timeout=30, what="the engine to reach the database again")
    storage.create_data_set(data_set, None)
    storage.save(data_set, [{"_id": "a", "n": 1}])
    assert [record["n"] for record in storage.find(data_set, Query())] == [1]
    assert storage.drop_data_set(data_set)


def _answers(storage: Storage) -> bool:
    try:
        storage.ping()
    except StorageUnavailable:
        return False
    return True
