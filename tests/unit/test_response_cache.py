from __future__ import annotations

from backdrop.core.response_cache import ResponseCache


def test_keeps_bodies_by_key() -> None:
    cache = ResponseCache(1000)
    cache.put(("ds", "v1", "q"), b"body")
    assert cache.get(("ds", "v1", "q")) == b"body"
    assert cache.get(("ds", "v2", "q")) is None


def test_evicts_least_recently_used_beyond_its_byte_budget() -> None:
    cache = ResponseCache(1000)
    for index in range(5):
        cache.put(index, bytes(200))
    cache.get(0)
    cache.put(5, bytes(200))  # 6 x 200 > 1000: the oldest unused entry (1) goes
    assert cache.get(0) is not None
    assert cache.get(1) is None
    assert cache.get(5) is not None


def test_does_not_keep_a_body_larger_than_a_quarter_of_the_budget() -> None:
    cache = ResponseCache(1000)
    cache.put("big", bytes(251))
    assert cache.get("big") is None


def test_a_zero_budget_keeps_nothing() -> None:
    cache = ResponseCache(0)
    cache.put("k", b"x")
    assert cache.get("k") is None
