"""Fixtures of the fault and abuse tests: the apps under gunicorn as real processes (the
in-process apps, over Stagecraft or the built-in registry, are the root conftest's)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from backdrop.bench.servers import App, app
from backdrop.core.config import Settings
from tests.support.tokens import ADMIN_TOKEN


def process_env(settings: Settings, database_url: str) -> dict[str, str]:
    """The environment of an app process as an operator sets it: only the database URL, the
    data directory and the admin token; every other setting is the default. One worker, so
    its memory is the app's."""
    return {
        "DATABASE_URL": database_url,
        "BACKDROP_DATA_DIR": str(settings.data_dir),
        "STAGECRAFT_COLLECTION_ENDPOINT_TOKEN": ADMIN_TOKEN,
        "STAGECRAFT_URL": "",
        "BROKER_URL": "",
        "WEB_CONCURRENCY": "1",
    }


@pytest.fixture(scope="module")
def gunicorn_read(settings: Settings) -> Iterator[App]:
    """`./start-app.sh read PORT` over the session's database (built-in registry)."""
    with app("read", process_env(settings, settings.database_url)) as served:
        yield served


@pytest.fixture(scope="module")
def gunicorn_write(settings: Settings) -> Iterator[App]:
    """`./start-app.sh write PORT` over the session's database (built-in registry)."""
    with app("write", process_env(settings, settings.database_url)) as served:
        yield served
