"""The read and write apps served for real over HTTP, against the real embedded database."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import pytest
import requests

from backdrop.core.config import Settings
from backdrop.core.storage.base import Storage
from backdrop.read.app import create_app as create_read_app
from backdrop.write.app import create_app as create_write_app
from tests.support.http_data_set import HttpDataSet, fixture_records, register
from tests.support.servers import LiveServer
from tests.support.stagecraft import StagecraftState


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


@pytest.fixture(scope="session")
def new_data_set(
    stagecraft_server: tuple[StagecraftState, str],
    http: requests.Session,
    read_url: str,
    write_url: str,
) -> Callable[..., HttpDataSet]:
    """Register a fresh data set and write a fixture's records (or given ones) through the write
    app: `new_data_set("licensing.json", raw_queries_allowed=True)`. Session-scoped, so module
    fixtures can share one data set between the tests that only read it."""
    state, _ = stagecraft_server

    def make(
        fixture: str | None = None,
        *,
        records: Sequence[Mapping[str, Any]] = (),
        **overrides: Any,
    ) -> HttpDataSet:
        posted = fixture_records(fixture) if fixture else records
        return register(state, http, read_url, write_url, records=posted, **overrides)

    return make


@pytest.fixture
def routed_data_set(
    new_data_set: Callable[..., HttpDataSet], stagecraft: StagecraftState
) -> Iterator[Callable[..., HttpDataSet]]:
    """`new_data_set` for a test that routes by a literal group and type (`/data/group/type`):
    its configs leave Stagecraft afterwards, so the next such test gets the path to itself."""
    made: list[HttpDataSet] = []

    def make(*args: Any, **kwargs: Any) -> HttpDataSet:
        made.append(new_data_set(*args, **kwargs))
        return made[-1]

    yield make
    for data_set in made:
        stagecraft.remove(data_set.name)
