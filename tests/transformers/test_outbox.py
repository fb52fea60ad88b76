"""The outbox on real storage (both engines) and a real Redis broker: a dispatch the broker
does not take is kept, counted and logged; a drain delivers waiting ones oldest first, within
its limit, leaving claimed and young ones alone, and stops at the first refusal."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
import redis

from backdrop.core.config import Settings
from backdrop.core.data_set_config import DataSetConfig
from backdrop.core.data_sets import new_dispatch
from backdrop.core.storage.base import Dispatch, Storage
from backdrop.transformers.dispatch import WorkerContext, run_and_chain
from backdrop.transformers.outbox import Drained, DrainSchedule, drain
from backdrop.transformers.publish import TransformPublisher
from tests.support.broker_proxy import BrokerProxy
from tests.support.clock import Clock
from tests.support.outbox import empty_outbox
from tests.support.stagecraft import RegisterDataSet
from tests.support.worker import redis_url, with_broker
from tests.transformers.redis_queue import messages
from tests.transformers.scenario import EVENTS, rate_transform

REDIS_DB = 9
# Shared with every other test process: one module at a time uses these (tests/conftest.py).
pytestmark = pytest.mark.shares_brokers(f"redis/{REDIS_DB}")
BOUND = 3.0  # seconds: the "a few seconds at most", generously
START = datetime(2014, 1, 6, 10, tzinfo=UTC)
EVENTS_RANGE: tuple[str, str] = (str(EVENTS[0]["_timestamp"]), str(EVENTS[-1]["_timestamp"]))


@pytest.fixture(scope="module")
def broker_settings(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return with_broker(settings, redis_url(REDIS_DB), tmp_path_factory)


class Outbox:
    """The storage's outbox, and the dispatches a test added there."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.added: list[Dispatch] = []

    def add(self, name: str, count: int) -> list[Dispatch]:
        """`count` dispatches of `name` stored one after the other (oldest first)."""
        for day in range(count):
            earliest = START + timedelta(days=day)
            self.added.append(new_dispatch(name, earliest, earliest + timedelta(hours=1)))
            self.storage.add_dispatch(self.added[-1])
        return self.added[-count:]

    def count(self) -> int:
        return self.storage.count_dispatches()

    def drain(self, publisher: TransformPublisher, limit: int = 10, min_age: float = 0) -> Drained:
        return drain(
            self.storage, publisher, limit=limit, deadline=time.monotonic() + 5, min_age=min_age
        )


@pytest.fixture
def outbox(storage: Storage) -> Iterator[Outbox]:
    """Nothing waits in the outbox before the test, and nothing it added (claimed or not)
    after it, so no later test's drain delivers it."""
    empty_outbox(storage)
    box = Outbox(storage)
    yield box
    for dispatch in box.added:
        storage.finish_dispatch(dispatch.id)
    empty_outbox(storage)


@pytest.fixture
def publisher_for(
    broker_settings: Settings, storage: Storage
) -> Iterator[Callable[..., TransformPublisher]]:
    """Publishers on the given broker URL (default: the real Redis), closed afterwards."""
    made: list[TransformPublisher] = []

    def make(url: str | None = None, **options: float) -> TransformPublisher:
        on_url = replace(broker_settings, broker_url=url or broker_settings.broker_url)
        publisher = TransformPublisher(on_url, storage, **options)
        made.append(publisher)
        return publisher

    yield make
    for publisher in made:
        publisher.close()


@pytest.fixture
def publisher(publisher_for: Callable[..., TransformPublisher]) -> TransformPublisher:
    """A publisher on the real Redis."""
    return publisher_for()


def published_days(queue: redis.Redis) -> list[str]:
    return [message["args"][1] for message in messages(queue)]


def wire(dispatch: Dispatch) -> str:
    return dispatch.earliest.isoformat().replace("+00:00", "Z")


