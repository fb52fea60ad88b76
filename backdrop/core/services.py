"""The per-process collaborators an app, the CLI or the worker needs, built once from Settings."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Self

from backdrop.core.config import Settings
from backdrop.core.data_sets import DataSets
from backdrop.core.metrics import Metrics
from backdrop.core.registry import open_config_source
from backdrop.core.registry.instrumented import InstrumentedConfigSource
from backdrop.core.response_cache import ResponseCache
from backdrop.core.storage import open_storage
from backdrop.core.storage.base import Storage


@dataclass(frozen=True, slots=True)
class Services:
    """Storage, the config source, the data-set operations over them, the response cache, and
    the process's metrics, which every one of them reports to. `reads` are the data-set
    operations over DATABASE_READ_URL (a replica) when it is set, else the same as `data_sets`:
    the read app answers queries with them."""

    settings: Settings
    storage: Storage
    configs: InstrumentedConfigSource
    data_sets: DataSets
    responses: ResponseCache
    metrics: Metrics
    reads: DataSets
    read_storage: Storage

    @classmethod
    def build(
        cls,
        settings: Settings,
        storage: Storage | None = None,
        *,
        for_worker: bool = False,
        metrics: Metrics | None = None,
    ) -> Self:
        """Open storage (unless given one) and the config source; nothing connects yet."""
        metrics = metrics or Metrics()
        storage = storage or open_storage(settings)
        source, source_name = open_config_source(settings, storage, for_worker=for_worker)
        configs = InstrumentedConfigSource(source, source_name, metrics)
        responses = ResponseCache(settings.response_cache_bytes, metrics)
        data_sets = DataSets(storage, settings.limits, metrics)
        read_storage, reads = storage, data_sets
        if settings.database_read_url is not None:
            read_storage = open_storage(replace(settings, database_url=settings.database_read_url))
            reads = DataSets(read_storage, settings.limits, metrics)
        return cls(settings, storage, configs, data_sets, responses, metrics, reads, read_storage)

    def close(self) -> None:
        self.configs.close()
        self.storage.close()
        if self.read_storage is not self.storage:
            self.read_storage.close()
