"""The `backdrop` command: the built-in registry's data sets and transforms, the database's
migrations and copies, importing and exporting records.

Every command prints exactly one JSON document on stdout (`export` without `-o`: the records);
logs and progress bars go to stderr. A failure is one line, `Error: …`, and exit status 1: bad
settings, a database that cannot be reached (named by its URL, without credentials), a refused
change.
"""

from __future__ import annotations

import os
from typing import Any

import click

from backdrop import __version__
from backdrop.cli.data_sets import data_set
from backdrop.cli.database import db
from backdrop.cli.output import failure
from backdrop.cli.transfer import export, import_file
from backdrop.cli.transforms import transform
from backdrop.core.config import Settings
from backdrop.core.errors import BackdropError
from backdrop.core.logs import configure_logging


class _Commands(click.Group):
    """The `backdrop` group: the one place a core error from any command (or from the
    settings) becomes click's one-line `Error: …` and exit status 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BackdropError as exc:
            raise failure(exc) from exc


@click.group(cls=_Commands)
@click.version_option(__version__, prog_name="backdrop", message="%(prog)s %(version)s")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Backdrop: a datastore for performance data."""
    settings = Settings.from_env(os.environ)
    # A command answers with its output or one `Error: …` line; the warnings a service logs on
    # the way (a pool's reconnect attempts, the storage seam's line) only repeat that here,
    # so they show when LOG_LEVEL asks for them.
    configure_logging(settings.log_level if os.environ.get("LOG_LEVEL") else "ERROR")
    ctx.obj = settings


main.add_command(data_set)
main.add_command(db)
main.add_command(transform)
main.add_command(import_file)
main.add_command(export)
