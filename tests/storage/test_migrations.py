"""Schema migrations: applied on first use of a fresh database, once, even by racing processes."""

from __future__ import annotations

import threading

from backdrop.core.config import Settings
from backdrop.core.errors import BackdropError
from backdrop.core.storage import open_storage
from backdrop.core.storage.base import Storage

EXPECTED = {
    "mongodb": [],
    "postgres": ["001_initial", "002_outbox", "003_object_names", "004_grouped_reads"],
}


def test_migrate_applies_every_migration_once(fresh: Settings) -> None:
    storage = open_storage(fresh)
    try:
        assert storage.migrate() == EXPECTED[fresh.database_engine]
        assert storage.migrate() == []
    finally:
        storage.close()


def test_first_use_of_a_fresh_database_migrates_it(fresh: Settings) -> None:
    storage = open_storage(fresh)
    try:
        storage.save("first", [{"_id": "a"}])
        assert storage.count_records("first") == 1
        assert storage.migrate() == []
    finally:
        storage.close()


def test_processes_starting_together_migrate_once(fresh: Settings) -> None:
    storages: list[Storage] = [open_storage(fresh) for _ in range(4)]
    failures: list[BackdropError] = []
    start = threading.Barrier(len(storages))

    def first_use(storage: Storage) -> None:
        start.wait()
        try:
            storage.create_data_set("shared", None)
            storage.save("shared", [{"_id": "same"}])
        except BackdropError as exc:
            failures.append(exc)

    threads = [threading.Thread(target=first_use, args=(s,)) for s in storages]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    try:
        assert failures == []
        assert storages[0].count_records("shared") == 1
        assert storages[0].migrate() == []
    finally:
        for storage in storages:
            storage.close()
