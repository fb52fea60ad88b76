"""Generated ids (pinned 1): a record saved without `_id` gets 24 hex digits, and PATCH and
DELETE by the id the read API shows for it work on every engine."""

from __future__ import annotations

import re

from backdrop.core.query import Query
from backdrop.core.storage.base import Storage


def shown_id(storage: Storage, data_set: str) -> str:
    """The id as the read API renders it (`str` of whatever the engine stores)."""
    [record] = list(storage.find(data_set, Query()))
    return str(record["_id"])


def test_a_record_without_id_gets_24_hex_digits(storage: Storage, data_set_name: str) -> None:
    storage.save(data_set_name, [{"count": 1}])
    assert re.fullmatch("[0-9a-f]{24}", shown_id(storage, data_set_name))


def test_patch_by_a_generated_id(storage: Storage, data_set_name: str) -> None:
    storage.save(data_set_name, [{"count": 1}])
    record_id = shown_id(storage, data_set_name)
    assert storage.patch_record(data_set_name, record_id, {"count": 2, "note": "patched"})
    [record] = list(storage.find(data_set_name, Query()))
    assert (str(record["_id"]), record["count"], record["note"]) == (record_id, 2, "patched")


def test_delete_by_a_generated_id(storage: Storage, data_set_name: str) -> None:
    storage.save(data_set_name, [{"count": 1}, {"count": 2, "_id": "kept"}])
    generated = next(str(r["_id"]) for r in storage.find(data_set_name, Query()) if r["count"] == 1)
    assert storage.delete_record(data_set_name, generated)
    assert [str(record["_id"]) for record in storage.find(data_set_name, Query())] == ["kept"]
    assert not storage.delete_record(data_set_name, generated)


def test_an_id_only_matches_as_shown(storage: Storage, data_set_name: str) -> None:
    """Upper-case hex, or a prefix, names no record: ids match exactly as the API shows them."""
    storage.save(data_set_name, [{"count": 1}])
    record_id = shown_id(storage, data_set_name)
    assert not storage.patch_record(data_set_name, record_id.upper(), {"count": 2})
    assert not storage.delete_record(data_set_name, record_id[:-1])
    assert storage.count_records(data_set_name) == 1


def test_a_sent_id_of_24_hex_digits_is_a_string_id(storage: Storage, data_set_name: str) -> None:
    """A client's own id that happens to look generated is matched as sent."""
    sent = "5f" * 12
    storage.save(data_set_name, [{"_id": sent, "count": 1}])
    assert storage.patch_record(data_set_name, sent, {"count": 2})
    [record] = list(storage.find(data_set_name, Query()))
    assert (record["_id"], record["count"]) == (sent, 2)
    assert storage.delete_record(data_set_name, sent)
    assert storage.count_records(data_set_name) == 0