def test_a_dispatch_the_broker_does_not_take_is_kept_counted_and_logged(
    outbox: Outbox,
    publisher_for: Callable[..., TransformPublisher],
    data_set_name: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with BrokerProxy() as black_hole:  # accepts connections, never answers
        publisher = publisher_for(black_hole.url("redis://127.0.0.1/0"))
        (stored,) = outbox.add(data_set_name, 1)
        caplog.set_level(logging.INFO, logger="backdrop.transformers.publish")
        started = time.monotonic()
        assert publisher.deliver(stored, stored=True) is False
        assert time.monotonic() - started < BOUND
        manual = new_dispatch(data_set_name, START, START + timedelta(days=9))
        outbox.added.append(manual)
        assert publisher.deliver(manual, stored=False) is False  # the breaker answers
    state = publisher.state()
    assert state == {
        "last_publish": "failed",
        "published": 0,
        "failed": 2,
        "kept": 2,
        "delivered_later": 0,
        "waiting_dispatches": 2,
    }
    lines = [r for r in caplog.records if r.getMessage() == "transform dispatch failed"]
    facts = [(r.data_set, r.earliest, r.latest) for r in lines]  # type: ignore[attr-defined]
    assert facts == [
        (data_set_name, "2014-01-06T10:00:00Z", "2014-01-06T11:00:00Z"),
        (data_set_name, "2014-01-06T10:00:00Z", "2014-01-15T10:00:00Z"),
    ]
    errors = [r.error for r in lines]  # type: ignore[attr-defined]
    assert errors[0].isidentifier() and errors[1] == "BrokerCoolingDown"


def test_a_published_dispatch_is_forgotten_and_counted(
    outbox: Outbox,
    publisher: TransformPublisher,
    queue: redis.Redis,
    data_set_name: str,
) -> None:
    (stored,) = outbox.add(data_set_name, 1)
    assert publisher.deliver(stored, stored=True) is True
    assert (publisher.published, publisher.failed, publisher.last_outcome) == (1, 0, "published")
    assert outbox.count() == 0
    assert [m["args"] for m in messages(queue)] == [
        [data_set_name, "2014-01-06T10:00:00Z", "2014-01-06T11:00:00Z"]
    ]


def test_a_drain_delivers_the_oldest_first_up_to_its_limit(
    outbox: Outbox,
    publisher: TransformPublisher,
    queue: redis.Redis,
    data_set_name: str,
) -> None:
    dispatches = outbox.add(data_set_name, 5)
    first = outbox.drain(publisher, limit=3, min_age=0)
    assert (first.delivered, first.emptied) == (3, False)
    assert published_days(queue) == [wire(d) for d in dispatches[:3]]
    assert outbox.count() == 2
    rest = outbox.drain(publisher, limit=10, min_age=0)
    assert (rest.delivered, rest.emptied) == (2, True)
    assert published_days(queue) == [wire(d) for d in dispatches]
    assert (publisher.delivered_later, outbox.count()) == (5, 0)


def test_a_claimed_dispatch_waits_for_its_lease(
    outbox: Outbox,
    publisher: TransformPublisher,
    queue: redis.Redis,
    data_set_name: str,
) -> None:
    (leased, free) = outbox.add(data_set_name, 2)
    assert [d.id for d in outbox.storage.claim_dispatches(1, lease_seconds=0.5)] == [leased.id]
    drained = outbox.drain(publisher, limit=10, min_age=0)
    assert (drained.delivered, published_days(queue)) == (1, [wire(free)])
    time.sleep(0.6)  # the claimer never finished: its lease ends
    drained = outbox.drain(publisher, limit=10, min_age=0)
    assert (drained.delivered, published_days(queue)) == (1, [wire(free), wire(leased)])


def test_a_young_dispatch_is_left_to_the_process_that_stored_it(
    outbox: Outbox,
    publisher: TransformPublisher,
    queue: redis.Redis,
    data_set_name: str,
) -> None:
    (young,) = outbox.add(data_set_name, 1)
    assert outbox.drain(publisher, limit=10, min_age=0.5) == (Drained(0, emptied=True))
    time.sleep(0.6)
    assert outbox.drain(publisher, limit=10, min_age=0.5) == (Drained(1, emptied=True))
    assert published_days(queue) == [wire(young)]


def test_a_drain_stops_at_the_first_dispatch_the_broker_does_not_take(
    outbox: Outbox, publisher_for: Callable[..., TransformPublisher], data_set_name: str
) -> None:
    with BrokerProxy() as black_hole:
        publisher = publisher_for(black_hole.url("redis://127.0.0.1/0"))
        _, *others = outbox.add(data_set_name, 3)
        drained = outbox.drain(publisher, limit=10, min_age=0)
    assert drained == Drained(0, emptied=False)
    assert (publisher.failed, outbox.count()) == (1, 3)
    # only the first was claimed (claims start at one): the others are free for the next drain
    assert [d.id for d in outbox.storage.claim_dispatches(10, 60)] == [d.id for d in others]


def test_a_writer_looks_in_the_outbox_at_most_every_few_seconds_when_it_saw_no_failure() -> None:
    clock = Clock()
    schedule = DrainSchedule(every=5.0, clock=clock)
    assert schedule.begin()
    schedule.end(emptied=True)
    clock.now += 4.9
    assert not schedule.begin()
    clock.now += 0.1
    assert schedule.begin()


def test_a_writer_that_saw_a_failure_looks_until_the_outbox_ran_dry() -> None:
    clock = Clock()
    schedule = DrainSchedule(every=5.0, clock=clock)
    assert schedule.begin()
    schedule.end(emptied=True)
    schedule.failed()
    assert schedule.begin()
    schedule.end(emptied=False)  # stopped at its limit: more may wait
    assert schedule.begin()
    schedule.end(emptied=True)
    assert not schedule.begin()


def test_one_look_at_a_time_per_process() -> None:
    schedule = DrainSchedule(every=0.0, clock=Clock())
    assert schedule.begin()
    assert not schedule.begin()
    schedule.end(emptied=True)
    assert schedule.begin()


def test_a_chained_dispatch_the_broker_does_not_take_waits_and_fails_no_task(
    outbox: Outbox,
    settings: Settings,
    register_data_set: RegisterDataSet,
    data_set_name: str,
) -> None:
    source = register_data_set(data_set_name, data_type="events")
    config = DataSetConfig.from_stagecraft(source)
    with BrokerProxy() as black_hole:
        context = WorkerContext(replace(settings, broker_url=black_hole.url("redis://h/0")))
        try:
            context.services.data_sets.append(config, EVENTS, transforms=False)
            started = time.monotonic()
            # returns (the task succeeds: its output is stored, no retry reruns it)
            run_and_chain(context, source, rate_transform(data_set_name, "events"), EVENTS_RANGE)
            assert time.monotonic() - started < BOUND
            assert (context.publisher.failed, context.publisher.kept) == (1, 1)
        finally:
            context.close()
    (chained,) = outbox.storage.claim_dispatches(10, 60)
    outbox.added.append(chained)
    assert (chained.data_set, chained.earliest, chained.latest) == (
        f"{data_set_name}_completion_rate",
        datetime(2014, 1, 6, tzinfo=UTC),
        datetime(2014, 1, 13, tzinfo=UTC),
    )
