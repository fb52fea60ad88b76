"""Measure how long one transform publish takes when the broker misbehaves, per broker.

    .venv/bin/python -m tools.broker_faults [--brokers redis,rabbitmq] [--watchdog 60]

For each broker (the test brokers: BACKDROP_TEST_REDIS_URL, BACKDROP_TEST_AMQP_URL, else the
local defaults) a proxy in front of it (tests/support/broker_proxy.py) plays each fault, and a
fresh write-app publisher (`TransformPublisher.trigger`, no circuit breaker cool-down) publishes
once through it:

* refused: nothing listens on the port;
* never answers: connections are accepted and never answered;
* hangs after connecting: a publish succeeds, then the connection freezes;
* answers slowly: every reply of the broker arrives 0.4 s late (each within a socket timeout);
* drops the connection: a publish succeeds, then the broker closes the connection.

Prints the seconds the publish took and whether the broker took the message; a publish still
running after `--watchdog` seconds is reported as such. A measurement, not a test.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from backdrop.core.config import Settings
from backdrop.core.storage import open_storage
from backdrop.transformers.publish import TransformPublisher
from tests.support.broker_proxy import BrokerProxy
from tests.support.processes import free_port
from tests.support.worker import amqp_url, redis_url

BROKERS = {"redis": lambda: redis_url(7), "rabbitmq": amqp_url}
MOMENT = datetime(2014, 1, 6, tzinfo=UTC)


def timed(publisher: TransformPublisher, watchdog: float) -> str:
    """One publish, watched: '<seconds> s <taken|not taken>' or 'still waiting after ...'."""
    outcome: list[str] = []

    def publish() -> None:
        started = time.monotonic()
        taken = publisher.trigger("a_data_set", MOMENT, MOMENT)
        outcome.append(f"{time.monotonic() - started:6.3f} s {'taken' if taken else 'not taken'}")

    thread = threading.Thread(target=publish, daemon=True)
    thread.start()
    thread.join(watchdog)
    return outcome[0] if outcome else f"still waiting after {watchdog:.0f} s"


def never_answers(proxy: BrokerProxy, warm_up: Callable[[], None]) -> None:
    """The proxy starts holding every connection."""


def hangs_after_connecting(proxy: BrokerProxy, warm_up: Callable[[], None]) -> None:
    proxy.forward()
    warm_up()
    proxy.hold()


def answers_slowly(proxy: BrokerProxy, warm_up: Callable[[], None]) -> None:
    proxy.forward(delay=0.4)


def drops_the_connection(proxy: BrokerProxy, warm_up: Callable[[], None]) -> None:
    proxy.forward()
    warm_up()
    proxy.drop()


FAULTS = {
    "never answers": never_answers,
    "hangs after connecting": hangs_after_connecting,
    "answers slowly (0.4 s per reply)": answers_slowly,
    "drops the connection": drops_the_connection,
}


def measure(name: str, broker: str, watchdog: float, data_dir: Path) -> None:
    storage = open_storage(Settings(data_dir=data_dir))  # never used by `trigger`
    refused = f"{broker.split('://', maxsplit=1)[0]}://127.0.0.1:{free_port()}/0"
    publisher = TransformPublisher(Settings(broker_url=refused, data_dir=data_dir), storage)
    print(f"{name:9} {'refused':34} {timed(publisher, watchdog)}", flush=True)
    for fault, prepare in FAULTS.items():
        with BrokerProxy(broker) as proxy:
            settings = Settings(broker_url=proxy.url(broker), data_dir=data_dir)
            publisher = TransformPublisher(settings, storage, cooldown=0.0)

            def warm_up(publisher: TransformPublisher = publisher) -> None:
                print(f"{'':9} {'(warm-up publish)':34} {timed(publisher, watchdog)}")

            prepare(proxy, warm_up)
            print(f"{name:9} {fault:34} {timed(publisher, watchdog)}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--brokers", default="redis,rabbitmq")
    parser.add_argument("--watchdog", type=float, default=60.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        for name in args.brokers.split(","):
            measure(name, BROKERS[name](), args.watchdog, Path(data_dir))


if __name__ == "__main__":
    main()
