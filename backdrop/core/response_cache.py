"""Rendered query answers kept per process, keyed by the query and the data set's data version.

The version comes from the database and changes with every change to the data set (any app,
any process, and never reused after a drop), so a cached answer is never served stale; old
versions simply stop being asked for and age out of the LRU.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable

from cachetools import LRUCache


class ResponseCache:
    """A thread-safe LRU of response bodies, bounded by their total size in bytes."""

    def __init__(self, max_bytes: int) -> None:
        self._max_bytes = max_bytes
        self._entries: LRUCache[Hashable, bytes] = LRUCache(
            maxsize=max(max_bytes, 1), getsizeof=len
        )
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> bytes | None:
        with self._lock:
            return self._entries.get(key)

    def put(self, key: Hashable, body: bytes) -> None:
        """Keep `body` unless it alone would take more than a quarter of the cache."""
        if len(body) > self._max_bytes // 4:
            return
        with self._lock:
            self._entries[key] = body
