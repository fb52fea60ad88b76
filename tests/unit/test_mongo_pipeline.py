"""The MongoDB selection filter: one operator document per field, `_timestamp` at the top and no
top-level `$and` (the embedded server uses the `_timestamp` index only then)."""

from __future__ import annotations

from datetime import UTC, datetime

from backdrop.core.periods import Period
from backdrop.core.query import Collect, Query
from backdrop.core.storage.mongo.pipeline import group_pipeline, selection

START = datetime(2013, 1, 7, tzinfo=UTC)
END = datetime(2013, 1, 14, tzinfo=UTC)


def test_range_filters_and_present_fields_are_top_level_keys() -> None:
    query = Query(start_at=START, end_at=END, filter_by=(("kind", "a"), ("flag", True)))
    assert selection(query, present=("authority", "kind")) == {
        "_timestamp": {"$gte": START, "$lt": END},
        "kind": {"$eq": "a", "$ne": None},
        "flag": {"$eq": True},
        "authority": {"$ne": None},
    }
    assert next(iter(selection(query))) == "_timestamp"


def test_inclusive_end() -> None:
    query = Query(start_at=START, end_at=END, inclusive=True)
    assert selection(query) == {"_timestamp": {"$gte": START, "$lte": END}}


def test_no_conditions() -> None:
    assert selection(Query()) == {}


def test_prefixes_are_literal() -> None:
    query = Query(filter_by_prefix=(("path", "/a.b(c"),))
    assert selection(query) == {"path": {"$regex": r"^/a\.b\(c"}}


def test_repeated_filters_on_one_field_are_anded() -> None:
    same = Query(filter_by=(("kind", "a"), ("kind", "a")))
    assert selection(same) == {"kind": {"$eq": "a"}}
    different = Query(filter_by=(("kind", "a"), ("kind", "b")))
    assert selection(different) == {"kind": {"$in": []}}
    typed = Query(filter_by=(("flag", True), ("flag", "true")))
    assert selection(typed) == {"flag": {"$in": []}}
    nested = Query(filter_by_prefix=(("path", "/a"), ("path", "/ab")))
    assert selection(nested) == {"path": {"$regex": "^/ab"}}
    disjoint = Query(filter_by_prefix=(("path", "/a"), ("path", "/b")))
    assert selection(disjoint) == {"path": {"$in": []}}


def test_group_pipeline_matches_without_and() -> None:
    query = Query(
        start_at=START,
        end_at=END,
        period=Period.WEEK,
        group_by=("authority",),
        filter_by=(("kind", "a"),),
        collect=(Collect("value", "sum"),),
    )
    match = group_pipeline(query)[0]["$match"]
    assert "$and" not in match
    assert match["_timestamp"] == {"$gte": START, "$lt": END}
    assert match["authority"] == {"$ne": None}
