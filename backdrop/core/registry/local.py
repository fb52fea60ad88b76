"""The built-in registry: data-set configs kept in the database, managed by the `backdrop` CLI.

Tokens are generated with `secrets` and stored as SHA-256 digests; the plain token is shown once,
when it is created or rotated.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from backdrop.core.data_set_config import DataSetConfig, is_data_set_name, token_digest
from backdrop.core.errors import DataSetNotFound, RequestInvalid
from backdrop.core.storage.base import Storage

DATA_SETS = "data_sets"
_NAME = re.compile(r"^[a-z][a-z0-9_]+$")
_ROUTE_PART = re.compile(r"^[A-Za-z0-9_-]+$")


def new_token() -> str:
    """A fresh bearer token: 256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


class LocalRegistry:
    """A `ConfigSource` reading (and the CLI writing) config documents in the storage engine."""

    def __init__(self, storage: Storage) -> None:
        self._storage = storage

    def close(self) -> None:
        """Nothing to release: the storage belongs to the caller."""

    def ping(self) -> None:
        self._storage.ping()

    # -- ConfigSource ------------------------------------------------------------------------

    def by_group_and_type(self, data_group: str, data_type: str) -> DataSetConfig | None:
        if "\0" in data_group or "\0" in data_type:  # no engine stores NUL: no config has it
            return None
        found = self._storage.find_documents(
            DATA_SETS, {"data_group": data_group, "data_type": data_type}
        )
        return DataSetConfig.from_stagecraft(found[0]) if found else None

    def by_name(self, name: str) -> DataSetConfig | None:
        if not is_data_set_name(name):  # a name no data set can have is not asked for
            return None
        document = self._storage.get_document(DATA_SETS, name)
        return DataSetConfig.from_stagecraft(document) if document else None

    def all(self) -> list[DataSetConfig]:
        return [DataSetConfig.from_stagecraft(d) for d in self._storage.find_documents(DATA_SETS)]

    # -- management (CLI) --------------------------------------------------------------------

    def create(self, config: DataSetConfig) -> tuple[DataSetConfig, str]:
        """Register a new data set with a new token; returns it and the plain token."""
        _check_names(config)
        if self.by_name(config.name) is not None:
            raise RequestInvalid(f'A data set named "{config.name}" already exists')
        if self.by_group_and_type(config.data_group, config.data_type) is not None:
            raise RequestInvalid(
                f'A data set is already routed at "{config.data_group}/{config.data_type}"'
            )
        token = new_token()
        self._put(config, token_digest(token))
        return config, token

    def update(self, name: str, changes: Mapping[str, Any]) -> DataSetConfig:
        """Change some fields of a registered data set (its name and token stay)."""
        current = self._require(name)
        updated = replace(current, **changes)
        _check_names(updated)
        other = self.by_group_and_type(updated.data_group, updated.data_type)
        if other is not None and other.name != name:
            raise RequestInvalid(
                f'A data set is already routed at "{updated.data_group}/{updated.data_type}"'
            )
        self._put(updated, current.bearer_token_sha256)
        return updated

    def rotate_token(self, name: str) -> tuple[DataSetConfig, str]:
        """Replace a data set's token; the old one stops working at once."""
        current = self._require(name)
        token = new_token()
        self._put(current, token_digest(token))
        return current, token

    def delete(self, name: str) -> None:
        """Forget a data set's config (its records stay until dropped)."""
        if not self._storage.delete_document(DATA_SETS, name):
            raise DataSetNotFound(f'No data set named "{name}"')

    def _require(self, name: str) -> DataSetConfig:
        config = self.by_name(name)
        if config is None:
            raise DataSetNotFound(f'No data set named "{name}"')
        return config

    def _put(self, config: DataSetConfig, digest: str | None) -> None:
        document = {**config.to_document(), "bearer_token_sha256": digest}
        self._storage.put_document(DATA_SETS, config.name, document)


def _check_names(config: DataSetConfig) -> None:
    if not _NAME.match(config.name):
        raise RequestInvalid(
            f'"{config.name}" is not a valid data set name: use lower-case letters, digits and _'
        )
    for part in (config.data_group, config.data_type):
        if not _ROUTE_PART.match(part):
            raise RequestInvalid(f'"{part}" is not a valid data group or data type')
