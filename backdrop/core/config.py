"""Settings from the environment: the one place that reads it.

Entry points (app factories, the CLI, the worker module) call `Settings.from_env(os.environ)` once;
everything else receives the `Settings` value. Bad values fail at start-up with `SettingsInvalid`.
"""

from __future__ import annotations

import logging
import shlex
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

from backdrop.core.errors import SettingsInvalid
from backdrop.core.limits import Limits
from backdrop.core.storage import DEFAULT_ENGINE, engine_for_url, engine_named


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the processes need to know about where they run."""

    database_engine: str = DEFAULT_ENGINE.name
    database_url: str = DEFAULT_ENGINE.default_url
    # Where the read app runs queries (a PostgreSQL hot standby, a MongoDB URL with
    # readPreference=secondaryPreferred); the registry and every write use database_url.
    database_read_url: str | None = field(default=None, repr=False)
    data_dir: Path = Path("var")
    stagecraft_url: str | None = None
    signon_api_user_token: str | None = field(default=None, repr=False)
    stagecraft_oauth_token: str | None = field(default=None, repr=False)
    collection_endpoint_token: str | None = field(default=None, repr=False)
    broker_url: str | None = field(default=None, repr=False)
    log_level: str = "INFO"
    response_cache_bytes: int = 64 * 1024 * 1024
    limits: Limits = field(default_factory=Limits)
    # Seconds to wait for the database before answering 503: connecting, server selection,
    # a pooled connection. Short, so a database that is down costs each request little.
    database_timeout: float = 1.5
    # statsd (spec 8.3): off unless STATSD_HOST is set; GOVUK_STATSD_PREFIX replaces the
    # default prefix of each process (`pp.apps.backdrop`, the worker's own).
    statsd_host: str | None = None
    statsd_port: int = 8125
    statsd_prefix: str | None = None
    # Prometheus: the directory gunicorn's workers (or the worker's pool) share their counts
    # in (PROMETHEUS_MULTIPROC_DIR, which prometheus_client also reads); unset, one process.
    metrics_dir: Path | None = None
    # The worker's own /metrics port (it has no HTTP app); 0 turns it off.
    worker_metrics_port: int = 3040
    # Spec 7.1's virus scan of uploads: a command the file's path is added to (ClamAV:
    # `clamdscan --no-summary --fdpass`), and the seconds it may take; empty: no scan.
    upload_virus_scan: tuple[str, ...] = ()
    upload_virus_scan_timeout: float = 30.0

    def __post_init__(self) -> None:
        engine = engine_named(self.database_engine)
        if engine_for_url(self.database_url) is not engine:
            raise SettingsInvalid(f'DATABASE_URL does not name a "{self.database_engine}" database')
        read_url = self.database_read_url
        if read_url is not None and engine_for_url(read_url) is not engine:
            raise SettingsInvalid(
                f'DATABASE_READ_URL does not name a "{self.database_engine}" database'
            )
        if not isinstance(logging.getLevelName(self.log_level), int):
            raise SettingsInvalid(f'Unknown LOG_LEVEL "{self.log_level}"')

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Self:
        """Read the variables documented in DESIGN.md; empty values count as unset. Without
        DATABASE_ENGINE, the engine follows DATABASE_URL's scheme (default: MongoDB)."""

        def get(name: str) -> str | None:
            return env.get(name) or None

        url = get("DATABASE_URL")
        if name := get("DATABASE_ENGINE"):
            engine = engine_named(name)
        else:
            engine = engine_for_url(url) if url else DEFAULT_ENGINE
        return cls(
            database_engine=engine.name,
            database_url=url or engine.default_url,
            database_read_url=get("DATABASE_READ_URL"),
            data_dir=Path(get("BACKDROP_DATA_DIR") or "var"),
            stagecraft_url=(get("STAGECRAFT_URL") or "").rstrip("/") or None,
            signon_api_user_token=get("SIGNON_API_USER_TOKEN"),
            stagecraft_oauth_token=get("STAGECRAFT_OAUTH_TOKEN"),
            collection_endpoint_token=get("STAGECRAFT_COLLECTION_ENDPOINT_TOKEN"),
            broker_url=get("BROKER_URL"),
            log_level=(get("LOG_LEVEL") or "INFO").upper(),
            response_cache_bytes=_megabytes(get, "BACKDROP_RESPONSE_CACHE_MB", default=64),
            limits=Limits(
                max_rows=_whole(get, "BACKDROP_MAX_ROWS", default=100_000, minimum=1),
                max_body_bytes=_megabytes(get, "BACKDROP_MAX_BODY_MB", default=10, minimum=1),
                max_upload_bytes=_whole(
                    get, "BACKDROP_UPLOAD_LIMIT_BYTES", default=1_000_000, minimum=1
                ),
            ),
            database_timeout=_seconds(get("BACKDROP_DATABASE_TIMEOUT"), default=1.5),
            statsd_host=get("STATSD_HOST"),
            statsd_port=_port(get, "STATSD_PORT", default=8125),
            statsd_prefix=get("GOVUK_STATSD_PREFIX"),
            metrics_dir=_path(get("PROMETHEUS_MULTIPROC_DIR")),
            worker_metrics_port=_port(get, "BACKDROP_WORKER_METRICS_PORT", default=3040, off=True),
            upload_virus_scan=_virus_scan(get),
            upload_virus_scan_timeout=_seconds(
                get("BACKDROP_UPLOAD_VIRUS_SCAN_TIMEOUT"),
                default=30.0,
                name="BACKDROP_UPLOAD_VIRUS_SCAN_TIMEOUT",
            ),
        )


Lookup = Callable[[str], str | None]


def _whole(get: Lookup, name: str, *, default: int, minimum: int = 0) -> int:
    value = get(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError as exc:
        raise SettingsInvalid(f'{name} must be a whole number, not "{value}"') from exc
    if number < minimum:
        raise SettingsInvalid(f"{name} must be at least {minimum}")
    return number


def _port(get: Lookup, name: str, *, default: int, off: bool = False) -> int:
    port = _whole(get, name, default=default, minimum=0 if off else 1)
    if port > 65535:
        raise SettingsInvalid(f"{name} must be a port number, at most 65535")
    return port


def _path(value: str | None) -> Path | None:
    return Path(value) if value else None


def _megabytes(get: Lookup, name: str, *, default: int, minimum: int = 0) -> int:
    return _whole(get, name, default=default, minimum=minimum) * 1024 * 1024


def _seconds(
    value: str | None, *, default: float, name: str = "BACKDROP_DATABASE_TIMEOUT"
) -> float:
    if value is None:
        return default
    try:
        seconds = float(value)
    except ValueError as exc:
        raise SettingsInvalid(f'{name} must be a number of seconds, not "{value}"') from exc
    if not 0 < seconds <= 600:
        raise SettingsInvalid(f"{name} must be between 0 and 600 seconds")
    return seconds


def _virus_scan(get: Lookup) -> tuple[str, ...]:
    """BACKDROP_UPLOAD_VIRUS_SCAN split as a shell would; none when SKIP_VIRUS_SCAN is set
    (the original's switch, spec 7.1)."""
    command = get("BACKDROP_UPLOAD_VIRUS_SCAN")
    if command is None or get("SKIP_VIRUS_SCAN"):
        return ()
    try:
        return tuple(shlex.split(command))
    except ValueError as exc:
        raise SettingsInvalid(
            f"BACKDROP_UPLOAD_VIRUS_SCAN cannot be split into words: {exc}"
        ) from exc
