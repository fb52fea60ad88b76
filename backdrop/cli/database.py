"""`backdrop db …`: schema migrations, and copies between engines."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import click

from backdrop.cli.output import echo, naming_the_database, opened
from backdrop.core.config import Settings
from backdrop.core.copying import copy_all, plan
from backdrop.core.errors import BackdropError
from backdrop.core.storage import engine_for_url, ensure_database
from backdrop.core.storage.base import Storage


@click.group("db")
def db() -> None:
    """The database: schema migrations, copies between engines."""


@db.command("migrate")
@click.pass_context
def migrate(ctx: click.Context) -> None:
    """Bring the database named by DATABASE_URL up to date (the apps also do it on start)."""
    settings: Settings = ctx.obj
    with opened(settings) as storage:
        applied = storage.migrate()
    echo({"engine": settings.database_engine, "applied": applied})


def _settings_for(url: str, timeout: float) -> Settings:
    try:
        return Settings(
            database_engine=engine_for_url(url).name, database_url=url, database_timeout=timeout
        )
    except BackdropError as exc:
        raise click.BadParameter(exc.message) from exc


@contextmanager
def _database(url: str, timeout: float, *, create: bool = False) -> Iterator[Storage]:
    """The storage at `url`, answering (pinged) before anything is copied; with `create`, the
    database is created first when its server has none of that name."""
    settings = _settings_for(url, timeout)
    if create:
        with naming_the_database(url):
            ensure_database(url, timeout)
    with opened(settings) as storage:
        storage.ping()
        yield storage


@db.command("copy")
@click.option("--from", "source_url", required=True, help="Database URL to copy from.")
@click.option(
    "--to", "target_url", required=True, help="Database URL to copy into (created if missing)."
)
@click.option("--replace", is_flag=True, help="Empty target data sets that hold records.")
@click.option("--batch-size", type=click.IntRange(min=1), default=1000, show_default=True)
@click.pass_context
def copy(
    ctx: click.Context, source_url: str, target_url: str, replace: bool, batch_size: int
) -> None:
    """Copy every data set (records, ids, caps) and the built-in registry between databases,
    MongoDB (mongodb://) or PostgreSQL (postgresql://) either way; verifies counts."""
    timeout = ctx.obj.database_timeout
    with ExitStack() as stack:
        source = stack.enter_context(_database(source_url, timeout))
        target = stack.enter_context(_database(target_url, timeout, create=True))
        total = sum(plan(source).values())
        with click.progressbar(length=total, label="Copying records", file=sys.stderr) as bar:
            summary = copy_all(
                source, target, replace=replace, batch_size=batch_size, progress=bar.update
            )
    echo(
        {
            "from": engine_for_url(source_url).name,
            "to": engine_for_url(target_url).name,
            "data_sets": summary.data_sets,
            "records": summary.records,
            "documents": summary.documents,
            "verified": summary.verified,
            "mismatches": summary.mismatches,
        }
    )
    if not summary.verified:
        raise click.ClickException("counts differ between source and target after the copy")
