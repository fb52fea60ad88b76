"""The `backdrop` command: manage the built-in data-set registry.

Every command prints exactly one JSON document on stdout; logs go to stderr.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from backdrop.core.config import Settings, engine_for_url
from backdrop.core.copying import copy_all, plan
from backdrop.core.data_set import DataSetConfig
from backdrop.core.errors import BackdropError
from backdrop.core.logs import configure_logging
from backdrop.core.registry.local import LocalRegistry
from backdrop.core.registry.transforms import LocalTransforms
from backdrop.core.storage import open_storage
from backdrop.core.storage.base import Storage
from backdrop.transformers.tasks import TRANSFORMS

F = TypeVar("F", bound=Callable[..., Any])


def _echo(document: Any) -> None:
    click.echo(json.dumps(document, indent=2, sort_keys=True, default=str))


def _config_document(config: DataSetConfig, token: str | None = None) -> dict[str, Any]:
    document = config.to_document()
    if token is not None:
        document["bearer_token"] = token
    return document


@contextmanager
def _storage(ctx: click.Context, managed: str) -> Iterator[Storage]:
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
def _registry(ctx: click.Context) -> Iterator[LocalRegistry]:
    with _storage(ctx, "data sets") as storage:
        yield LocalRegistry(storage)


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


@click.group()
@click.pass_context
def main(ctx: click.Context) -> None:
    """Backdrop: a datastore for performance data."""
    settings = Settings.from_env(os.environ)
    configure_logging(settings.log_level)
    ctx.obj = settings


@main.group("data-set")
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
    with _registry(ctx) as registry:
        created, token = registry.create(config)
    _echo(_config_document(created, token))


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
    with _registry(ctx) as registry:
        updated = registry.update(name, changes)
    _echo(_config_document(updated))


@data_set.command("list")
@click.pass_context
def list_data_sets(ctx: click.Context) -> None:
    """Print every registered data set."""
    with _registry(ctx) as registry:
        _echo([_config_document(config) for config in registry.all()])


@data_set.command("show")
@click.argument("name")
@click.pass_context
def show(ctx: click.Context, name: str) -> None:
    """Print one data set's config (the token is never shown again)."""
    with _registry(ctx) as registry:
        config = registry.by_name(name)
    if config is None:
        raise click.ClickException(f'No data set named "{name}"')
    _echo(_config_document(config))


@data_set.command("delete")
@click.argument("name")
@click.pass_context
def delete(ctx: click.Context, name: str) -> None:
    """Remove a data set's config (its records stay until dropped through the write API)."""
    with _registry(ctx) as registry:
        registry.delete(name)
    _echo({"status": "ok", "message": f"Deleted {name}"})


@data_set.command("rotate-token")
@click.argument("name")
@click.pass_context
def rotate_token(ctx: click.Context, name: str) -> None:
    """Give a data set a new bearer token; the old one stops working at once."""
    with _registry(ctx) as registry:
        config, token = registry.rotate_token(name)
    _echo(_config_document(config, token))


@main.group("db")
def db() -> None:
    """The database: schema migrations, copies between engines."""


@db.command("migrate")
@click.pass_context
def migrate(ctx: click.Context) -> None:
    """Bring the database named by DATABASE_URL up to date (the apps also do it on start)."""
    settings: Settings = ctx.obj
    storage = open_storage(settings)
    try:
        applied = storage.migrate()
    except BackdropError as exc:
        raise click.ClickException(exc.message or type(exc).__name__) from exc
    finally:
        storage.close()
    _echo({"engine": settings.database_engine, "applied": applied})


def _open_url(url: str) -> Storage:
    try:
        return open_storage(Settings(database_engine=engine_for_url(url), database_url=url))
    except BackdropError as exc:
        raise click.BadParameter(exc.message) from exc


