"""A config source that counts and times its lookups (Prometheus `backdrop_registry_*`).

Every request looks its data set up afresh (spec 4.2), so the registry's latency and failures
are part of every request's; this makes them visible apart from the database's.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from backdrop.core.data_set_config import DataSetConfig
from backdrop.core.metrics import Metrics
from backdrop.core.registry import ConfigSource

T = TypeVar("T")


class InstrumentedConfigSource:
    """A `ConfigSource` that delegates to `source`, observing each lookup."""

    def __init__(self, source: ConfigSource, name: str, metrics: Metrics) -> None:
        self.source = source
        self._name = name
        self._metrics = metrics

    def _observe(self, operation: str, lookup: Callable[[], T]) -> T:
        started = time.perf_counter()
        outcome = "error"
        try:
            found = lookup()
            outcome = "not_found" if found is None else "found"
            return found
        finally:
            self._metrics.lookup(self._name, operation, outcome, time.perf_counter() - started)

    def by_group_and_type(self, data_group: str, data_type: str) -> DataSetConfig | None:
        return self._observe(
            "by_group_and_type", lambda: self.source.by_group_and_type(data_group, data_type)
        )

    def by_name(self, name: str) -> DataSetConfig | None:
        return self._observe("by_name", lambda: self.source.by_name(name))

    def all(self) -> list[DataSetConfig]:
        return self._observe("all", self.source.all)

    def ping(self) -> None:
        """Readiness probes are not lookups: not counted."""
        self.source.ping()

    def close(self) -> None:
        self.source.close()
