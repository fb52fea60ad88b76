"""The per-process collaborators an app, the CLI or the worker needs, built once from Settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Self

from backdrop.core.config import Settings
from backdrop.core.data_sets import DataSets
from backdrop.core.registry import ConfigSource, open_config_source
from backdrop.core.storage import open_storage
from backdrop.core.storage.base import Storage


@dataclass(frozen=True, slots=True)
class Services:
    """Storage, the config source and the data-set operations over them."""

    settings: Settings
    storage: Storage
    configs: ConfigSource
    data_sets: DataSets

    @classmethod
    def build(
        cls, settings: Settings, storage: Storage | None = None, *, for_worker: bool = False
    ) -> Self:
        """Open storage (unless given one) and the config source; nothing connects yet."""
        storage = storage or open_storage(settings)
        configs = open_config_source(settings, storage, for_worker=for_worker)
        return cls(settings, storage, configs, DataSets(storage))

    def close(self) -> None:
        self.configs.close()
        self.storage.close()
