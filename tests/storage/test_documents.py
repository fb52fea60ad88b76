"""Documents of the built-in registry, kept by the storage engine."""

from __future__ import annotations

import uuid

from backdrop.core.storage.base import Storage


def test_put_get_replace_and_delete(storage: Storage) -> None:
    kind = f"kind_{uuid.uuid4().hex[:8]}"
    assert storage.get_document(kind, "a") is None
    storage.put_document(kind, "a", {"name": "a", "nested": {"x": [1, 2.5, None]}})
    assert storage.get_document(kind, "a") == {"name": "a", "nested": {"x": [1, 2.5, None]}}
    storage.put_document(kind, "a", {"name": "a2"})
    assert storage.get_document(kind, "a") == {"name": "a2"}
    assert storage.delete_document(kind, "a")
    assert not storage.delete_document(kind, "a")
    assert storage.get_document(kind, "a") is None


def test_find_by_top_level_fields_ordered_by_key(storage: Storage) -> None:
    kind = f"kind_{uuid.uuid4().hex[:8]}"
    storage.put_document(kind, "b", {"group": "g", "type": "t", "n": 2, "flag": None})
    storage.put_document(kind, "a", {"group": "g", "type": "u", "n": 1})
    storage.put_document(kind, "c", {"group": "h", "type": "t", "n": 3, "flag": True})
    assert [d["n"] for d in storage.find_documents(kind)] == [1, 2, 3]
    assert [d["n"] for d in storage.find_documents(kind, {"group": "g"})] == [1, 2]
    assert [d["n"] for d in storage.find_documents(kind, {"group": "g", "type": "t"})] == [2]
    assert [d["n"] for d in storage.find_documents(kind, {"flag": None})] == [1, 2]
    assert storage.find_documents(kind, {"group": "x"}) == []
    assert storage.find_documents(f"{kind}_other") == []


def test_all_documents_lists_every_kind_and_key(storage: Storage) -> None:
    kind = f"kind_{uuid.uuid4().hex[:8]}"
    storage.put_document(kind, "b", {"n": 2})
    storage.put_document(kind, "a", {"n": 1})
    mine = [entry for entry in storage.all_documents() if entry[0] == kind]
    assert mine == [(kind, "a", {"n": 1}), (kind, "b", {"n": 2})]
    assert all(entry[0] != "data_versions" for entry in storage.all_documents())
