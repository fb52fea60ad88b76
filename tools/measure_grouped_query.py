"""Measure a grouped period query through the read app against the same aggregation in pymongo.

    .venv/bin/python -m tools.measure_grouped_query [--records 100000] [--runs 9]

Starts the embedded database (`start-app.sh db`) and the read and write apps (`start-app.sh
read|write`, gunicorn, one worker each) on free ports with their files in a temporary directory,
registers a data set in the built-in registry, writes the records through the write app in
batches of 1,000 (as a collector does), then times, in one run and interleaved:

* `GET /data/<g>/<t>?period=week&group_by=channel&collect=volume:sum&start_at=…&end_at=…`
  through the read app (HTTP, keep-alive, Stagecraft replaced by the built-in registry), and
* the same `$match`/`$group` pipeline run directly with pymongo (`aggregate`, results listed),

for a year-long range (every record) and a 13-week range. Prints the median and spread of each.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import requests
from pymongo import MongoClient
from pymongo.collection import Collection

from backdrop.core.config import Settings
from backdrop.core.data_set_config import DataSetConfig
from backdrop.core.query_parser import parse_query
from backdrop.core.registry.local import LocalRegistry
from backdrop.core.storage import open_storage
from backdrop.core.storage.mongo.pipeline import group_pipeline
from tests.support import processes

START = datetime(2013, 1, 7, tzinfo=UTC)  # a Monday
CHANNELS = ("assisted-digital", "fully-digital", "manual", "phone", "post")
QUERIES = {
    "52 weeks (all records)": "start_at=2013-01-07T00:00:00Z&end_at=2014-01-06T00:00:00Z",
    "13 weeks": "start_at=2013-04-01T00:00:00Z&end_at=2013-07-01T00:00:00Z",
}
GROUPED = "period=week&group_by=channel&collect=volume%3Asum&"


def records(count: int) -> Iterator[dict[str, Any]]:
    """`count` records spread evenly over the 52 weeks from START."""
    step = timedelta(weeks=52) / count
    for index in range(count):
        yield {
            "_timestamp": (START + step * index).isoformat(),
            "channel": CHANNELS[index % len(CHANNELS)],
            "region": f"region-{index * 7 % 12}",
            "volume": index % 100,
        }


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = action()
    return (time.perf_counter() - started) * 1000, result


def summary(samples: list[float]) -> str:
    return (
        f"median {statistics.median(samples):8.1f} ms   "
        f"min {min(samples):8.1f}   max {max(samples):8.1f}   (n={len(samples)})"
    )


def write_records(http: requests.Session, url: str, token: str, count: int) -> None:
    """POST the records in batches of 1,000, as a collector does."""
    generated = records(count)
    while batch := [record for _, record in zip(range(1000), generated, strict=False)]:
        response = http.post(url, json=batch, headers={"Authorization": f"Bearer {token}"})
        response.raise_for_status()


def measure(http: requests.Session, read_url: str, collection: Collection[Any], runs: int) -> None:
    """Time each query through the read app and directly, interleaved; print the summary."""
    for label, window in QUERIES.items():
        query_string = GROUPED + window
        pipeline = group_pipeline(parse_query(parse_qs(query_string), raw_queries_allowed=False))
        url = f"{read_url}/data/measure/volumes?{query_string}"
        bypass = {"Cache-Control": "no-cache"}  # time the query, not the response cache
        http.get(url, headers=bypass).raise_for_status()  # warm up both paths once
        list(collection.aggregate(pipeline))
        through_app: list[float] = []
        direct: list[float] = []
        for _ in range(runs):
            elapsed, response = timed(lambda: http.get(url, headers=bypass))  # noqa: B023
            response.raise_for_status()
            through_app.append(elapsed)
            elapsed, rows = timed(lambda: list(collection.aggregate(pipeline)))  # noqa: B023
            direct.append(elapsed)
        data = response.json()["data"]
        overhead = statistics.median(through_app) - statistics.median(direct)
        print(f"\n{label}: {sum(group['_count'] for group in data)} records in {len(data)} groups"
              f" x {len(data[0]['values'])} weeks; pymongo rows: {len(rows)}")  # fmt: skip
        print(f"  read app (HTTP)   {summary(through_app)}")
        print(f"  pymongo aggregate {summary(direct)}")
        print(f"  difference        {overhead:+.1f} ms (median - median)")


def main() -> None:
    options = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    options.add_argument("--records", type=int, default=100_000)
    options.add_argument("--runs", type=int, default=9)
    args = options.parse_args()

    with ExitStack() as stack:
        data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="measure-")))
        url = stack.enter_context(processes.embedded_database(data_dir))
        client: MongoClient[dict[str, Any]] = MongoClient(url, tz_aware=True)
        stack.callback(client.close)

        storage = open_storage(Settings(database_url=url, data_dir=data_dir))
        stack.callback(storage.close)
        config = DataSetConfig(name="measure_volumes", data_group="measure", data_type="volumes")
        _, token = LocalRegistry(storage).create(config)

        env = {
            "BACKDROP_DATA_DIR": str(data_dir),
            "DATABASE_URL": url,
            "STAGECRAFT_URL": "",
            "WEB_CONCURRENCY": "1",
        }
        write_url = stack.enter_context(processes.app("write", env)).url
        read_url = stack.enter_context(processes.app("read", env)).url

        http = stack.enter_context(requests.Session())
        started = time.perf_counter()
        write_records(http, f"{write_url}/data/measure/volumes", token, args.records)
        collection = client.get_default_database()[config.name]
        stored = collection.count_documents({})
        print(
            f"wrote {stored} records through the write app in {time.perf_counter() - started:.1f} s"
        )
        measure(http, read_url, collection, args.runs)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
