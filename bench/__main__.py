"""`python -m bench`: run the benchmark and print its table (`--help` for its options)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from bench.runner import BATCH, STEPS, Options, report, run, write_json


@click.command("bench")
@click.option("--engine", type=click.Choice(["mongodb", "postgres"]), default="mongodb")
@click.option(
    "--database-url",
    help="Database to use (a scratch data set is created in it); default: a fresh embedded one.",
)
@click.option(
    "--records",
    type=click.IntRange(min=2 * BATCH),
    default=200_000,
    show_default=True,
    help=f"At least {2 * BATCH}: half are loaded by one client, half by four.",
)
@click.option("--repeats", type=click.IntRange(min=7), default=7, show_default=True)
@click.option("--clients", type=click.IntRange(min=1), default=8, show_default=True)
@click.option("--seconds", type=float, default=10.0, show_default=True, help="Concurrency run.")
@click.option(
    "--reuse",
    is_flag=True,
    help="Keep the data set an earlier run loaded into --database-url if it holds --records "
    "records (no load figures then).",
)
@click.option(
    "--json",
    "json_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the results here.",
)
def bench(
    engine: str,
    database_url: str | None,
    records: int,
    repeats: int,
    clients: int,
    seconds: float,
    reuse: bool,
    json_path: Path | None,
) -> None:
    """Load seeded records over HTTP, time the query set, and compare with the raw database."""
    options = Options(
        engine=engine,
        database_url=database_url,
        records=records,
        repeats=repeats,
        clients=clients,
        concurrency_seconds=seconds,
        reuse=reuse,
    )
    with click.progressbar(length=STEPS, label="benchmark", file=sys.stderr) as bar:

        def progress(done: int, total: int, label: str) -> None:
            bar.label = f"benchmark: {label}"
            bar.update(done - bar.pos)

        results = run(options, progress)
    click.echo(report(results))
    if json_path is not None:
        write_json(results, json_path)


if __name__ == "__main__":
    bench()
