"""The per-process collaborators an app, the CLI or the worker needs, built once from Settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Self

from backdrop.core.config import Settings
from backdrop.core.data_sets import DataSets
from backdrop.core.registry import ConfigSource, open_config_source
from backdrop.core.response_cache import ResponseCache
from backdrop.core.storage import open_storage
from backdrop.core.storage.base import Storage


@dataclass(frozen=True, slots=True)
class Services:
    """Storage, the config source, the data-set operations over them and the response cache."""

    settings: Settings
    storage: Storage
    configs: ConfigSource
    data_sets: DataSets
    responses: ResponseCache

    @classmethod
    def build(
        cls, settings: Settings, storage: Storage | None = None, *, for_worker: bool = False
    ) -> Self:
        """Open storage (unless given one) and the config source; nothing connects yet."""
        storage = storage or open_storage(settings)
        configs = open_config_source(settings, storage, for_worker=for_worker)
        responses = ResponseCache(settings.response_cache_bytes)
        return cls(settings, storage, configs, DataSets(storage, settings.limits), responses)

    def close(self) -> None:
        self.configs.close()
        self.storage.close()
