"""Data sets as a whole: existence, drop and empty, caps, versions, last updated, copies."""

from __future__ import annotations

from datetime import timedelta

import pytest

from backdrop.core.query import Query
from backdrop.core.storage.base import Storage
from backdrop.core.timeutils import now
from tests.storage.builders import at, rec


def test_create_makes_an_empty_data_set_that_exists(storage: Storage, data_set_name: str) -> None:
    assert not storage.data_set_exists(data_set_name)
    storage.create_data_set(data_set_name, None)
    storage.create_data_set(data_set_name, None)  # a second create is a no-op
    assert storage.data_set_exists(data_set_name)
    assert list(storage.find(data_set_name, Query())) == []
    assert storage.data_sets()[data_set_name] is None


def test_save_creates_a_missing_data_set(storage: Storage, data_set_name: str) -> None:
    storage.save(data_set_name, [{"_id": "a"}])
    assert storage.data_set_exists(data_set_name)
    assert storage.count_records(data_set_name) == 1


def test_empty_keeps_the_data_set_and_drop_removes_it(storage: Storage, data_set_name: str) -> None:
    storage.save(data_set_name, [{"_id": "a"}, {"_id": "b"}])
    storage.empty_data_set(data_set_name)
    assert storage.data_set_exists(data_set_name)
    assert storage.count_records(data_set_name) == 0
    assert storage.drop_data_set(data_set_name)  # an empty data set can be dropped
    assert not storage.data_set_exists(data_set_name)
    assert data_set_name not in storage.data_sets()
    assert not storage.drop_data_set(data_set_name)


def test_drop_then_save_starts_afresh(storage: Storage, data_set_name: str) -> None:
    storage.save(data_set_name, [{"_id": "a", "v": 1}])
    storage.drop_data_set(data_set_name)
    storage.save(data_set_name, [{"_id": "b", "v": 2}])
    assert [record["_id"] for record in storage.find(data_set_name, Query())] == ["b"]


def test_data_sets_lists_caps(storage: Storage, data_set_name: str) -> None:
    storage.create_data_set(f"{data_set_name}_capped", 5040)
    storage.create_data_set(data_set_name, 0)
    listed = storage.data_sets()
    assert listed[f"{data_set_name}_capped"] == 5040
    assert listed[data_set_name] is None


def test_capped_data_set_stays_bounded_keeping_the_newest(
    storage: Storage, data_set_name: str
) -> None:
    storage.create_data_set(data_set_name, 5040)
    for batch in range(40):
        storage.save(
            data_set_name, [rec("2014-01-06", batch=batch, n=n, text="x" * 20) for n in range(5)]
        )
    kept = [(r["batch"], r["n"]) for r in storage.find(data_set_name, Query())]
    assert 5 <= len(kept) < 100
    assert kept[-1] == (39, 4)
    assert kept == sorted(kept)  # the oldest went first
    assert kept[0] > (0, 0)


def test_uncapped_data_set_keeps_everything(storage: Storage, data_set_name: str) -> None:
    storage.create_data_set(data_set_name, None)
    for _batch in range(20):
        storage.save(data_set_name, [rec("2014-01-06", n=n, text="x" * 200) for n in range(10)])
    assert storage.count_records(data_set_name) == 200


def test_data_version_changes_with_every_change_and_is_never_reused(
    storage: Storage, data_set_name: str
) -> None:
    seen = [storage.data_version(data_set_name)]
    assert storage.data_version(data_set_name) == seen[0]  # reading does not change it

    def changed() -> None:
        version = storage.data_version(data_set_name)
        assert version not in seen
        seen.append(version)

    storage.save(data_set_name, [{"_id": "a", "v": 1}])
    changed()
    storage.patch_record(data_set_name, "a", {"v": 2})
    changed()
    storage.delete_record(data_set_name, "a")
    changed()
    storage.save(data_set_name, [{"_id": "b"}])
    storage.empty_data_set(data_set_name)
    changed()
    storage.drop_data_set(data_set_name)
    changed()
    storage.save(data_set_name, [{"_id": "a", "v": 1}])  # the same content as after the first save
    changed()
    assert storage.data_version(data_set_name) == seen[-1]


def test_missing_record_changes_leave_the_version_alone(
    storage: Storage, data_set_name: str
) -> None:
    storage.save(data_set_name, [{"_id": "a"}])
    version = storage.data_version(data_set_name)
    storage.patch_record(data_set_name, "nope", {"v": 1})
    storage.delete_record(data_set_name, "nope")
    assert storage.data_version(data_set_name) == version


def test_last_updated_is_newest_timestamp_else_newest_write(
    storage: Storage, data_set_name: str
) -> None:
    timed, untimed, empty, missing = (f"{data_set_name}_{n}" for n in ("t", "u", "e", "m"))
    storage.save(timed, [rec("2014-01-06", v=1), rec("2014-02-03T10:00:00Z"), rec(v=3)])
    before = now() - timedelta(seconds=1)
    storage.save(untimed, [{"v": 1}])
    storage.create_data_set(empty, None)
    found = storage.last_updated([timed, untimed, empty, missing])
    assert found[timed] == at("2014-02-03T10:00:00Z")
    untimed_at = found[untimed]
    assert untimed_at is not None and before <= untimed_at <= now()
    assert found[empty] is None
    assert found[missing] is None
    assert storage.last_updated([]) == {}


def test_import_keeps_ids_and_updated_at(storage: Storage, data_set_name: str) -> None:
    records = [
        {**rec("2014-01-06", _id="a", v=1), "_updated_at": at("2015-01-01T10:00:00.123Z")},
        {"_id": "b", "_updated_at": at("2015-01-02")},
    ]
    storage.import_records(data_set_name, records)
    assert list(storage.find(data_set_name, Query())) == records
    assert storage.count_records(data_set_name) == 2


@pytest.mark.parametrize("first", [True, False], ids=["short_first", "long_first"])
def test_names_that_extend_another_name_are_data_sets_of_their_own(
    storage: Storage, data_set_name: str, first: bool
) -> None:
    """`x`, `x_ts`, `x_pkey`, `x_seq`, `x_seq_seq`, ... whichever is created first."""
    names = [
        data_set_name,
        *(f"{data_set_name}_{end}" for end in ("ts", "pkey", "seq", "seq_seq", "seq_1")),
    ]
    for name in names if first else reversed(names):
        storage.save(name, [{"_id": name, "_timestamp": at("2014-01-06")}])
    for name in names:
        assert [record["_id"] for record in storage.find(name, Query())] == [name]
        assert storage.count_records(name) == 1
