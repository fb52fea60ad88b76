"""behave hooks: real servers for every scenario (the database, a Stagecraft stand-in, the read
and write apps), started once and stopped at the end.

`behave -D engine=postgres` runs the scenarios on a throw-away PostgreSQL database (see
tests/support/servers.py) instead of the embedded MongoDB-wire server."""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path
from typing import Any

import requests

from backdrop.core.config import Settings
from backdrop.core.storage import open_storage
from backdrop.read.app import create_app as create_read_app
from backdrop.write.app import create_app as create_write_app
from tests.support.engines import ENGINES_UNDER_TEST
from tests.support.servers import LiveServer
from tests.support.stagecraft import StagecraftState, stagecraft_app
from tests.support.tokens import ADMIN_TOKEN


def before_all(context: Any) -> None:
    stack = contextlib.ExitStack()
    context.stack = stack
    data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="backdrop-behave-")))
    engine = context.config.userdata.get("engine", "mongodb")
    database_url = stack.enter_context(ENGINES_UNDER_TEST[engine].session_database(data_dir / "db"))
    context.stagecraft = StagecraftState()
    stagecraft = stack.enter_context(LiveServer(stagecraft_app(context.stagecraft)))
    settings = Settings(
        database_engine=engine,
        database_url=database_url,
        stagecraft_url=stagecraft.url,
        collection_endpoint_token=ADMIN_TOKEN,
        data_dir=data_dir,
    )
    storage = open_storage(settings)
    stack.callback(storage.close)
    context.storage = storage
    context.read_url = stack.enter_context(
        LiveServer(create_read_app(settings, storage=storage))
    ).url
    context.write_url = stack.enter_context(
        LiveServer(create_write_app(settings, storage=storage))
    ).url
    context.http = stack.enter_context(requests.Session())


def before_scenario(context: Any, scenario: Any) -> None:
    context.stagecraft.reset()
    context.response = None


def after_all(context: Any) -> None:
    context.stack.close()
