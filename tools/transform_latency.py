"""Measure the delay from a write to its transformed output, per broker.

    .venv/bin/python -m tools.transform_latency [--runs 7] [--brokers embedded,redis]

Starts the embedded database, the read and write apps and one real worker per broker (the
test harness's), on the built-in registry. Each run creates a data set with a weekly rate
transform, POSTs events, then polls the read API every 10 ms until the output holds both
weeks. Prints each delay and the median per broker. A measurement, not a test.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import requests

from backdrop.core.config import Settings
from backdrop.core.data_set_config import DataSetConfig
from backdrop.core.registry.local import LocalRegistry
from backdrop.core.registry.transforms import LocalTransforms
from backdrop.core.storage import open_storage
from backdrop.read.app import create_app as create_read_app
from backdrop.write.app import create_app as create_write_app
from tests.support.servers import LiveServer, embedded_mongodb
from tests.support.worker import poll, redis_url, running_worker
from tests.transformers.scenario import (
    EVENTS,
    RATE,
    RATES,
    rate_transform,
    read_all,
)

BROKERS = {
    "embedded": None,
    "redis": redis_url(11),
    "rabbitmq": "amqp://guest:guest@127.0.0.1:5672//",
}


def one_run(settings: Settings, read_url: str, write_url: str, http: requests.Session) -> float:
    storage = open_storage(settings)
    try:
        name = f"lat_{uuid.uuid4().hex[:10]}"
        _, token = LocalRegistry(storage).create(
            DataSetConfig(name=name, data_group=name, data_type="events")
        )
        example = rate_transform(name, "events")
        LocalTransforms(storage).create(
            function=RATE,
            input_group=name,
            input_type="events",
            output_type="completion-rate",
            query_parameters=example["query-parameters"],
            options=example["options"],
        )
    finally:
        storage.close()
    started = time.perf_counter()
    response = http.post(
        f"{write_url}/data/{name}/events", json=EVENTS, headers={"Authorization": f"Bearer {token}"}
    )
    response.raise_for_status()
    poll(
        lambda: len(read_all(http, read_url, name, "completion-rate")) == len(RATES),
        interval=0.01,
        timeout=60,
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--brokers", default="embedded,redis")
    options = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per poll
    with (
        tempfile.TemporaryDirectory(prefix="backdrop-latency-") as tmp,
        embedded_mongodb(Path(tmp) / "db") as url,
        requests.Session() as http,
    ):
        for broker in options.brokers.split(","):
            settings = Settings(
                database_url=url, broker_url=BROKERS[broker], data_dir=Path(tmp) / broker
            )
            storage = open_storage(settings)
            with (
                LiveServer(create_read_app(settings, storage=storage)) as read,
                LiveServer(create_write_app(settings, storage=storage)) as write,
                running_worker(settings, Path(tmp) / f"{broker}.log"),
            ):
                one_run(settings, read.url, write.url, http)  # warm-up, not counted
                delays = [one_run(settings, read.url, write.url, http) for _ in range(options.runs)]
            storage.close()
            shown = ", ".join(f"{delay * 1000:.0f}" for delay in delays)
            median = statistics.median(delays) * 1000
            print(f"{broker}: median {median:.0f} ms over {len(delays)} runs ({shown} ms)")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
