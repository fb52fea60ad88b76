"""`backdrop import` and `backdrop export`: records into a data set from a file, and a data set
(or a query's answer) out to one, streamed, with a progress bar on a terminal."""

from __future__ import annotations

import sys
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import click

from backdrop.cli.output import echo
from backdrop.core.config import Settings
from backdrop.core.data_set_config import DataSetConfig
from backdrop.core.data_sets import new_dispatch
from backdrop.core.errors import BackdropError
from backdrop.core.exporting import (
    EXPORT_FORMATS,
    exported_rows,
    write_csv_rows,
    write_jsonl,
)
from backdrop.core.query import Query
from backdrop.core.query_parser import parse_query
from backdrop.core.services import Services
from backdrop.core.upload.files import FORMATS, Format, format_for_path, opened_input
from backdrop.core.upload.writing import ImportSummary, import_rows

_REDRAW_SECONDS = 0.1


class Progress:
    """A progress bar on stderr (records, rate, ETA) when stderr is a terminal; else silent.
    Advanced in whatever unit `length` counts (bytes read, rows, records); redrawn at most
    every tenth of a second, so a million small steps cost nothing. Each redraw shows the
    records so far, also when the unit did not move (a file read ahead of the records written),
    and a run that ends without an error ends at 100% (a sheet's row count holds its header)."""

    def __init__(self, length: int | None, label: str) -> None:
        self.records = 0
        self._started = self._drawn = time.monotonic()
        self._pending = 0
        self._bar = click.progressbar(
            length=length or 0,
            label=label,
            file=sys.stderr,
            hidden=not sys.stderr.isatty(),
            show_eta=length is not None,
            show_percent=length is not None,
            item_show_func=self._describe,
            update_min_steps=0,  # redraw the record count even when no unit was added
        )

    def __enter__(self) -> Progress:
        self._bar.__enter__()
        return self

    def __exit__(self, error: type[BaseException] | None, *exc: object) -> None:
        rest = (self._bar.length or 0) - self._bar.pos if error is None else 0
        self._bar.update(max(self._pending, rest), self.records)
        self._bar.__exit__(None, None, None)

    def advance(self, units: int, records: int) -> None:
        self.records = records
        self._pending += units
        now = time.monotonic()
        if now - self._drawn >= _REDRAW_SECONDS:
            self._bar.update(self._pending, records)
            self._pending, self._drawn = 0, now

    def _describe(self, records: int | None) -> str:
        elapsed = max(time.monotonic() - self._started, 1e-6)
        return f"{self.records:,} records, {self.records / elapsed:,.0f}/s"


@contextmanager
def _services(ctx: click.Context, name: str) -> Iterator[tuple[Services, DataSetConfig]]:
    settings: Settings = ctx.obj
    services = Services.build(settings)
    try:
        config = services.configs.by_name(name)
        if config is None:
            raise click.ClickException(f'No data set named "{name}"')
        yield services, config
    finally:
        services.close()


@click.command("import")
@click.argument("name")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    help="How to read FILE; default: from its name (.csv, .xlsx/.xls, .jsonl, .json).",
)
@click.option("--batch-size", type=click.IntRange(min=1), default=1000, show_default=True)
@click.pass_context
def import_file(
    ctx: click.Context, name: str, file: Path, fmt: Format | None, batch_size: int
) -> None:
    """Write the records of FILE (CSV or Excel read as uploads are, JSON Lines, or JSON; may
    be gzip) into data set NAME through the write pipeline, in batches. Rows that fail are
    reported with their row numbers; the others are written. Exit 1 if any row failed."""
    fmt = fmt or format_for_path(file)
    if fmt is None:
        hint = "cannot tell the format from its name: use --format"
        raise click.BadParameter(hint, param_hint="FILE")
    summary = ImportSummary()
    with _services(ctx, name) as (services, config):
        try:
            _import(services, config, file, fmt, batch_size, summary)
        except (OSError, EOFError, zlib.error) as exc:
            raise click.ClickException(f"cannot read {file}: {exc}") from exc
        except BackdropError as exc:
            exc.add_note(f"(after {summary.written} records were written)")
            raise
        if summary.bounds is not None:  # one dispatch over all that was written (spec 6.1)
            # Imported here: Celery (like openpyxl below) costs every other command's start.
            from backdrop.transformers.publish import TransformPublisher

            publisher = TransformPublisher(ctx.obj, services.storage)
            publisher.deliver(new_dispatch(config.name, *summary.bounds), stored=False)
            publisher.close()
    echo(
        {
            "data_set": name,
            "written": summary.written,
            "rejected": [{"row": row, "message": message} for row, message in summary.rejected],
        }
    )
    if summary.rejected:
        ctx.exit(1)


def _import(
    services: Services,
    config: DataSetConfig,
    file: Path,
    fmt: Format,
    batch_size: int,
    summary: ImportSummary,
) -> None:
    with opened_input(file, fmt) as (stream, raw):
        from backdrop.core.upload.parse import read_records

        parsed = read_records(stream, fmt, config.upload_filters)
        by_rows = fmt == "excel"
        length = parsed.rows_total if by_rows else file.stat().st_size
        with Progress(length, f"Importing {file.name}") as progress:
            done = 0

            def advanced(now: ImportSummary) -> None:
                nonlocal done
                position = now.rows_read if by_rows else raw.tell()
                progress.advance(position - done, now.written)
                done = position

            import_rows(
                services.data_sets,
                config,
                parsed.items,
                summary,
                batch_size=batch_size,
                on_batch=advanced,
            )


@click.command("export")
@click.argument("name")
@click.option("--query", "query_string", help="A read query string, e.g. 'period=week&...'.")
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), default="jsonl")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write here instead of stdout.",
)
@click.pass_context
def export(
    ctx: click.Context, name: str, query_string: str | None, fmt: str, output: Path | None
) -> None:
    """Stream data set NAME (its records as written, ready to import again) or the answer to
    QUERY (raw queries allowed) as JSON Lines or CSV. With -o, prints a JSON summary."""
    with _services(ctx, name) as (services, config):
        query = _query(query_string) if query_string else None
        rows = exported_rows(services.data_sets, config, query)
        length = services.storage.count_records(config.name) if query is None else None
        with _opened(output, fmt) as out, Progress(length, f"Exporting {name}") as progress:

            def counted(count: int) -> None:
                progress.advance(count, progress.records + count)

            if fmt == "csv":
                written = write_csv_rows(rows, out, counted=counted)
            else:
                written = write_jsonl(rows, out.buffer, counted=counted)
    if output is not None:
        echo({"data_set": name, "format": fmt, "records": written, "output": str(output)})


def _query(query_string: str) -> Query:
    args = parse_qs(query_string, keep_blank_values=True)
    return parse_query(args, raw_queries_allowed=True)


@contextmanager
def _opened(output: Path | None, fmt: str) -> Iterator[Any]:
    """The text stream to write to (CSV wants `newline=""`); JSON Lines writes its buffer."""
    if output is None:
        yield sys.stdout
        sys.stdout.flush()
        sys.stdout.buffer.flush()
        return
    with output.open("w", encoding="utf-8", newline="" if fmt == "csv" else None) as out:
        yield out
