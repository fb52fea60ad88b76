"""The table of storage engines: each engine describes itself once (name, URL schemes, default
URL, how to open it), and settings choose from that table alone."""

from __future__ import annotations

import subprocess
import sys

import pytest

from backdrop.core.config import Settings
from backdrop.core.errors import SettingsInvalid
from backdrop.core.storage import DEFAULT_ENGINE, ENGINES, engine_for_url


def test_each_engine_serves_its_own_default_url_and_no_scheme_is_shared() -> None:
    assert {name: engine_for_url(engine.default_url).name for name, engine in ENGINES.items()} == {
        "mongodb": "mongodb",
        "postgres": "postgres",
    }
    schemes = [scheme for engine in ENGINES.values() for scheme in engine.schemes]
    assert len(schemes) == len(set(schemes))
    assert DEFAULT_ENGINE is ENGINES["mongodb"]


@pytest.mark.parametrize(
    ("env", "engine", "url"),
    [
        ({}, "mongodb", ENGINES["mongodb"].default_url),
        (
            {"DATABASE_ENGINE": "postgres"},
            "postgres",
            "postgresql://postgres@127.0.0.1:5433/backdrop",
        ),
        ({"DATABASE_URL": "postgres://db/x"}, "postgres", "postgres://db/x"),
        ({"DATABASE_URL": "mongodb+srv://db/x"}, "mongodb", "mongodb+srv://db/x"),
    ],
)
def test_settings_take_the_engine_and_its_default_url_from_the_table(
    env: dict[str, str], engine: str, url: str
) -> None:
    settings = Settings.from_env(env)
    assert (settings.database_engine, settings.database_url) == (engine, url)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DATABASE_ENGINE": "mysql"}, 'Database engine not implemented "mysql"'),
        ({"DATABASE_URL": "redis://db/0"}, 'No database engine for URLs starting "redis://"'),
        (
            {"DATABASE_ENGINE": "postgres", "DATABASE_URL": "mongodb://db/x"},
            'DATABASE_URL does not name a "postgres" database',
        ),
    ],
)
def test_unusable_engine_settings_say_why(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsInvalid) as raised:
        Settings.from_env(env)
    assert raised.value.message == message


def test_reading_the_table_imports_no_driver() -> None:
    """Settings are checked (every CLI start, every app) without importing pymongo or psycopg:
    an engine's driver is imported when a storage is opened on it."""
    script = (
        "import sys\n"
        "from backdrop.core.config import Settings\n"
        "Settings.from_env({'DATABASE_URL': 'postgresql://db/x'})\n"
        "print(sorted(m for m in ('pymongo', 'psycopg', 'bson') if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout == "[]\n"
