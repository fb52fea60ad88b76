"""Concurrent writers over HTTP (issue 9): 8 clients posting the same 500 `_id`s, each batch in
its own order, all get 200 and the data set holds each id once."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import requests

from backdrop.core.query import Query
from backdrop.core.storage.base import Storage
from tests.support.http_data_set import HttpDataSet

CLIENTS = 8
IDS = 500


def test_clients_posting_the_same_ids_in_shuffled_orders_all_succeed(
    new_data_set: Callable[..., HttpDataSet], storage: Storage
) -> None:
    data_set = new_data_set()
    bodies = []
    for client in range(CLIENTS):
        order = list(range(IDS))
        random.Random(client).shuffle(order)
        records = [
            {"_id": f"id{n:04d}", "_timestamp": "2014-01-06T00:00:00Z", "client": client}
            for n in order
        ]
        bodies.append(json.dumps(records))
    url = f"{data_set.write_url}{data_set.path}"
    headers = {
        "Content-Type": "application/json",
        "Authorization": f"Bearer {data_set.config['bearer_token']}",
    }

    def post(body: str) -> int:
        with requests.Session() as session:  # a connection per client
            return session.post(url, data=body, headers=headers, timeout=60).status_code

    with ThreadPoolExecutor(CLIENTS) as pool:
        statuses = list(pool.map(post, bodies))
    assert statuses == [200] * CLIENTS
    stored = [record["_id"] for record in storage.find(data_set.name, Query())]
    assert sorted(stored) == [f"id{n:04d}" for n in range(IDS)]
