"""What every `backdrop` command shares: one JSON document on stdout, and storage opened for
the built-in registry (refused when Stagecraft manages the configs)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from backdrop.core.config import Settings
from backdrop.core.data_set import DataSetConfig
from backdrop.core.errors import BackdropError
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


@contextmanager
def storage_for(ctx: click.Context, managed: str) -> Iterator[Storage]:
    """The built-in registry's storage; refused when Stagecraft manages `managed`."""
    settings: Settings = ctx.obj
    if settings.stagecraft_url:
        raise click.ClickException(
            f"STAGECRAFT_URL is set: {managed} are managed in Stagecraft, not here"
        )
    storage = open_storage(settings)
    try:
        yield storage
    except BackdropError as exc:
        raise click.ClickException(exc.message or type(exc).__name__) from exc
    finally:
        storage.close()


@contextmanager
def local_registry(ctx: click.Context) -> Iterator[LocalRegistry]:
    with storage_for(ctx, "data sets") as storage:
        yield LocalRegistry(storage)
