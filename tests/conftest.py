"""Fixtures shared by every test package: real servers, started once per session, and the
data sets tests write to. Each name says what it gives:

- `data_set_name`: a fresh name, registered nowhere (str)
- `registered_data_set`: the name of a fresh data set registered with the harness defaults (str)
- `register_data_set`: registers a data set in the Stagecraft stand-in; returns its config (dict)
- `new_data_set`: registers one and writes records through the write app (`HttpDataSet`)
- `storage`, `settings`: the engine under test and the apps' settings over it
- `read_url`, `write_url`, `http`: the apps served over HTTP, and a session to call them;
  `each_app`: (name, URL) of each in turn
- `builtin_apps`: read and write apps over the built-in registry (`BuiltinApps`)
"""

from __future__ import annotations

import contextlib
import fcntl
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
import requests

from backdrop.core.config import Settings
from backdrop.core.storage import ENGINES, open_storage
from backdrop.core.storage.base import Storage
from backdrop.read.app import create_app as create_read_app
from backdrop.write.app import create_app as create_write_app
from tests.support import builtin_registry
from tests.support.engines import ENGINES_UNDER_TEST, EngineUnderTest
from tests.support.fixture_files import fixture_records
from tests.support.http_data_set import HttpDataSet, register, unique_name
from tests.support.servers import LiveServer
from tests.support.stagecraft import (
    RegisterDataSet,
    StagecraftState,
    stagecraft_app,
    stagecraft_config,
)
from tests.support.tokens import ADMIN_TOKEN, SIGNON_TOKEN


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
def engine_under_test(database_engine: str) -> EngineUnderTest:
    """What the tests need to know of the engine under test (tests/support/engines.py)."""
    return ENGINES_UNDER_TEST[database_engine]


@pytest.fixture(scope="session")
def mongodb_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The embedded MongoDB-wire server, for the run."""
    with ENGINES_UNDER_TEST["mongodb"].session_database(tmp_path_factory.mktemp("mongodb")) as url:
        yield url


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A throw-away database on the local PostgreSQL server, dropped after the run."""
    with ENGINES_UNDER_TEST["postgres"].session_database(
        tmp_path_factory.mktemp("postgres")
    ) as url:
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
        signon_api_user_token=SIGNON_TOKEN,
        collection_endpoint_token=ADMIN_TOKEN,
        data_dir=tmp_path_factory.mktemp("data"),
    )


@pytest.fixture(scope="session")
def storage(settings: Settings) -> Iterator[Storage]:
    engine = open_storage(settings)
    yield engine
    engine.close()


@pytest.fixture
def data_set_name() -> str:
    """A fresh data set name, registered nowhere: tests never share data, so nothing needs
    wiping."""
    return unique_name()


@pytest.fixture
def register_data_set(stagecraft: StagecraftState) -> RegisterDataSet:
    """Register a data set in the Stagecraft stand-in and return its config; group and type
    default to its name, its token is `<name>-bearer-token`."""

    def register_config(name: str, **overrides: Any) -> dict[str, Any]:
        config = stagecraft_config(name, **{"capped_size": None, **overrides})
        stagecraft.put(config)
        return config

    return register_config


@pytest.fixture
def registered_data_set(data_set_name: str, register_data_set: RegisterDataSet) -> str:
    """The name of a fresh data set registered with the harness defaults (the `_timestamp`
    schema, no cap)."""
    register_data_set(data_set_name)
    return data_set_name


@pytest.fixture(scope="session")
def read_url(settings: Settings, storage: Storage) -> Iterator[str]:
    with LiveServer(create_read_app(settings, storage=storage)) as server:
        yield server.url


@pytest.fixture(scope="session")
def write_url(settings: Settings, storage: Storage) -> Iterator[str]:
    with LiveServer(create_write_app(settings, storage=storage)) as server:
        yield server.url


@pytest.fixture(params=["read", "write"])
def each_app(request: pytest.FixtureRequest, read_url: str, write_url: str) -> tuple[str, str]:
    """Each app in turn, for what both must do alike: its name (`read`, `write`), its URL."""
    name = str(request.param)
    return name, read_url if name == "read" else write_url


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


@pytest.fixture(scope="session")
def builtin_apps(settings: Settings, storage: Storage) -> Iterator[builtin_registry.BuiltinApps]:
    """Read and write apps whose configs come from the built-in registry in the database."""
    with builtin_registry.builtin_apps(settings, storage) as apps:
        yield apps
