"""Fixtures of the fault and abuse tests: the apps under gunicorn as real processes (the
in-process apps, over Stagecraft or the built-in registry, are the root conftest's)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from backdrop.core.config import Settings
from tests.support.processes import App, app
from tests.support.start_app import process_env


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
