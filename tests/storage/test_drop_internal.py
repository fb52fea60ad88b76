"""`drop_data_set` drops data sets and nothing else (pinned behaviour 6): whatever name it is
given, the registry, the data versions, the outbox and every internal table or collection stay,
and so do the other data sets."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from backdrop.core.config import Settings
from backdrop.core.query import Query
from backdrop.core.storage import open_storage
from backdrop.core.storage.base import Dispatch, Storage

INTERNAL_NAMES = [
    "data_sets",
    "documents",
    "outbox",
    "data_versions",
    "schema_migrations",
    "backdrop.data_sets",
    "backdrop.documents",
    "backdrop.outbox",
    "backdrop.data_versions",
    "backdrop.schema_migrations",
    "system.views",
    "system.indexes",
    "r_kept",
    "backdrop.r_kept",
    "$cmd",
    "kept$",
    "kept\0",
    "\0",
    "..",
    "kept..",
    ".kept",
    "",
    "k" * 300,
    "é" * 150,
]
MOMENT = datetime(2014, 1, 6, tzinfo=UTC)


@pytest.fixture
def populated(fresh: Settings) -> Iterator[Storage]:
    """A database of its own (a failure here must not take others' registry with it) holding
    a registry document, a data set with records, its data version and an outbox entry."""
    storage = open_storage(fresh)
    storage.put_document("data_sets", "kept", {"name": "kept", "data_group": "g"})
    storage.save(
        "kept", [{"_id": "a", "value": 1}], dispatch=Dispatch("d1", "kept", MOMENT, MOMENT)
    )
    try:
        yield storage
    finally:
        storage.close()


def dropped_nothing(storage: Storage, name: str) -> bool:
    version = storage.data_version("kept")
    return (
        storage.drop_data_set(name) is False
        and storage.get_document("data_sets", "kept") == {"name": "kept", "data_group": "g"}
        and storage.data_sets() == {"kept": None}
        and [record["_id"] for record in storage.find("kept", Query())] == ["a"]
        and storage.data_version("kept") == version
        and storage.count_dispatches() == 1
        and storage.migrate() == []
    )


def test_dropping_an_internal_or_impossible_name_drops_nothing(populated: Storage) -> None:
    assert [name for name in INTERNAL_NAMES if not dropped_nothing(populated, name)] == []


def test_a_data_set_named_like_an_internal_table_is_dropped_alone(populated: Storage) -> None:
    for name in ("data_sets", "documents", "outbox"):
        populated.save(name, [{"_id": "x"}])
    assert populated.drop_data_set("documents") is True
    assert populated.data_sets() == {"data_sets": None, "kept": None, "outbox": None}
    assert populated.get_document("data_sets", "kept") == {"name": "kept", "data_group": "g"}
    assert populated.count_records("outbox") == 1
    assert populated.count_dispatches() == 1
