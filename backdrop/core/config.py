"""Settings from the environment: the one place that reads it.

Entry points (app factories, the CLI, the worker module) call `Settings.from_env(os.environ)` once;
everything else receives the `Settings` value. Bad values fail at start-up with `SettingsInvalid`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

from backdrop.core.errors import SettingsInvalid

DEFAULT_DATABASE_URL = "mongodb://127.0.0.1:27017/backdrop?directConnection=true&retryWrites=false"
DATABASE_ENGINES = ("mongodb",)


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the processes need to know about where they run."""

    database_engine: str = "mongodb"
    database_url: str = DEFAULT_DATABASE_URL
    data_dir: Path = Path("var")
    stagecraft_url: str | None = None
    signon_api_user_token: str | None = field(default=None, repr=False)
    stagecraft_oauth_token: str | None = field(default=None, repr=False)
    collection_endpoint_token: str | None = field(default=None, repr=False)
    broker_url: str | None = field(default=None, repr=False)
    log_level: str = "INFO"
    response_cache_bytes: int = 64 * 1024 * 1024

    def __post_init__(self) -> None:
        if self.database_engine not in DATABASE_ENGINES:
            raise SettingsInvalid(f'Database engine not implemented "{self.database_engine}"')
        if not isinstance(logging.getLevelName(self.log_level), int):
            raise SettingsInvalid(f'Unknown LOG_LEVEL "{self.log_level}"')

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Self:
        """Read the variables documented in DESIGN.md; empty values count as unset."""

        def get(name: str) -> str | None:
            return env.get(name) or None

        return cls(
            database_engine=get("DATABASE_ENGINE") or "mongodb",
            database_url=get("DATABASE_URL") or DEFAULT_DATABASE_URL,
            data_dir=Path(get("BACKDROP_DATA_DIR") or "var"),
            stagecraft_url=(get("STAGECRAFT_URL") or "").rstrip("/") or None,
            signon_api_user_token=get("SIGNON_API_USER_TOKEN"),
            stagecraft_oauth_token=get("STAGECRAFT_OAUTH_TOKEN"),
            collection_endpoint_token=get("STAGECRAFT_COLLECTION_ENDPOINT_TOKEN"),
            broker_url=get("BROKER_URL"),
            log_level=(get("LOG_LEVEL") or "INFO").upper(),
            response_cache_bytes=_megabytes(get("BACKDROP_RESPONSE_CACHE_MB"), default=64),
        )


def _megabytes(value: str | None, *, default: int) -> int:
    if value is None:
        return default * 1024 * 1024
    try:
        megabytes = int(value)
    except ValueError as exc:
        raise SettingsInvalid(
            f'BACKDROP_RESPONSE_CACHE_MB must be a whole number, not "{value}"'
        ) from exc
    if megabytes < 0:
        raise SettingsInvalid("BACKDROP_RESPONSE_CACHE_MB must not be negative")
    return megabytes * 1024 * 1024
