"""Concurrent writers through the real write app, on every engine (issue 9): writers upserting
the same ids in different orders all succeed (no deadlock, no "unavailable") and leave exactly
one record per id; writers of distinct records leave exactly as many records as they sent."""

from __future__ import annotations

import random
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests

from backdrop.core.query import Query
from backdrop.core.storage.base import Storage
from tests.support.builtin_registry import BuiltinApps, RegisteredDataSet, register

WRITERS = 8


def post_all(
    builtin: BuiltinApps, data_set: RegisteredDataSet, batches: Sequence[list[dict[str, Any]]]
) -> list[tuple[int, str]]:
    """POST each batch from its own writer thread (own connection), all at once."""

    def send(batch: list[dict[str, Any]]) -> tuple[int, str]:
        with requests.Session() as http:
            response = http.post(
                builtin.write_url + data_set.path, json=batch, headers=data_set.auth, timeout=120
            )
            return response.status_code, response.text[:200]

    with ThreadPoolExecutor(len(batches)) as pool:
        return list(pool.map(send, batches))


def test_writers_upserting_the_same_ids_in_shuffled_orders_all_succeed(
    builtin_apps: BuiltinApps, storage: Storage
) -> None:
    data_set = register(storage)
    records = [
        {"_id": f"id{n:03d}", "_timestamp": "2014-01-06T00:00:00Z", "value": n, "label": f"r{n}"}
        for n in range(500)
    ]
    rounds = 2
    for round_ in range(rounds):
        batches = []
        for writer in range(WRITERS):
            shuffled = list(records)
            random.Random(round_ * WRITERS + writer).shuffle(shuffled)
            batches.append(shuffled)
        results = post_all(builtin_apps, data_set, batches)
        assert results == [(200, '{"status":"ok"}')] * WRITERS
    stored = list(storage.find(data_set.config.name, Query()))
    assert len(stored) == 500
    assert sorted((r["_id"], r["value"], r["label"]) for r in stored) == [
        (r["_id"], r["value"], r["label"]) for r in records
    ]


def test_writers_of_distinct_records_leave_exactly_what_they_sent(
    builtin_apps: BuiltinApps, storage: Storage
) -> None:
    data_set = register(storage)
    per_writer = 5000
    batches = [
        [
            {"_id": f"w{writer}-{n}", "_timestamp": "2014-01-06T00:00:00Z", "value": n}
            for n in range(per_writer)
        ]
        for writer in range(WRITERS)
    ]
    results = post_all(builtin_apps, data_set, batches)
    assert results == [(200, '{"status":"ok"}')] * WRITERS
    assert storage.count_records(data_set.config.name) == WRITERS * per_writer
    ids = {r["_id"] for r in storage.find(data_set.config.name, Query())}
    assert ids == {record["_id"] for batch in batches for record in batch}
