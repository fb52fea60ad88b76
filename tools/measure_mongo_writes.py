"""What durability and all-or-nothing batches cost MongoDB writes, measured in one run.

    .venv/bin/python -m tools.measure_mongo_writes [--records 20000] [--batch 1000]

Starts four embedded servers (`start-app.sh db`'s command, each on a free port with its files
in a temporary directory) and loads the same licensing-style records into each through the
engine's own `MongoStorage.save`, in batches, interleaved batch by batch (in turn order) so
every variant meets the same conditions on a shared machine:

  A  before issue 9   no journal wait, no transactions (`journal=false`, server `--standalone`,
                      without `--sync-on-commit`): the old write path, a plain ordered bulk_write
  B  durable          every commit synced (`--sync-on-commit`, `j: true`), still no transactions
  C  durable, atomic  B plus one transaction per batch: what ships (the embedded default)
  D  atomic           transactions without syncing (`journal=false`, no `--sync-on-commit`)

Prints records/s for each and the ratios: durability (B/A), all-or-nothing with durability (C/B)
and without (D/A), and the whole change (C/A); once with records that carry an `_id` (upserts, as
the benchmark's and most collectors' records) and once without (inserts).
"""

from __future__ import annotations

import argparse
import contextlib
import random
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from backdrop.core.storage.mongo.storage import MongoStorage
from tests.support.processes import free_port, stop, wait_for_mongodb
from tests.support.servers import db_command

START = datetime(2023, 1, 2, tzinfo=UTC)
CHANNELS = ("online", "paper", "phone", "assisted", "agent")


@dataclass(frozen=True)
class Variant:
    key: str
    label: str
    server_flags: tuple[str, ...]  # added to, or removed from, `start-app.sh db`'s flags
    url_options: str


NO_JOURNAL = "&journal=false"
VARIANTS = (
    Variant("A", "before: no journal wait, no transaction", ("--standalone", "-sync"), NO_JOURNAL),
    Variant("B", "durable (sync on commit), no transaction", ("--standalone",), ""),
    Variant("C", "durable + one transaction per batch (ships)", (), ""),
    Variant("D", "one transaction per batch, not durable", ("-sync",), NO_JOURNAL),
)


def command(port: int, data_dir: Path, flags: tuple[str, ...]) -> list[str]:
    """`start-app.sh db`'s command with `flags` (`-sync` drops `--sync-on-commit`)."""
    base = db_command(port, data_dir)
    if "-sync" in flags:
        base = [part for part in base if part != "--sync-on-commit"]
    return base + [flag for flag in flags if flag != "-sync"]


@contextlib.contextmanager
def server(variant: Variant, scratch: Path) -> Iterator[MongoStorage]:
    port = free_port()
    data_dir = scratch / variant.key
    proc = subprocess.Popen(
        command(port, data_dir, variant.server_flags), stdout=subprocess.DEVNULL
    )
    try:
        url = f"mongodb://127.0.0.1:{port}/bench?directConnection=true&retryWrites=false"
        wait_for_mongodb(url, proc)
        storage = MongoStorage(url + variant.url_options, timeout=10)
        try:
            yield storage
        finally:
            storage.close()
    finally:
        stop(proc)


def batches(count: int, size: int, with_ids: bool, seed: int) -> list[list[dict[str, Any]]]:
    """Licensing-style records as `prepare_records` leaves them (`_timestamp` parsed)."""
    rng = random.Random(seed)
    records = []
    for index in range(count):
        record: dict[str, Any] = {
            "_timestamp": START + timedelta(minutes=rng.randrange(104 * 7 * 24 * 60)),
            "authority": f"authority-{rng.randrange(300):03d}",
            "licence_name": f"Licence {rng.randrange(40):02d}",
            "channel": rng.choice(CHANNELS),
            "type": rng.choice(("success", "failure")),
            "count": rng.randrange(1, 100),
        }
        if with_ids:
            record["_id"] = f"rec-{seed}-{index:07d}"
        records.append(record)
    return [records[start : start + size] for start in range(0, count, size)]


def measure(
    stores: dict[str, MongoStorage], count: int, size: int, with_ids: bool
) -> dict[str, float]:
    """Records/s per variant, batches interleaved across the variants."""
    data_set = f"load_{'ids' if with_ids else 'no_ids'}"
    for storage in stores.values():
        storage.create_data_set(data_set, None)
        storage.save(data_set, batches(size, size, with_ids, seed=99)[0])  # warm-up
    elapsed = dict.fromkeys(stores, 0.0)
    keys = list(stores)
    for number, batch in enumerate(batches(count, size, with_ids, seed=1)):
        turn = number % len(keys)  # each variant goes first, second, ... equally often
        for key in keys[turn:] + keys[:turn]:
            started = time.perf_counter()
            stores[key].save(data_set, batch)
            elapsed[key] += time.perf_counter() - started
    return {key: count / seconds for key, seconds in elapsed.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=1_000)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch, contextlib.ExitStack() as stack:
        stores = {v.key: stack.enter_context(server(v, Path(scratch))) for v in VARIANTS}
        for with_ids in (True, False):
            rates = measure(stores, options.records, options.batch, with_ids)
            kind = "with _id (upserts)" if with_ids else "without _id (inserts)"
            print(
                f"\n{options.records} records {kind}, batches of {options.batch}, MongoStorage.save"
            )
            for variant in VARIANTS:
                print(f"  {variant.key} {variant.label:45s} {rates[variant.key]:9,.0f} rec/s")
            print(
                f"  durability B/A {rates['B'] / rates['A']:.2f}   "
                f"all-or-nothing C/B {rates['C'] / rates['B']:.2f}   "
                f"D/A {rates['D'] / rates['A']:.2f}   "
                f"whole change C/A {rates['C'] / rates['A']:.2f}"
            )


if __name__ == "__main__":
    main()
