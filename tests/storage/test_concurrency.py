"""Concurrent writers (pinned behaviour 4): saves of the same ids in different orders never fail
and never deadlock; saves of distinct records all land."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

from backdrop.core.query import Query
from backdrop.core.storage.base import Record, Storage
from tests.storage.builders import rec

WRITERS = 8
SHARED_IDS = 500


def shuffled_batches(writers: int = WRITERS, ids: int = SHARED_IDS) -> list[list[Record]]:
    """One batch per writer: the same ids, each batch in its own order (seeded), each record
    naming its writer."""
    batches = []
    for writer in range(writers):
        order = list(range(ids))
        random.Random(writer).shuffle(order)
        batches.append(
            [
                rec("2014-01-06T00:00:00Z", _id=f"id{number:04d}", writer=writer, n=number)
                for number in order
            ]
        )
    return batches


def all_at_once(work: Callable[[Sequence[Record]], Any], batches: list[list[Record]]) -> None:
    """Run `work` on every batch in its own thread, all started together; re-raises the first
    failure after every writer has finished."""
    with ThreadPoolExecutor(len(batches)) as pool:
        for future in [pool.submit(work, batch) for batch in batches]:
            future.result()


def test_writers_saving_the_same_ids_in_shuffled_orders_all_succeed(
    storage: Storage, data_set_name: str
) -> None:
    storage.create_data_set(data_set_name, None)
    all_at_once(lambda batch: storage.save(data_set_name, batch), shuffled_batches())
    records = list(storage.find(data_set_name, Query()))
    assert len(records) == SHARED_IDS
    assert sorted(record["_id"] for record in records) == [
        f"id{number:04d}" for number in range(SHARED_IDS)
    ]
    # Each record is one writer's whole record, never a mix.
    assert all(record["writer"] in range(WRITERS) for record in records)
    assert all(record["_id"] == f"id{record['n']:04d}" for record in records)


def test_writers_racing_to_create_the_data_set_all_succeed(
    storage: Storage, data_set_name: str
) -> None:
    """The race is narrow (both creators past the unique check before either inserted): run
    it a few times."""
    for attempt in range(8):
        name = f"{data_set_name}_{attempt}"
        all_at_once(partial(storage.save, name), shuffled_batches(ids=5))
        assert storage.count_records(name) == 5


def test_writers_saving_distinct_records_lose_none(storage: Storage, data_set_name: str) -> None:
    """The engine's part of tests/faults/test_concurrent_writers.py (8 x 5,000 over HTTP)."""
    storage.create_data_set(data_set_name, None)
    batches = [
        [{"writer": writer, "n": number} for number in range(1000)] for writer in range(WRITERS)
    ]
    all_at_once(lambda batch: storage.save(data_set_name, batch), batches)
    assert storage.count_records(data_set_name) == WRITERS * 1000


def test_writers_to_a_capped_data_set_all_succeed(storage: Storage, data_set_name: str) -> None:
    """Each save trims the oldest records of a capped data set while others write: the trim
    may conflict with them, and the engine's retry absorbs it."""
    storage.create_data_set(data_set_name, 20_000)
    all_at_once(lambda batch: storage.save(data_set_name, batch), shuffled_batches(ids=200))
    kept = list(storage.find(data_set_name, Query()))
    assert 0 < len(kept) <= 200
    assert len({record["_id"] for record in kept}) == len(kept)