@db.command("copy")
@click.option("--from", "source_url", required=True, help="Database URL to copy from.")
@click.option("--to", "target_url", required=True, help="Database URL to copy into.")
@click.option("--replace", is_flag=True, help="Empty target data sets that hold records.")
@click.option("--batch-size", type=click.IntRange(min=1), default=1000, show_default=True)
def copy(source_url: str, target_url: str, replace: bool, batch_size: int) -> None:
    """Copy every data set (records, ids, caps) and the built-in registry between databases,
    MongoDB (mongodb://) or PostgreSQL (postgresql://) either way; verifies counts."""
    source, target = _open_url(source_url), _open_url(target_url)
    try:
        total = sum(plan(source).values())
        with click.progressbar(length=total, label="Copying records", file=sys.stderr) as bar:
            summary = copy_all(
                source, target, replace=replace, batch_size=batch_size, progress=bar.update
            )
    except BackdropError as exc:
        raise click.ClickException(exc.message or type(exc).__name__) from exc
    finally:
        source.close()
        target.close()
    _echo(
        {
            "from": engine_for_url(source_url),
            "to": engine_for_url(target_url),
            "data_sets": summary.data_sets,
            "records": summary.records,
            "documents": summary.documents,
            "verified": summary.verified,
            "mismatches": summary.mismatches,
        }
    )
    if not summary.verified:
        raise click.ClickException("counts differ between source and target after the copy")


@main.group("transform")
def transform() -> None:
    """Manage transforms in the built-in registry (when STAGECRAFT_URL is unset)."""


def _json_object(value: str | None, option: str) -> dict[str, Any]:
    if value is None:
        return {}
    try:
        document = json.loads(value)
    except ValueError as exc:
        raise click.BadParameter(f"not JSON: {exc}", param_hint=option) from exc
    if not isinstance(document, dict):
        raise click.BadParameter("must be a JSON object", param_hint=option)
    return document


@contextmanager
def _transforms(ctx: click.Context) -> Iterator[LocalTransforms]:
    with _storage(ctx, "transforms") as storage:
        yield LocalTransforms(storage)


@transform.command("create")
@click.option("--function", "function", required=True, help="A registered transform name.")
@click.option("--input-group", help="Input data group; omitted: every group of that type.")
@click.option("--input-type", required=True, help="Input data type.")
@click.option("--query-parameters", help="JSON object: the read of the input (spec 6.4).")
@click.option("--options", "options", help="JSON object: the transform's options.")
@click.option("--output-group", help="Output data group; omitted: the input's group.")
@click.option("--output-type", required=True, help="Output data type.")
@click.pass_context
def create_transform(
    ctx: click.Context,
    function: str,
    input_group: str | None,
    input_type: str,
    query_parameters: str | None,
    options: str | None,
    output_group: str | None,
    output_type: str,
) -> None:
    """Register a transform; prints it as Stagecraft serialises one."""
    if function not in TRANSFORMS:
        known = ", ".join(sorted(TRANSFORMS))
        raise click.BadParameter(f"unknown transform; use one of: {known}", param_hint="--function")
    with _transforms(ctx) as transforms:
        created = transforms.create(
            function=function,
            input_group=input_group,
            input_type=input_type,
            output_group=output_group,
            output_type=output_type,
            query_parameters=_json_object(query_parameters, "--query-parameters"),
            options=_json_object(options, "--options"),
        )
    _echo(created)


@transform.command("list")
@click.pass_context
def list_transforms(ctx: click.Context) -> None:
    """Print every registered transform."""
    with _transforms(ctx) as transforms:
        _echo(transforms.all())


@transform.command("delete")
@click.argument("transform_id")
@click.pass_context
def delete_transform(ctx: click.Context, transform_id: str) -> None:
    """Remove a transform (what it wrote stays)."""
    with _transforms(ctx) as transforms:
        transforms.delete(transform_id)
    _echo({"status": "ok", "message": f"Deleted transform {transform_id}"})


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
