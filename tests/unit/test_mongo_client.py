"""The MongoDB client's settings: journaled writes unless DATABASE_URL chooses otherwise, and
timeouts from Settings.database_timeout."""

from __future__ import annotations

import pytest
from pymongo.write_concern import WriteConcern

from backdrop.core.storage.mongo.client import _without_short_journal, connect, journaled

BASE = "mongodb://127.0.0.1:27017/backdrop?directConnection=true&retryWrites=false"


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ("", {"j": True}),
        ("&w=majority", {"w": "majority", "j": True}),
        ("&wtimeoutMS=500", {"wtimeout": 500, "j": True}),
        ("&journal=false", {"j": False}),
        ("&j=false", {"j": False}),
        ("&J=true&w=2", {"w": 2, "j": True}),
        ("&w=0", {"w": 0}),
    ],
)
def test_url_options_win_over_the_journaled_default(
    options: str, expected: dict[str, object]
) -> None:
    client = connect(BASE + options, 1.5)
    try:
        assert journaled(client.write_concern).document == expected
    finally:
        client.close()


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("mongodb://h/db?j=true", "mongodb://h/db"),
        ("mongodb://h/db?j=true&w=1", "mongodb://h/db?w=1"),
        ("mongodb://h/db?w=1&j=1&appName=x", "mongodb://h/db?w=1&appName=x"),
        ("mongodb://u:p@h1,h2/db?replicaSet=rs&j=false", "mongodb://u:p@h1,h2/db?replicaSet=rs"),
    ],
)
def test_the_short_journal_option_leaves_the_rest_of_the_url(url: str, kept: str) -> None:
    assert _without_short_journal(url)[0] == kept


def test_timeouts_come_from_the_setting() -> None:
    client = connect(BASE, 1.5)
    try:
        assert client.options.server_selection_timeout == 1.0  # checked every 0.5 s: 1.5 at most
        assert client.options.pool_options.connect_timeout == 1.5
    finally:
        client.close()


def test_an_explicit_write_concern_is_kept() -> None:
    chosen = WriteConcern(w=1, j=False)
    assert journaled(chosen) is chosen
