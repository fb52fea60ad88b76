"""Writing records and reading them back raw (spec 2.4.1, 2.4.2, 3.6): every engine alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from backdrop.core.query import Query, SortBy
from backdrop.core.storage.base import Storage
from backdrop.core.timeutils import now
from backdrop.web.rendering import dumps
from tests.storage.builders import at, rec


def ids(storage: Storage, data_set: str, query: Query | None = None) -> list[str]:
    return [str(record["_id"]) for record in storage.find(data_set, query or Query())]


def test_save_stamps_updated_at_and_reads_back_every_field(
    storage: Storage, data_set_name: str
) -> None:
    before = now() - timedelta(seconds=1)
    storage.save(data_set_name, [rec("2012-12-13T01:01:01Z", _id="1236", authority="Westminster")])
    [record] = list(storage.find(data_set_name, Query()))
    updated = record.pop("_updated_at")
    assert before <= updated <= now()
    assert updated.tzinfo is not None and updated.utcoffset() == timedelta(0)
    assert record == {
        "_id": "1236",
        "_timestamp": at("2012-12-13T01:01:01Z"),
        "_hour_start_at": at("2012-12-13T01:00:00Z"),
        "_day_start_at": at("2012-12-13"),
        "_week_start_at": at("2012-12-10"),
        "_month_start_at": at("2012-12-01"),
        "_quarter_start_at": at("2012-10-01"),
        "_year_start_at": at("2012-01-01"),
        "authority": "Westminster",
    }


def test_values_keep_their_json_types(storage: Storage, data_set_name: str) -> None:
    values: dict[str, Any] = {
        "text": "ünïcode ✓",
        "whole": 3,
        "big": 2**62,
        "fraction": 2.5,
        "whole_float": 3.0,
        "yes": True,
        "no": False,
        "nothing": None,
        "empty": "",
    }
    storage.save(data_set_name, [{"_id": "a", **values}])
    [record] = list(storage.find(data_set_name, Query()))
    for key, value in values.items():
        assert dumps(record[key]) == dumps(value), key


def test_datetimes_round_trip_as_aware_utc_truncated_to_milliseconds(
    storage: Storage, data_set_name: str
) -> None:
    stamp = datetime(2014, 1, 2, 3, 4, 5, 678999, tzinfo=UTC)
    storage.save(data_set_name, [{"_id": "a", "_timestamp": stamp, "_start_at": stamp}])
    [record] = list(storage.find(data_set_name, Query()))
    for key in ("_timestamp", "_start_at"):
        assert record[key] == datetime(2014, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
        assert record[key].utcoffset() == timedelta(0)
    assert record["_updated_at"].microsecond % 1000 == 0


def test_records_without_id_get_one_and_are_always_inserted(
    storage: Storage, data_set_name: str
) -> None:
    storage.save(data_set_name, [{"value": 1}])
    storage.save(data_set_name, [{"value": 1}])
    found = ids(storage, data_set_name)
    assert len(found) == 2
    assert len(set(found)) == 2
    assert all(found)


def test_same_id_replaces_the_whole_record(storage: Storage, data_set_name: str) -> None:
    storage.save(data_set_name, [{"_id": "a", "old": 1, "kept": True}])
    storage.save(data_set_name, [{"_id": "a", "new": 2}])
    [record] = list(storage.find(data_set_name, Query()))
    assert {key: value for key, value in record.items() if key != "_updated_at"} == {
        "_id": "a",
        "new": 2,
    }


def test_same_id_twice_in_one_batch_the_last_wins(storage: Storage, data_set_name: str) -> None:
    storage.save(data_set_name, [{"_id": "a", "v": 1}, {"_id": "b", "v": 2}, {"_id": "a", "v": 3}])
    found = [(r["_id"], r["v"]) for r in storage.find(data_set_name, Query())]
    assert found == [("a", 3), ("b", 2)]


def test_ids_are_scoped_per_data_set(storage: Storage, data_set_name: str) -> None:
    other = f"{data_set_name}_other"
    storage.save(data_set_name, [{"_id": "a", "v": 1}])
    storage.save(other, [{"_id": "a", "v": 2}])
    assert [r["v"] for r in storage.find(data_set_name, Query())] == [1]
    assert [r["v"] for r in storage.find(other, Query())] == [2]


def test_without_sort_records_come_in_insertion_order_replacements_keep_their_place(
    storage: Storage, data_set_name: str
) -> None:
    storage.save(data_set_name, [{"_id": i} for i in ("m", "c", "x", "a")])
    storage.save(data_set_name, [{"_id": "c", "replaced": True}, {"_id": "b"}])
    assert ids(storage, data_set_name) == ["m", "c", "x", "a", "b"]
    assert ids(storage, data_set_name) == ids(storage, data_set_name)


def test_patch_merges_fields_and_stamps_updated_at(storage: Storage, data_set_name: str) -> None:
    storage.save(data_set_name, [rec("2014-01-06", _id="a", keep="me", change=1)])
    [before] = list(storage.find(data_set_name, Query()))
    assert storage.patch_record(data_set_name, "a", {"change": 2, "added": None})
    [after] = list(storage.find(data_set_name, Query()))
    assert after["_updated_at"] >= before["_updated_at"]
    assert {k: v for k, v in after.items() if k != "_updated_at"} == {
        **{k: v for k, v in before.items() if k != "_updated_at"},
        "change": 2,
        "added": None,
    }


def test_patch_can_put_text_where_a_datetime_was(storage: Storage, data_set_name: str) -> None:
    storage.save(data_set_name, [rec("2014-01-06", _id="a")])
    assert storage.patch_record(data_set_name, "a", {"_timestamp": "not a date"})
    [record] = list(storage.find(data_set_name, Query()))
    assert record["_timestamp"] == "not a date"
    assert record["_week_start_at"] == at("2014-01-06")
    in_range = Query(start_at=at("2014-01-01"), end_at=at("2014-02-01"))
    assert list(storage.find(data_set_name, in_range)) == []


def test_patch_or_delete_of_a_missing_record_is_false(storage: Storage, data_set_name: str) -> None:
    assert not storage.patch_record(data_set_name, "nope", {"a": 1})
    assert not storage.delete_record(data_set_name, "nope")
    storage.save(data_set_name, [{"_id": "a"}])
    assert not storage.patch_record(data_set_name, "nope", {"a": 1})
    assert not storage.delete_record(data_set_name, "nope")
    assert ids(storage, data_set_name) == ["a"]


def test_delete_removes_one_record(storage: Storage, data_set_name: str) -> None:
    storage.save(data_set_name, [{"_id": "a"}, {"_id": "b"}])
    assert storage.delete_record(data_set_name, "a")
    assert ids(storage, data_set_name) == ["b"]


def test_reads_of_a_data_set_that_does_not_exist_are_empty(
    storage: Storage, data_set_name: str
) -> None:
    assert list(storage.find(data_set_name, Query())) == []
    assert storage.run(data_set_name, Query(group_by=("a",))) == []
    assert storage.count_records(data_set_name) == 0


# -- selection (spec 2.4.1) --------------------------------------------------------------------


def test_time_range_is_start_inclusive_end_exclusive_unless_inclusive(
    storage: Storage, data_set_name: str
) -> None:
    storage.save(data_set_name, [rec(f"2014-01-0{day}", _id=str(day)) for day in range(1, 6)])
    storage.save(data_set_name, [{"_id": "undated"}])
    span = Query(start_at=at("2014-01-02"), end_at=at("2014-01-04"))
    assert ids(storage, data_set_name, span) == ["2", "3"]
    inclusive = Query(start_at=at("2014-01-02"), end_at=at("2014-01-04"), inclusive=True)
    assert ids(storage, data_set_name, inclusive) == ["2", "3", "4"]
    assert ids(storage, data_set_name, Query(start_at=at("2014-01-04"))) == ["4", "5"]


def test_filter_by_is_type_sensitive_and_anded(storage: Storage, data_set_name: str) -> None:
    storage.save(
        data_set_name,
        [
            {"_id": "1", "count": 3, "flag": True, "name": "x"},
            {"_id": "2", "count": "3", "flag": "true", "name": "x"},
            {"_id": "3", "count": "3", "flag": True, "name": "y"},
            {"_id": "4", "name": "x"},
        ],
    )
    assert ids(storage, data_set_name, Query(filter_by=(("count", "3"),))) == ["2", "3"]
    assert ids(storage, data_set_name, Query(filter_by=(("flag", True),))) == ["1", "3"]
    both = Query(filter_by=(("flag", True), ("name", "x")))
    assert ids(storage, data_set_name, both) == ["1"]
    assert ids(storage, data_set_name, Query(filter_by=(("missing", "x"),))) == []
    assert ids(storage, data_set_name, Query(filter_by=(("_id", "4"),))) == ["4"]


def test_filter_by_prefix_is_literal(storage: Storage, data_set_name: str) -> None:
    storage.save(
        data_set_name,
        [
            {"_id": "1", "name": "Westminster"},
            {"_id": "2", "name": "west"},
            {"_id": "3", "name": "50%_off"},
            {"_id": "4", "name": "50xyoff"},
            {"_id": "5", "name": "a.*b"},
            {"_id": "6", "name": 12},
            {"_id": "7"},
        ],
    )

    def prefix(value: str) -> list[str]:
        return ids(storage, data_set_name, Query(filter_by_prefix=(("name", value),)))

    assert prefix("West") == ["1"]
    assert prefix("50%_") == ["3"]
    assert prefix("a.*") == ["5"]
    assert prefix("1") == []
    assert prefix("") == ["1", "2", "3", "4", "5"]


# -- sort and limit (spec 2.4.2) -------------------------------------------------------------


def test_save_derives_the_period_keys_of_a_timestamp(storage: Storage, data_set_name: str) -> None:
    """spec 3.5, with its example: every `_<period>_start_at`, in UTC, weeks from Monday."""
    storage.save(data_set_name, [rec("2012-12-12T12:12:00+05:00", _id="a"), {"_id": "b"}])
    stored = {record["_id"]: record for record in storage.find(data_set_name, Query())}
    assert {key: value for key, value in stored["a"].items() if key.endswith("_start_at")} == {
        "_hour_start_at": at("2012-12-12T07:00:00Z"),
        "_day_start_at": at("2012-12-12T00:00:00Z"),
        "_week_start_at": at("2012-12-10T00:00:00Z"),
        "_month_start_at": at("2012-12-01T00:00:00Z"),
        "_quarter_start_at": at("2012-10-01T00:00:00Z"),
        "_year_start_at": at("2012-01-01T00:00:00Z"),
    }
    assert not any(key.endswith("_start_at") for key in stored["b"])


def test_sort_by_number_is_numeric(storage: Storage, data_set_name: str) -> None:
    storage.save(data_set_name, [{"_id": str(n), "count": n} for n in (9, 10, 100, 2.5, -1)])
    ascending = Query(sort_by=SortBy("count"))
    assert ids(storage, data_set_name, ascending) == ["-1", "2.5", "9", "10", "100"]
    descending = Query(sort_by=SortBy("count", descending=True), limit=2)
    assert ids(storage, data_set_name, descending) == ["100", "10"]


def test_sort_of_mixed_types_follows_bson_order_ties_by_id(
    storage: Storage, data_set_name: str
) -> None:
    values: list[Any] = [None, "b", "a", "B", 10, 9, 2.5, True, False, "é", "z"]
    storage.save(data_set_name, [{"_id": f"k{i:02d}", "v": v} for i, v in enumerate(values)])
    storage.save(data_set_name, [{"_id": "k99"}, {"_id": "k98", "v": 9}])
    ascending = [r.get("v", "-") for r in storage.find(data_set_name, Query(sort_by=SortBy("v")))]
    assert ascending == [None, "-", 2.5, 9, 9, 10, "B", "a", "b", "z", "é", False, True]
    tie_ids = [
        r["_id"] for r in storage.find(data_set_name, Query(sort_by=SortBy("v"))) if r.get("v") == 9
    ]
    assert tie_ids == ["k05", "k98"]
    descending = Query(sort_by=SortBy("v", descending=True))
    assert [r.get("v", "-") for r in storage.find(data_set_name, descending)] == [
        True, False, "é", "z", "b", "a", "B", 10, 9, 9, 2.5, None, "-",
    ]  # fmt: skip


def test_limited_sort_puts_missing_values_lowest_whatever_the_types(
    storage: Storage, data_set_name: str
) -> None:
    storage.save(data_set_name, [{"_id": "a", "n": 3}, {"_id": "b"}, {"_id": "c", "n": 1}])
    storage.save(data_set_name, [{"_id": "d", "n": 2}])
    assert ids(storage, data_set_name, Query(sort_by=SortBy("n"), limit=2)) == ["b", "c"]
    descending = Query(sort_by=SortBy("n", descending=True), limit=4)
    assert ids(storage, data_set_name, descending) == ["a", "d", "c", "b"]
    storage.save(data_set_name, [{"_id": "e", "n": "text"}, {"_id": "f", "n": None}])
    assert ids(storage, data_set_name, Query(sort_by=SortBy("n", descending=True), limit=2)) == [
        "e",
        "a",
    ]
    assert ids(storage, data_set_name, Query(sort_by=SortBy("n"), limit=3)) == ["b", "f", "c"]


def test_sort_by_timestamp_and_by_id(storage: Storage, data_set_name: str) -> None:
    storage.save(data_set_name, [rec("2014-01-03", _id="b"), rec("2014-01-01", _id="c")])
    storage.save(data_set_name, [rec("2014-01-02", _id="a"), {"_id": "d"}])
    by_time = Query(sort_by=SortBy("_timestamp", descending=True))
    assert ids(storage, data_set_name, by_time) == ["b", "a", "c", "d"]
    assert ids(storage, data_set_name, Query(sort_by=SortBy("_id"))) == ["a", "b", "c", "d"]


def test_limit_applies_after_filter_and_sort(storage: Storage, data_set_name: str) -> None:
    storage.save(data_set_name, [{"_id": str(n), "n": n, "even": n % 2 == 0} for n in range(10)])
    query = Query(filter_by=(("even", True),), sort_by=SortBy("n", descending=True), limit=3)
    assert ids(storage, data_set_name, query) == ["8", "6", "4"]
    assert ids(storage, data_set_name, Query(limit=2)) == ["0", "1"]


def test_large_unlimited_reads_stream_every_record(storage: Storage, data_set_name: str) -> None:
    storage.save(data_set_name, [{"_id": f"{n:05d}", "n": n} for n in range(5000)])
    found = ids(storage, data_set_name)
    assert len(found) == 5000
    assert found[:2] == ["00000", "00001"]
    assert found[-1] == "04999"
