"""Measure what the transform outbox costs a write, per engine, in one interleaved run.

    .venv/bin/python -m tools.measure_outbox_cost [--rounds 300] [--records 10]

Starts the embedded database (MongoDB engine) and a throw-away PostgreSQL database (on
BACKDROP_TEST_POSTGRES_URL, else the local server), publishes to the test Redis
(BACKDROP_TEST_REDIS_URL, else the local one, database 6), and times three ways of writing a
batch of records (core, no HTTP), interleaved round by round so all meet the same conditions:

* records: `DataSets.append` without transforms;
* + publish: the same, then the entrypoint published straight to the broker (no outbox: how
  writes published transforms before the outbox);
* + outbox: the write path now: records and their dispatch stored together, the dispatch
  published and forgotten (`TransformPublisher.deliver`), and the periodic outbox look.

Prints the median and p95 per write and the ratios. A measurement, not a test.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from backdrop.core.config import Settings
from backdrop.core.data_set_config import DataSetConfig
from backdrop.core.records import timestamp_bounds
from backdrop.core.services import Services
from backdrop.transformers.publish import TransformPublisher
from tests.support.engines import ENGINES_UNDER_TEST
from tests.support.worker import purge, redis_url


def batch(size: int, round_: int) -> list[dict[str, Any]]:
    return [
        {"_timestamp": f"2014-01-{1 + n % 28:02d}T10:00:00Z", "round": round_, "count": n}
        for n in range(size)
    ]


@contextmanager
def engine_settings(engine: str, data_dir: Path) -> Iterator[Settings]:
    with ENGINES_UNDER_TEST[engine].session_database(data_dir / "db") as url:
        yield Settings(
            database_engine=engine, database_url=url, broker_url=redis_url(6), data_dir=data_dir
        )


def measure(settings: Settings, rounds: int, size: int) -> dict[str, list[float]]:
    services = Services.build(settings)
    publisher = TransformPublisher(settings, services.storage)
    name = f"cost_{uuid.uuid4().hex[:8]}"
    config = DataSetConfig(name=name, data_group=name, data_type="events")
    appends = services.data_sets.append

    def records(round_: int) -> None:
        appends(config, batch(size, round_), transforms=False)

    def with_publish(round_: int) -> None:
        stored = appends(config, batch(size, round_), transforms=False).records
        bounds = timestamp_bounds(stored)
        assert bounds is not None
        assert publisher.trigger(config.name, *bounds)

    def with_outbox(round_: int) -> None:
        dispatch = appends(config, batch(size, round_), transforms=True).dispatch
        assert dispatch is not None
        assert publisher.deliver(dispatch, stored=True)

    ways: dict[str, Callable[[int], None]] = {
        "records": records,
        "+ publish": with_publish,
        "+ outbox": with_outbox,
    }
    times: dict[str, list[float]] = {name: [] for name in ways}
    try:
        for round_ in range(rounds):
            for name, write in ways.items():
                started = time.perf_counter()
                write(round_)
                if round_ >= 10:  # warm-up
                    times[name].append(time.perf_counter() - started)
        assert services.storage.count_dispatches() == 0
    finally:
        publisher.close()
        services.close()
        purge(settings)
    return times


def report(engine: str, times: dict[str, list[float]]) -> None:
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, values in times.items():
        p95 = statistics.quantiles(values, n=20)[-1]
        median = medians[name] * 1000
        print(f"{engine:9} {name:10} median {median:7.2f} ms  p95 {p95 * 1000:7.2f} ms")
    print(
        f"{engine:9} outbox / publish without it: {medians['+ outbox'] / medians['+ publish']:.2f}"
        f"   outbox / records only: {medians['+ outbox'] / medians['records']:.2f}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--records", type=int, default=10)
    parser.add_argument("--engines", default="mongodb,postgres")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        for engine in args.engines.split(","):
            settings = stack.enter_context(engine_settings(engine, Path(tmp) / engine))
            report(engine, measure(settings, args.rounds, args.records))


if __name__ == "__main__":
    main()
