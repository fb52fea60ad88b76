#!/usr/bin/env python3
"""Measure the PostgreSQL write path through `Storage.save`, in a throw-away database:

1. load rate: one writer saving licensing-style batches of 1,000 records (records/s, median
   of `--repeats` runs of `--batches` batches each, into a fresh data set per run);
2. concurrent upserts of the same ids (issue 9): `--rounds` rounds of 8 writers each saving
   the same 500 `_id`s in its own shuffled order; how many saves failed, by error class, and
   how far `pg_stat_database.deadlocks` rose for the database.

    .venv/bin/python -m tools.measure_pg_writes

It speaks only the Storage interface, so the same command measures any checkout's code (`-P`
keeps the current directory off the front of the path: that checkout's `backdrop` and `tests`
come first, this tool from `.`):

    PYTHONPATH=/path/to/checkout:. .venv/bin/python -P -m tools.measure_pg_writes
"""

from __future__ import annotations

import collections
import random
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import click

from backdrop.core.config import Settings
from backdrop.core.data_set_config import DataSetConfig
from backdrop.core.records import prepare_records
from backdrop.core.storage import open_storage
from backdrop.core.storage.base import Storage
from bench.workload import generate
from tests.support.postgres_activity import deadlocks
from tests.support.servers import throwaway_postgres

WRITERS = 8
SHARED_IDS = 500


def load_rate(storage: Storage, batches: list[list[dict[str, Any]]], run: int) -> float:
    name = f"load_{run}"
    config = DataSetConfig(name, "bench", name)
    prepared = [prepare_records(batch, config) for batch in batches]
    storage.create_data_set(name, None)
    started = time.perf_counter()
    for batch in prepared:
        storage.save(name, batch)
    return sum(len(batch) for batch in prepared) / (time.perf_counter() - started)


def upsert_rounds(url: str, timeout: float, rounds: int) -> tuple[int, collections.Counter[str]]:
    """Saves that failed, by error class, over `rounds` rounds of 8 racing writers."""
    failures: collections.Counter[str] = collections.Counter()
    storage = open_storage(
        Settings(database_engine="postgres", database_url=url, database_timeout=timeout)
    )
    try:
        for round_number in range(rounds):
            name = f"race_{round_number}"
            storage.create_data_set(name, None)
            batches = []
            for writer in range(WRITERS):
                order = list(range(SHARED_IDS))
                random.Random(round_number * WRITERS + writer).shuffle(order)
                batches.append([{"_id": f"id{n:04d}", "writer": writer} for n in order])
            with ThreadPoolExecutor(WRITERS) as pool:
                futures = [pool.submit(storage.save, name, batch) for batch in batches]
                for future in futures:
                    error = future.exception()
                    if error is not None:
                        failures[type(error).__name__] += 1
    finally:
        storage.close()
    return rounds * WRITERS, failures


@click.command()
@click.option("--batches", type=int, default=20, show_default=True)
@click.option("--repeats", type=int, default=5, show_default=True)
@click.option("--rounds", type=int, default=8, show_default=True)
def main(batches: int, repeats: int, rounds: int) -> None:
    """Print the load rate and the concurrent-upsert outcome."""
    workload = list(generate(batches * 1000, 20141127).batches(1000))
    with throwaway_postgres() as url:
        storage = open_storage(Settings(database_engine="postgres", database_url=url))
        try:
            rates = [load_rate(storage, workload, run) for run in range(repeats)]
        finally:
            storage.close()
        before = deadlocks(url)
        saves, failures = upsert_rounds(url, 10.0, rounds)
        after = deadlocks(url)
    every = ", ".join(f"{rate:,.0f}" for rate in rates)
    click.echo(
        f"load: {statistics.median(rates):,.0f} records/s through Storage.save (median of"
        f" {repeats} runs of {batches} batches of 1,000; all: {every})"
    )
    failed = sum(failures.values())
    click.echo(
        f"same ids, 8 writers x {rounds} rounds: {failed} of {saves} saves failed"
        f" ({dict(failures)}); pg_stat_database.deadlocks rose by {after - before}"
    )


if __name__ == "__main__":
    sys.exit(main())
