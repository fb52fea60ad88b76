"""Rendered query answers kept per process, keyed by the query and the data set's data version.

The version comes from the database and changes with every change to the data set (any app,
any process, and never reused after a drop), so a cached answer is never served stale; old
versions simply stop being asked for and age out of the LRU.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable

from cachetools import LRUCache

from backdrop.core.metrics import Metrics


class _CountingLRU(LRUCache[Hashable, bytes]):
    """An LRU that reports each entry it drops to make room."""

    def __init__(self, maxsize: int, on_eviction: Callable[[], None]) -> None:
        super().__init__(maxsize=maxsize, getsizeof=len)
        self._on_eviction = on_eviction

    def popitem(self) -> tuple[Hashable, bytes]:
        item = super().popitem()
        self._on_eviction()
        return item


class ResponseCache:
    """A thread-safe LRU of response bodies, bounded by their total size in bytes; hits,
    misses and evictions are counted in `metrics`."""

    def __init__(self, max_bytes: int, metrics: Metrics | None = None) -> None:
        self._max_bytes = max_bytes
        self._metrics = metrics or Metrics()
        self._entries = _CountingLRU(max(max_bytes, 1), self._metrics.cache_eviction)
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> bytes | None:
        with self._lock:
            body = self._entries.get(key)
        self._metrics.cache_lookup(hit=body is not None)
        return body

    def put(self, key: Hashable, body: bytes) -> None:
        """Keep `body` unless it alone would take more than a quarter of the cache."""
        if len(body) > self._max_bytes // 4:
            return
        with self._lock:
            self._entries[key] = body
