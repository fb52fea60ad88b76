"""An acknowledged write survives SIGKILL of the embedded database (issue 9, "Durability"):
writers post batches through the real write app; the database process is killed while they
post, or right after the last acknowledgement; restarted on the same data directory, it holds
every acknowledged record. (Before, the tail of the last acknowledged batch was lost in two of
three trials: SecantusDB synced its journal on its own schedule.)"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import signal
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from backdrop.core.config import Settings
from backdrop.core.query import Query
from backdrop.core.storage import open_storage
from backdrop.write.app import create_app as create_write_app
from tests.support.processes import free_port, stop, wait_for_mongodb
from tests.support.servers import LiveServer, db_command
from tests.support.stagecraft import StagecraftState, stagecraft_config
from tests.support.tokens import SIGNON_TOKEN

WRITERS = 2
BATCH = 500
BATCHES = 4  # per writer
KILL_AFTER = 3  # acknowledged batches in all, when killing while they post


@dataclasses.dataclass
class Database:
    """The embedded server (`start-app.sh db`'s command) on a fixed port and data directory."""

    port: int
    data_dir: Path
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"mongodb://127.0.0.1:{self.port}/backdrop?directConnection=true&retryWrites=false"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            db_command(self.port, self.data_dir), stdout=subprocess.DEVNULL
        )
        wait_for_mongodb(self.url, self.proc)

    def kill(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    database = Database(free_port(), tmp_path / "db")
    database.start()
    try:
        yield database
    finally:
        if database.proc is not None and database.proc.poll() is None:
            stop(database.proc)


@pytest.mark.parametrize("moment", ["while-posting", "after-the-last-answer"])
def test_every_acknowledged_record_survives_sigkill(
    database: Database,
    stagecraft: StagecraftState,
    stagecraft_server: tuple[StagecraftState, str],
    data_set_name: str,
    tmp_path: Path,
    moment: str,
) -> None:
    stagecraft.put(stagecraft_config(data_set_name, capped_size=None))
    settings = Settings(
        database_url=database.url,
        stagecraft_url=stagecraft_server[1],
        signon_api_user_token=SIGNON_TOKEN,
        data_dir=tmp_path / "data",
    )
    acknowledged: list[str] = []
    lock = threading.Lock()
    enough = threading.Event()

    def writer(number: int, url: str) -> None:
        with requests.Session() as http:
            for batch in range(BATCHES):
                ids = [f"w{number}-{batch}-{index}" for index in range(BATCH)]
                body = [{"_id": i, "_timestamp": "2014-01-01T00:00:00Z"} for i in ids]
                with contextlib.suppress(requests.ConnectionError):
                    response = http.post(
                        f"{url}/data/{data_set_name}/{data_set_name}",
                        data=json.dumps(body),
                        headers={
                            "Content-Type": "application/json",
                            "Authorization": f"Bearer {data_set_name}-bearer-token",
                        },
                    )
                    if response.status_code != 200:
                        return  # the database is gone: nothing more is acknowledged
                    with lock:
                        acknowledged.extend(ids)
                        if len(acknowledged) >= KILL_AFTER * BATCH:
                            enough.set()

    storage = open_storage(settings)
    try:
        with LiveServer(create_write_app(settings, storage=storage)) as app:
            writers = [threading.Thread(target=writer, args=(n, app.url)) for n in range(WRITERS)]
            for thread in writers:
                thread.start()
            if moment == "while-posting":
                assert enough.wait(timeout=120)
                database.kill()
            for thread in writers:
                thread.join(timeout=120)
            if moment == "after-the-last-answer":
                database.kill()
    finally:
        storage.close()

    database.start()
    reopened = open_storage(dataclasses.replace(settings, database_timeout=10))
    try:
        stored = {str(record["_id"]) for record in reopened.find(data_set_name, Query())}
    finally:
        reopened.close()
    assert len(acknowledged) >= KILL_AFTER * BATCH
    assert moment == "while-posting" or len(acknowledged) == WRITERS * BATCHES * BATCH
    assert [i for i in acknowledged if i not in stored] == []
