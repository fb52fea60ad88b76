"""What every `backdrop` command shares: one JSON document on stdout, storage opened for the
built-in registry (refused when Stagecraft manages the configs), and one-line errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from backdrop.core.config import Settings
from backdrop.core.data_set_config import DataSetConfig
from backdrop.core.errors import BackdropError, StorageUnavailable
from backdrop.core.logs import redact
from backdrop.core.registry.local import LocalRegistry
from backdrop.core.storage import open_storage
from backdrop.core.storage.base import Storage


def echo(document: Any) -> None:
    click.echo(json.dumps(document, indent=2, sort_keys=True, default=str))


def config_document(config: DataSetConfig, token: str | None = None) -> dict[str, Any]:
    document = config.to_document()
    if token is not None:
        document["bearer_token"] = token
    return document


def failure(exc: BackdropError, url: str | None = None) -> click.ClickException:
    """The one-line `Error: …` for a core error; a database that cannot be reached is named by
    its URL (credentials left out) so the operator sees which one."""
    message = exc.message or type(exc).__name__
    if url is not None and isinstance(exc, StorageUnavailable):
        message = f"{message} at {redact(url)}"
    return click.ClickException(message)


@contextmanager
def opened(settings: Settings) -> Iterator[Storage]:
    """The storage `settings` name, closed afterwards; core errors become one-line errors."""
    storage = open_storage(settings)
    try:
        yield storage
    except BackdropError as exc:
        raise failure(exc, settings.database_url) from exc
    finally:
        storage.close()


@contextmanager
def storage_for(ctx: click.Context, managed: str) -> Iterator[Storage]:
    """The built-in registry's storage; refused when Stagecraft manages `managed`."""
    settings: Settings = ctx.obj
    if settings.stagecraft_url:
        raise click.ClickException(
            f"STAGECRAFT_URL is set: {managed} are managed in Stagecraft, not here"
        )
    with opened(settings) as storage:
        yield storage


@contextmanager
def local_registry(ctx: click.Context) -> Iterator[LocalRegistry]:
    with storage_for(ctx, "data sets") as storage:
        yield LocalRegistry(storage)
