"""Fixtures of the fault and abuse tests: the apps in-process (as the API tests serve them),
over the built-in registry, and under gunicorn as real processes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from backdrop.core.config import Settings
from backdrop.core.storage.base import Storage
from tests.api.conftest import http, new_data_set, read_url, write_url
from tests.conftest import ADMIN_TOKEN
from tests.support.builtin_registry import BuiltinApps, builtin_apps
from tests.support.processes import App, app

__all__ = ["http", "new_data_set", "read_url", "write_url"]


@pytest.fixture(scope="session")
def builtin(settings: Settings, storage: Storage) -> Iterator[BuiltinApps]:
    """Read and write apps whose configs come from the built-in registry in the database."""
    with builtin_apps(settings, storage) as apps:
        yield apps


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
