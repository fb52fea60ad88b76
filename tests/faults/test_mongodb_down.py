"""MongoDB down (issue 9, "Database down"): through the real read app, 8 reads at once each get
their 503 within 2 s, readiness says the database is unavailable, and once a database starts
on that port the app answers again by itself, without a restart. (Before: 10-12 s each.)"""

from __future__ import annotations

import subprocess
import threading
import time
from pathlib import Path

import requests

from backdrop.bench.servers import app
from tests.support.servers import db_command, free_port, stop, wait_for_port
from tests.support.stagecraft import StagecraftState, data_set_config
from tests.support.worker import poll

CLIENTS = 8
BUDGET = 2.0  # seconds, the bound for a 503


def test_reads_fail_fast_and_recover_when_the_database_returns(
    stagecraft: StagecraftState,
    stagecraft_server: tuple[StagecraftState, str],
    name: str,
    tmp_path: Path,
) -> None:
    stagecraft.put(data_set_config(name, raw_queries_allowed=True, capped_size=None))
    port = free_port()
    env = {
        "WEB_CONCURRENCY": "1",
        "DATABASE_URL": f"mongodb://127.0.0.1:{port}/backdrop?directConnection=true&retryWrites=false",
        "STAGECRAFT_URL": stagecraft_server[1],
        "SIGNON_API_USER_TOKEN": "signon-token",
        "BACKDROP_DATA_DIR": str(tmp_path),
    }
    with app("read", env) as read_app:
        query = f"{read_app.url}/data/{name}/{name}?limit=5"
        answers: list[tuple[int, float, str | None]] = []
        lock = threading.Lock()

        def read() -> None:
            started = time.monotonic()
            response = requests.get(query, timeout=60)
            with lock:
                answers.append(
                    (
                        response.status_code,
                        time.monotonic() - started,
                        response.headers.get("Retry-After"),
                    )
                )

        readers = [threading.Thread(target=read) for _ in range(CLIENTS)]
        for reader in readers:
            reader.start()
        for reader in readers:
            reader.join(timeout=60)
        assert [(status, retry) for status, _, retry in answers] == [(503, "1")] * CLIENTS
        assert max(seconds for _, seconds, _ in answers) < BUDGET, answers

        ready = requests.get(f"{read_app.url}/_status/ready", timeout=BUDGET)
        assert (ready.status_code, ready.json()["checks"]["database"]) == (503, "unavailable")

        database = subprocess.Popen(db_command(port, tmp_path / "db"), stdout=subprocess.DEVNULL)
        try:
            wait_for_port(port, database)
            poll(
                lambda: requests.get(query, timeout=10).status_code == 200,
                timeout=30,
                what="the read app to answer again",
            )
            assert requests.get(f"{read_app.url}/_status/ready", timeout=10).status_code == 200
        finally:
            stop(database)
