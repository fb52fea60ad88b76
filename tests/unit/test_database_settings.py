"""Where the processes find their database: the embedded servers by default, a replica for
the read app's queries when DATABASE_READ_URL is set."""

from __future__ import annotations

import pytest

from backdrop.core.config import Settings
from backdrop.core.errors import SettingsInvalid
from backdrop.core.storage.postgres import server


def test_the_postgres_engine_defaults_to_the_embedded_server() -> None:
    settings = Settings.from_env({"DATABASE_ENGINE": "postgres"})
    assert settings.database_url == server.url(server.DEFAULT_PORT)
    assert settings.database_url == "postgresql://postgres@127.0.0.1:5433/backdrop"


def test_a_read_url_is_optional_and_kept_apart_from_the_database_url() -> None:
    assert Settings.from_env({}).database_read_url is None
    settings = Settings.from_env(
        {
            "DATABASE_URL": "postgresql://db-primary/backdrop",
            "DATABASE_READ_URL": "postgresql://db-standby/backdrop",
        }
    )
    assert settings.database_url == "postgresql://db-primary/backdrop"
    assert settings.database_read_url == "postgresql://db-standby/backdrop"
    assert "db-standby" not in repr(settings)  # it may carry credentials


def test_a_read_url_of_another_engine_fails_at_start_up() -> None:
    with pytest.raises(SettingsInvalid, match="DATABASE_READ_URL"):
        Settings.from_env(
            {
                "DATABASE_URL": "postgresql://db-primary/backdrop",
                "DATABASE_READ_URL": "mongodb://db-secondary/backdrop?readPreference=secondary",
            }
        )
