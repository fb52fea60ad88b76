"""The circuit breaker the storage engines keep at their driver seam, on a fake clock."""

from __future__ import annotations

from backdrop.core.breaker import CircuitBreaker
from tests.support.clock import Clock


def test_a_closed_breaker_lets_every_call_through() -> None:
    breaker = CircuitBreaker(cooldown=1.0, clock=Clock())
    assert all(breaker.allow() for _ in range(5))
    assert not breaker.is_open


def test_after_a_failure_calls_are_refused_until_the_cooldown_has_passed() -> None:
    clock = Clock()
    breaker = CircuitBreaker(cooldown=1.0, clock=clock)
    breaker.failed()
    assert breaker.is_open
    assert not breaker.allow()
    clock.now += 0.99
    assert not breaker.allow()


def test_then_one_probe_at_a_time_goes_through() -> None:
    clock = Clock()
    breaker = CircuitBreaker(cooldown=1.0, clock=clock)
    breaker.failed()
    clock.now += 1.0
    assert breaker.allow()  # the probe
    assert not breaker.allow()  # others still fail fast while it runs
    breaker.succeeded()
    assert not breaker.is_open
    assert breaker.allow() and breaker.allow()


def test_a_failed_probe_opens_it_for_another_cooldown() -> None:
    clock = Clock()
    breaker = CircuitBreaker(cooldown=1.0, clock=clock)
    breaker.failed()
    clock.now += 1.5
    assert breaker.allow()
    breaker.failed()
    assert not breaker.allow()
    clock.now += 1.0
    assert breaker.allow()


def test_a_probe_that_ended_without_a_verdict_frees_its_slot() -> None:
    clock = Clock()
    breaker = CircuitBreaker(cooldown=1.0, clock=clock)
    breaker.failed()
    clock.now += 1.0
    assert breaker.allow()
    breaker.released()
    assert breaker.allow()
