"""The read and write apps served for real over HTTP, against the real embedded database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from backdrop.core.config import Settings
from backdrop.core.storage.base import Storage
from backdrop.read.app import create_app as create_read_app
from backdrop.write.app import create_app as create_write_app
from tests.support.servers import LiveServer


@pytest.fixture(scope="session")
def read_url(settings: Settings, storage: Storage) -> Iterator[str]:
    with LiveServer(create_read_app(settings, storage=storage)) as server:
        yield server.url


@pytest.fixture(scope="session")
def write_url(settings: Settings, storage: Storage) -> Iterator[str]:
    with LiveServer(create_write_app(settings, storage=storage)) as server:
        yield server.url


@pytest.fixture(scope="session")
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session
