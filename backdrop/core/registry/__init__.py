"""Where data-set configs come from: Stagecraft over HTTP, or the built-in registry.

Both are looked up afresh on every request (no cache): a data set created, changed or removed
counts from the very next request (spec 4.2).
"""

from __future__ import annotations

from typing import Protocol

from backdrop.core.config import Settings
from backdrop.core.data_set_config import DataSetConfig
from backdrop.core.storage.base import Storage


class ConfigSource(Protocol):
    """Read access to data-set configs; every method raises ConfigUnavailable on failure."""

    def by_group_and_type(self, data_group: str, data_type: str) -> DataSetConfig | None:
        """The config routed at `/data/<data_group>/<data_type>`, or None."""
        ...

    def by_name(self, name: str) -> DataSetConfig | None:
        """The config called `name`, or None."""
        ...

    def all(self) -> list[DataSetConfig]:
        """Every config (for the status page)."""
        ...

    def ping(self) -> None:
        """Round trip to the config source; raises when it cannot answer (readiness)."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


def open_config_source(
    settings: Settings, storage: Storage, *, for_worker: bool = False
) -> tuple[ConfigSource, str]:
    """Stagecraft when `STAGECRAFT_URL` is set, else the registry kept in `storage`; with the
    source's name for metrics ("stagecraft", "local")."""
    if settings.stagecraft_url:
        from backdrop.core.registry.stagecraft import StagecraftClient

        token = settings.stagecraft_oauth_token if for_worker else settings.signon_api_user_token
        return StagecraftClient(settings.stagecraft_url, token), "stagecraft"
    from backdrop.core.registry.local import LocalRegistry

    return LocalRegistry(storage), "local"
