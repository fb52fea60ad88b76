"""The part of every engine's seam that is the same (core/storage/seam.py): what a driver's
failure does to the breaker and what it becomes, on a fake clock and a stand-in driver."""

from __future__ import annotations

import pytest

from backdrop.core.breaker import CircuitBreaker
from backdrop.core.errors import StorageError, StorageUnavailable, ValueNotStorable
from backdrop.core.storage.seam import DriverSeam
from tests.support.clock import Clock


class DriverFailure(Exception):
    """A stand-in driver's error; `reached` says whether its server answered."""

    def __init__(self, *, reached: bool) -> None:
        super().__init__("quotes a record: secret")
        self.reached = reached


class StandIn(DriverSeam):
    failures = (DriverFailure,)
    unavailable = "Stand-in is unavailable"

    def __init__(self, breaker: CircuitBreaker, *, answers: bool = True) -> None:
        super().__init__(breaker)
        self.answers = answers
        self.logged: list[tuple[str, str]] = []

    def unreachable(self, failure: BaseException) -> bool:
        return isinstance(failure, DriverFailure) and not failure.reached

    def translate(self, failure: BaseException) -> StorageError:
        return ValueNotStorable("refused")

    def answered(self, failure: BaseException) -> bool:
        return self.answers

    def log(self, operation: str, failure: BaseException, error: StorageError) -> None:
        self.logged.append((operation, type(error).__name__))


def failing(seam: DriverSeam, failure: BaseException) -> BaseException:
    with pytest.raises(BaseException) as raised, seam.guard("save"):
        raise failure
    return raised.value


def opened(clock: Clock) -> CircuitBreaker:
    """A breaker that opened a cool-down ago: the next call goes through as its probe."""
    breaker = CircuitBreaker(cooldown=1.0, clock=clock)
    breaker.failed()
    clock.now += 1.0
    return breaker


def test_an_unreachable_database_is_unavailable_and_opens_the_breaker() -> None:
    seam = StandIn(CircuitBreaker(cooldown=1.0, clock=Clock()))
    error = failing(seam, DriverFailure(reached=False))
    assert type(error) is StorageUnavailable
    assert error.message == "Stand-in is unavailable"
    assert isinstance(error.__cause__, DriverFailure)
    assert seam.logged == [("save", "StorageUnavailable")]
    with pytest.raises(StorageUnavailable), seam.guard("find"):  # refused at once
        raise AssertionError("not run while the breaker is open")
    assert seam.logged == [("save", "StorageUnavailable")]


def test_a_refusal_becomes_the_engines_error_and_an_answer_closes_the_breaker() -> None:
    clock = Clock()
    seam = StandIn(opened(clock))
    error = failing(seam, DriverFailure(reached=True))
    assert type(error) is ValueNotStorable
    assert error.message == "refused"
    assert not seam.breaker.is_open


def test_a_refusal_that_is_no_answer_leaves_the_breaker_as_it_was() -> None:
    clock = Clock()
    seam = StandIn(opened(clock), answers=False)
    failing(seam, DriverFailure(reached=True))
    assert seam.breaker.is_open
    assert seam.breaker.allow()  # the probe's slot is free again


def test_an_error_of_ours_passes_through_and_frees_the_probe() -> None:
    clock = Clock()
    seam = StandIn(opened(clock))
    assert type(failing(seam, KeyError("ours"))) is KeyError
    assert seam.breaker.is_open and seam.breaker.allow()
    assert seam.logged == []


def test_a_call_that_succeeds_closes_the_breaker() -> None:
    clock = Clock()
    seam = StandIn(opened(clock))
    with seam.guard("ping"):
        pass
    assert not seam.breaker.is_open
