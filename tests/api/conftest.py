"""Fixtures of the API tests: a data set without a schema (for uploads), and the `backdrop`
command over the test database (for the CLI tests)."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from tests.support.cli import Cli, Ran, child_process, cli_environment, in_process
from tests.support.stagecraft import RegisterDataSet


@pytest.fixture(scope="module")
def cli_env(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The command's environment: the built-in registry in the test database, the embedded
    broker in a temporary folder."""
    return cli_environment(database_url, tmp_path_factory.mktemp("cli_data"))


@pytest.fixture
def cli(cli_env: dict[str, str]) -> Cli:
    """`cli("data-set", "list")`: the command in-process (stderr is no terminal), in `cli_env`
    or the `env=` given."""

    def run(*args: str, env: Mapping[str, str] | None = None) -> Ran:
        return in_process(env or cli_env, *args)

    return run


@pytest.fixture
def cli_process(cli_env: dict[str, str]) -> Cli:
    """`cli` as the installed executable in a child process."""

    def run(*args: str, env: Mapping[str, str] | None = None) -> Ran:
        return child_process(env or cli_env, *args)

    return run


@pytest.fixture
def schemaless_data_set(data_set_name: str, register_data_set: RegisterDataSet) -> str:
    """A data set without a schema (spreadsheets rarely carry `_timestamp`)."""
    register_data_set(data_set_name, schema=None, raw_queries_allowed=True)
    return data_set_name
