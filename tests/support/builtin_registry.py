"""The apps as a default deployment runs them: configs from the built-in registry in the
database (no Stagecraft), so every data set name, group, type and id a client sends reaches the
database, and a token created the way `backdrop data-set create` creates it."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace

from backdrop.core.config import Settings
from backdrop.core.data_set_config import DataSetConfig
from backdrop.core.registry.local import LocalRegistry
from backdrop.core.storage.base import Storage
from backdrop.read.app import create_app as create_read_app
from backdrop.write.app import create_app as create_write_app
from tests.support.servers import LiveServer


@dataclass(frozen=True, slots=True)
class BuiltinApps:
    """A read and a write app (real HTTP servers) over the built-in registry."""

    read_url: str
    write_url: str
    storage: Storage


@dataclass(frozen=True, slots=True)
class RegisteredDataSet:
    """A data set registered in the built-in registry, with its plain bearer token."""

    config: DataSetConfig
    token: str

    @property
    def path(self) -> str:
        return f"/data/{self.config.data_group}/{self.config.data_type}"

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}


def builtin_settings(settings: Settings) -> Settings:
    """`settings` without Stagecraft: the built-in registry serves the configs."""
    return replace(settings, stagecraft_url=None, signon_api_user_token=None)


@contextlib.contextmanager
def builtin_apps(settings: Settings, storage: Storage) -> Iterator[BuiltinApps]:
    local = builtin_settings(settings)
    with (
        LiveServer(create_read_app(local, storage=storage)) as read,
        LiveServer(create_write_app(local, storage=storage)) as write,
    ):
        yield BuiltinApps(read.url, write.url, storage)


def register(storage: Storage, **overrides: object) -> RegisteredDataSet:
    """A fresh data set in the built-in registry (group `g<hex>`, type `t<hex>`)."""
    suffix = uuid.uuid4().hex[:12]
    fields: dict[str, object] = {
        "name": f"ds_{suffix}",
        "data_group": f"g{suffix}",
        "data_type": f"t{suffix}",
        "raw_queries_allowed": True,
        "max_age_expected": None,
        **overrides,
    }
    config, token = LocalRegistry(storage).create(DataSetConfig(**fields))  # type: ignore[arg-type]
    return RegisteredDataSet(config, token)
