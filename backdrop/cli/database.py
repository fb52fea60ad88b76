"""`backdrop db …`: schema migrations, and copies between engines."""

from __future__ import annotations

import sys

import click

from backdrop.cli.output import echo
from backdrop.core.config import Settings, engine_for_url
from backdrop.core.copying import copy_all, plan
from backdrop.core.errors import BackdropError
from backdrop.core.storage import open_storage
from backdrop.core.storage.base import Storage


@click.group("db")
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
    echo({"engine": settings.database_engine, "applied": applied})


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
    echo(
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
