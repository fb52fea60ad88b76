"""`backdrop transform …`: transforms in the built-in registry (when STAGECRAFT_URL is unset)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from backdrop.cli.output import echo, storage_for
from backdrop.core.registry.transforms import LocalTransforms
from backdrop.transformers.tasks import TRANSFORMS


@click.group("transform")
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
    with storage_for(ctx, "transforms") as storage:
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
    echo(created)


@transform.command("list")
@click.pass_context
def list_transforms(ctx: click.Context) -> None:
    """Print every registered transform."""
    with _transforms(ctx) as transforms:
        echo(transforms.all())


@transform.command("delete")
@click.argument("transform_id")
@click.pass_context
def delete_transform(ctx: click.Context, transform_id: str) -> None:
    """Remove a transform (what it wrote stays)."""
    with _transforms(ctx) as transforms:
        transforms.delete(transform_id)
    echo({"status": "ok", "message": f"Deleted transform {transform_id}"})
