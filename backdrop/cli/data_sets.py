"""`backdrop data-set …`: the built-in registry's data sets (when STAGECRAFT_URL is unset)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from backdrop.cli.output import config_document, echo, local_registry, storage_for
from backdrop.core.data_set_config import DataSetConfig, is_data_set_name
from backdrop.core.errors import DataSetNotFound
from backdrop.core.registry.local import LocalRegistry

F = TypeVar("F", bound=Callable[..., Any])


def _max_age_change(value: str | None) -> dict[str, Any]:
    """`--max-age-expected` as a config change: seconds, or `none` for never stale."""
    if value is None:
        return {}
    if value.lower() in ("none", "null"):
        return {"max_age_expected": None}
    try:
        return {"max_age_expected": int(value)}
    except ValueError as exc:
        raise click.BadParameter("use a number of seconds or 'none'") from exc


def _schema(path: Path | None) -> dict[str, Any] | None:
    if path is None:
        return None
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise click.BadParameter(f"cannot read a JSON schema from {path}: {exc}") from exc
    if not isinstance(document, dict):
        raise click.BadParameter("a JSON schema must be a JSON object")
    return document


def _auto_ids(value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    return tuple(part.strip() for part in value.split(",") if part.strip())


@click.group("data-set")
def data_set() -> None:
    """Manage data sets in the built-in registry (when STAGECRAFT_URL is unset)."""


def _shared_options(command: F) -> F:
    options = [
        click.option("--capped-size", type=click.IntRange(min=0), help="Cap, in bytes (MongoDB)."),
        click.option("--max-age-expected", help="Seconds before it counts as stale, or 'none'."),
        click.option("--auto-ids", help="Comma-separated fields whose values make each _id."),
        click.option(
            "--schema",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            help="A JSON-Schema (Draft 4) file every posted record must match.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@data_set.command("create")
@click.argument("name")
@click.option("--data-group", required=True)
@click.option("--data-type", required=True)
@click.option("--raw-queries-allowed", is_flag=True, help="Allow ungrouped (raw) queries.")
@click.option("--unpublished", is_flag=True, help="Reads carry a warning and no-cache.")
@click.option("--realtime", is_flag=True, help="Reads are cached for 2 minutes, not 30.")
@click.option("--not-queryable", is_flag=True, help="Reads answer 404.")
@_shared_options
@click.pass_context
def create(
    ctx: click.Context,
    name: str,
    data_group: str,
    data_type: str,
    raw_queries_allowed: bool,
    unpublished: bool,
    realtime: bool,
    not_queryable: bool,
    capped_size: int | None,
    max_age_expected: str | None,
    auto_ids: str | None,
    schema: Path | None,
) -> None:
    """Register a data set; prints its config with a new bearer token."""
    config = DataSetConfig(
        name=name,
        data_group=data_group,
        data_type=data_type,
        raw_queries_allowed=raw_queries_allowed,
        published=not unpublished,
        realtime=realtime,
        queryable=not not_queryable,
        capped_size=capped_size or None,
        auto_ids=_auto_ids(auto_ids) or (),
        schema=_schema(schema),
        **_max_age_change(max_age_expected),
    )
    with local_registry(ctx) as registry:
        created, token = registry.create(config)
    echo(config_document(created, token))


@data_set.command("update")
@click.argument("name")
@click.option("--data-group")
@click.option("--data-type")
@click.option("--raw-queries-allowed/--no-raw-queries-allowed", default=None)
@click.option("--published/--unpublished", default=None)
@click.option("--realtime/--no-realtime", default=None)
@click.option("--queryable/--not-queryable", default=None)
@click.option("--no-schema", is_flag=True, help="Stop validating records against a schema.")
@_shared_options
@click.pass_context
def update(ctx: click.Context, /, name: str, no_schema: bool, **options: Any) -> None:
    """Change some settings of a data set; prints its config."""
    changes = {
        key: value
        for key, value in options.items()
        if value is not None and key not in ("max_age_expected", "auto_ids", "schema")
    }
    changes.update(_max_age_change(options["max_age_expected"]))
    if options["auto_ids"] is not None:
        changes["auto_ids"] = _auto_ids(options["auto_ids"])
    if options["schema"] is not None:
        changes["schema"] = _schema(options["schema"])
    if no_schema:
        changes["schema"] = None
    if "capped_size" in changes:
        changes["capped_size"] = changes["capped_size"] or None
    with local_registry(ctx) as registry:
        updated = registry.update(name, changes)
    echo(config_document(updated))


@data_set.command("list")
@click.pass_context
def list_data_sets(ctx: click.Context) -> None:
    """Print every registered data set."""
    with local_registry(ctx) as registry:
        echo([config_document(config) for config in registry.all()])


@data_set.command("show")
@click.argument("name")
@click.pass_context
def show(ctx: click.Context, name: str) -> None:
    """Print one data set's config (the token is never shown again)."""
    with local_registry(ctx) as registry:
        config = registry.by_name(name)
    if config is None:
        raise click.ClickException(f'No data set named "{name}"')
    echo(config_document(config))


@data_set.command("delete")
@click.argument("name")
@click.option(
    "--drop-records",
    is_flag=True,
    help="Also drop its stored records, so a data set created again under this name starts "
    "empty (works on records whose config is already gone, too).",
)
@click.pass_context
def delete(ctx: click.Context, name: str, drop_records: bool) -> None:
    """Remove a data set's config; its records stay unless --drop-records is given."""
    with storage_for(ctx, "data sets") as storage:
        try:
            LocalRegistry(storage).delete(name)
            forgotten = True
        except DataSetNotFound:
            if not drop_records:
                raise
            forgotten = False
        dropped = drop_records and is_data_set_name(name) and storage.drop_data_set(name)
        if not forgotten and not dropped:
            raise DataSetNotFound(f'No data set named "{name}" and no records stored under it')
    echo({"status": "ok", "message": f"Deleted {name}", "records_dropped": dropped})


@data_set.command("rotate-token")
@click.argument("name")
@click.pass_context
def rotate_token(ctx: click.Context, name: str) -> None:
    """Give a data set a new bearer token; the old one stops working at once."""
    with local_registry(ctx) as registry:
        config, token = registry.rotate_token(name)
    echo(config_document(config, token))
