"""A request's batch is all-or-nothing (pinned 8), proven the hard way: the write worker (a real
gunicorn worker) is killed with SIGKILL while the database works on a large batch of records
without `_id`; sending the same POST again then leaves exactly one copy of each record, on every
engine. (Without a transaction MongoDB kept part or all of the first batch, and the retry
duplicated it.)"""

from __future__ import annotations

import json
import os
import signal
import threading
from pathlib import Path

import requests

from backdrop.core.query import Query
from backdrop.core.storage.base import Storage
from tests.faults.gunicorn_apps import serving, workers
from tests.support.processes import app, free_port
from tests.support.relay import Relay, address_of, on_port
from tests.support.stagecraft import StagecraftState, stagecraft_config
from tests.support.tokens import SIGNON_TOKEN
from tests.support.worker import poll

RECORDS = 5_000
# The database has the batch (or part of it: a COPY can pause) once this much went its way and
# the line then went quiet: kill then, while the database works on it, before it can commit.
SENT_BYTES = 64 << 10
QUIET_SECONDS = 0.02


def test_a_batch_cut_off_by_sigkill_is_stored_once_after_the_retry(
    database_url: str,
    storage: Storage,
    stagecraft: StagecraftState,
    stagecraft_server: tuple[StagecraftState, str],
    data_set_name: str,
    tmp_path: Path,
) -> None:
    config = stagecraft_config(data_set_name, capped_size=None)
    stagecraft.put(config)
    records = [{"_timestamp": "2014-01-01T00:00:00Z", "seq": seq} for seq in range(RECORDS)]
    body = json.dumps(records)
    headers = {
        "Content-Type": "application/json",
        "Authorization": f"Bearer {data_set_name}-bearer-token",
    }
    port = free_port()
    env = {
        "WEB_CONCURRENCY": "1",
        "DATABASE_URL": on_port(database_url, port),
        "STAGECRAFT_URL": stagecraft_server[1],
        "SIGNON_API_USER_TOKEN": SIGNON_TOKEN,
        "BACKDROP_DATA_DIR": str(tmp_path),
    }
    with Relay(port, address_of(database_url)) as relay:
        relay.forward()
        with app("write", env) as write:
            target = f"{write.url}/data/{data_set_name}/{data_set_name}"
            outcome: list[object] = []

            def post() -> None:
                try:
                    outcome.append(requests.post(target, data=body, headers=headers, timeout=300))
                except requests.ConnectionError as exc:
                    outcome.append(exc)

            before = relay.upstream_bytes
            posting = threading.Thread(target=post)
            posting.start()
            poll(
                lambda: (
                    outcome
                    or (
                        relay.upstream_bytes - before >= SENT_BYTES
                        and relay.upstream_quiet_for >= QUIET_SECONDS
                    )
                ),
                timeout=240,
                interval=0.005,
                what="the batch on its way to the database",
            )
            assert not outcome, f"the write ended before the kill: {outcome}"
            [worker] = workers(write.pid)
            os.kill(worker, signal.SIGKILL)
            posting.join(timeout=60)
            assert [type(result) for result in outcome] == [requests.ConnectionError]

            poll(
                lambda: serving(write.url, write.pid) and worker not in workers(write.pid),
                what="a new worker",
            )
            retried = requests.post(target, data=body, headers=headers, timeout=300)
            assert retried.status_code == 200, retried.text

    assert storage.count_records(data_set_name) == RECORDS
    seqs = sorted(record["seq"] for record in storage.find(data_set_name, Query()))
    assert seqs == list(range(RECORDS))
