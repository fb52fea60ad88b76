"""Values a database may not hold: a lookup of one finds nothing (never an error), and a write
of one is either stored exactly or refused as a client error (ValueNotStorable, ValueTooLarge)
with nothing of its batch stored: never a StorageError of no kind (a 500), never "unavailable".
Core refuses these before storage is asked; the engines are safe on their own."""

from __future__ import annotations

import secrets
from dataclasses import replace
from typing import Any

import pytest

from backdrop.core.errors import ValueNotStorable
from backdrop.core.query import Query
from backdrop.core.storage.base import Storage
from tests.storage.builders import rec

ODD_TEXTS = ["nul\0inside", "\0", "lone \ud800 surrogate", "\udfff"]


@pytest.mark.parametrize("text", ODD_TEXTS, ids=repr)
def test_lookups_of_text_no_database_can_hold_find_nothing(
    storage: Storage, data_set_name: str, text: str
) -> None:
    storage.save(data_set_name, [rec("2014-01-06T00:00:00Z", _id="a", channel="b")])
    storage.put_document("data_sets", data_set_name, {"name": data_set_name, "data_group": "g"})
    assert storage.get_document("data_sets", text) is None
    assert storage.get_document(text, data_set_name) is None
    assert storage.find_documents("data_sets", {"data_group": text}) == []
    assert storage.find_documents(text) == []
    assert storage.delete_document("data_sets", text) is False
    assert storage.data_set_exists(text) is False
    assert storage.count_records(text) == 0
    assert list(storage.find(text, Query())) == []
    assert storage.run(text, Query(group_by=("channel",))) == []
    assert storage.last_updated([text]) == {text: None}
    assert storage.drop_data_set(text) is False
    assert storage.patch_record(data_set_name, text, {"channel": "c"}) is False
    assert storage.delete_record(data_set_name, text) is False
    for query in (
        Query(filter_by=(("channel", text),)),
        Query(filter_by=(("_id", text),)),
        Query(filter_by_prefix=(("channel", text),)),
        Query(filter_by=(("channel", text),), limit=5),
    ):
        assert list(storage.find(data_set_name, query)) == []
        assert storage.run(data_set_name, replace(query, group_by=("channel",), limit=None)) == []
    assert [record["channel"] for record in storage.find(data_set_name, Query())] == ["b"]


def stored_exactly_or_refused(storage: Storage, data_set: str, record: dict[str, Any]) -> None:
    """Save a batch holding `record`: either every record reads back as written, or the
    batch is refused as a client error and the data set is as it was."""
    storage.save(data_set, [{"_id": "kept", "v": 1}])
    batch = [{"_id": "other", "v": 2}, record]
    try:
        storage.save(data_set, batch)
    except ValueNotStorable:
        assert [r["_id"] for r in storage.find(data_set, Query())] == ["kept"]
        return
    found = {r["_id"]: r for r in storage.find(data_set, Query())}
    assert sorted(found) == sorted(["kept", "other", record["_id"]])
    assert {key: found[record["_id"]][key] for key in record} == record


@pytest.mark.parametrize(
    "record",
    [
        {"_id": "a", "text": "nul\0inside"},
        {"_id": "nul\0id"},
        {"_id": "a", "text": "lone \ud800 surrogate"},
        {"_id": "a", "deep": {"list": ["\udfff"]}},
        {"_id": "lone\ud800"},
    ],
    ids=repr,
)
def test_text_a_database_may_not_hold_is_stored_exactly_or_refused(
    storage: Storage, data_set_name: str, record: dict[str, Any]
) -> None:
    stored_exactly_or_refused(storage, data_set_name, record)


def test_an_id_larger_than_an_index_holds_is_stored_exactly_or_refused(
    storage: Storage, data_set_name: str
) -> None:
    """Core caps ids at 1 KiB; 8 KiB of random text is over what a PostgreSQL btree holds."""
    stored_exactly_or_refused(storage, data_set_name, {"_id": secrets.token_hex(4096)})
