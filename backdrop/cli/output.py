"""What every `backdrop` command shares: one JSON document on stdout, storage opened for the
built-in registry (refused when Stagecraft manages the configs), and one-line errors (turned
into click's by the `backdrop` group, `cli/__init__.py`)."""

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


def failure(exc: BackdropError) -> click.ClickException:
    """The one-line `Error: …` for a core error: its message, then what the command added
    where it happened (`at <database URL>`, how far an import got)."""
    return click.ClickException(
        " ".join([exc.message or type(exc).__name__, *getattr(exc, "__notes__", ())])
    )


@contextmanager
def naming_the_database(url: str) -> Iterator[None]:
    """A database that cannot be reached is named in the error by its URL (credentials left
    out), so the operator sees which one; the innermost database named wins."""
    try:
        yield
    except StorageUnavailable as exc:
        if not getattr(exc, "__notes__", None):
            exc.add_note(f"at {redact(url)}")
        raise


@contextmanager
def opened(settings: Settings) -> Iterator[Storage]:
    """The storage `settings` name, closed afterwards."""
    storage = open_storage(settings)
    try:
        with naming_the_database(settings.database_url):
            yield storage
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
