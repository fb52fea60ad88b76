"""Fixtures shared by every test package: real servers, started once per session."""

from __future__ import annotations

import contextlib
import fcntl
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from backdrop.core.config import Settings
from backdrop.core.storage import ENGINES, open_storage
from backdrop.core.storage.base import Storage
from tests.support.servers import LiveServer, embedded_mongodb, throwaway_postgres
from tests.support.stagecraft import StagecraftState, data_set_config, stagecraft_app

ADMIN_TOKEN = "dev-create-endpoint-token"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--engine",
        action="append",
        choices=tuple(ENGINES),
        help="Run the storage and API suites against this engine only (repeatable; default all).",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test that touches a database runs once per engine (`database_engine`)."""
    if "database_engine" in metafunc.fixturenames:
        engines = metafunc.config.getoption("engine") or list(ENGINES)
        metafunc.parametrize("database_engine", engines, scope="session")


@pytest.fixture(scope="module", autouse=True)
def one_module_at_a_time_on_shared_brokers(request: pytest.FixtureRequest) -> Iterator[None]:
    """A module marked `shares_brokers(NAME, ...)` holds a lock per broker (queue) it names
    while it runs, so no other test process — a pytest-xdist worker or a second checkout's run
    — purges or consumes its queue meanwhile. (xdist's `loadgroup` ignores marks under pytest
    9; `--dist loadfile` keeps a module's engine variants on one worker.)"""
    marker = request.node.get_closest_marker("shares_brokers")
    with contextlib.ExitStack() as held:
        for name in sorted(marker.args if marker else ()):
            lock = Path(tempfile.gettempdir()) / f"backdrop-tests-{name.replace('/', '-')}.lock"
            handle = held.enter_context(lock.open("w"))
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield


@pytest.fixture(scope="session")
def database_url(database_engine: str, request: pytest.FixtureRequest) -> str:
    """The session's database for the engine under test (`mongodb_url` or `postgres_url`)."""
    return str(request.getfixturevalue(f"{database_engine}_url"))


@pytest.fixture(scope="session")
def mongodb_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with embedded_mongodb(tmp_path_factory.mktemp("mongodb")) as url:
        yield url


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throw-away database on the local PostgreSQL server, dropped after the run."""
    with throwaway_postgres() as url:
        yield url


@pytest.fixture(scope="session")
def stagecraft_server() -> Iterator[tuple[StagecraftState, str]]:
    state = StagecraftState()
    with LiveServer(stagecraft_app(state)) as server:
        yield state, server.url


@pytest.fixture
def stagecraft(stagecraft_server: tuple[StagecraftState, str]) -> Iterator[StagecraftState]:
    """The Stagecraft stand-in's state; failures queued by a test do not outlive it."""
    state, _ = stagecraft_server
    yield state
    state.failures.clear()
    state.path_failures.clear()


@pytest.fixture(scope="session")
def settings(
    database_engine: str,
    database_url: str,
    stagecraft_server: tuple[StagecraftState, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Settings:
    """The apps' settings for the engine under test; the data directory (embedded broker) is
    a temporary one."""
    return Settings(
        database_engine=database_engine,
        database_url=database_url,
        stagecraft_url=stagecraft_server[1],
        signon_api_user_token="signon-token",
        collection_endpoint_token=ADMIN_TOKEN,
        data_dir=tmp_path_factory.mktemp("data"),
    )


@pytest.fixture(scope="session")
def storage(settings: Settings) -> Iterator[Storage]:
    engine = open_storage(settings)
    yield engine
    engine.close()


@pytest.fixture
def name() -> str:
    """A fresh data set name: tests never share data, so nothing needs wiping."""
    return f"ds_{uuid.uuid4().hex[:12]}"


@pytest.fixture
def make_data_set(stagecraft: StagecraftState) -> Callable[..., dict[str, Any]]:
    """Register a data set in the Stagecraft stand-in; group and type default to its name."""

    def make(name: str, **overrides: Any) -> dict[str, Any]:
        config = data_set_config(name, **{"capped_size": None, **overrides})
        stagecraft.put(config)
        return config

    return make
