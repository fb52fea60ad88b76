"""Where the engines disagreed (issue 9), checked black-box through the real apps on every
engine: the pinned behaviour is the same answer on both."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests

from tests.support.http_data_set import HttpDataSet

NewDataSet = Callable[..., HttpDataSet]


@pytest.fixture
def raw_data_set(new_data_set: NewDataSet) -> HttpDataSet:
    return new_data_set(raw_queries_allowed=True, schema=None)


def patch(data_set: HttpDataSet, record_id: str, body: Any) -> requests.Response:
    return data_set.http.patch(
        f"{data_set.write_url}{data_set.path}/{record_id}",
        json=body,
        headers={"Authorization": f"Bearer {data_set.config['bearer_token']}"},
        timeout=30,
    )


def test_a_patched_type_tag_look_alike_reads_back_as_sent_and_breaks_no_read(
    raw_data_set: HttpDataSet,
) -> None:
    base = {"_timestamp": "2014-01-06T00:00:00Z"}
    assert raw_data_set.post([{**base, "_id": "q1", "channel": "a"}]).status_code == 200
    assert raw_data_set.post([{**base, "_id": "q2", "channel": "b"}]).status_code == 200
    note = {"$date": "garbage", "$oid": "nope", "a.b": [1, {"$literal": None}], "": -0.0}
    assert patch(raw_data_set, "q2", {"note": note}).status_code == 200
    for query in ("limit=10", "filter_by=channel:b", "format=csv", "sort_by=note:ascending"):
        assert raw_data_set.get(query).status_code == 200, query
    [stored] = raw_data_set.data("filter_by=channel:b")
    assert stored["note"] == note
    assert str(stored["note"][""]) == "-0.0"


def test_a_generated_id_can_be_patched_and_deleted(raw_data_set: HttpDataSet) -> None:
    assert raw_data_set.post({"_timestamp": "2014-01-06T00:00:00Z", "kind": "gen"}).ok
    [record] = raw_data_set.data()
    record_id = record["_id"]
    assert len(record_id) == 24
    assert patch(raw_data_set, record_id, {"patched": True}).status_code == 200
    assert raw_data_set.data()[0]["patched"] is True
    deleted = raw_data_set.http.delete(
        f"{raw_data_set.write_url}{raw_data_set.path}/{record_id}",
        headers={"Authorization": f"Bearer {raw_data_set.config['bearer_token']}"},
        timeout=30,
    )
    assert deleted.status_code == 200
    assert raw_data_set.data() == []


def test_a_dotted_patch_key_is_400_on_every_engine(raw_data_set: HttpDataSet) -> None:
    assert raw_data_set.post({"_id": "r", "kind": "k"}).ok
    assert patch(raw_data_set, "r", {"aa": {"bb": 0}}).status_code == 200
    response = patch(raw_data_set, "r", {"aa.bb": 1})
    assert response.status_code == 400
    assert response.json() == {"status": "error", "message": "aa.bb is not a valid key"}
    assert raw_data_set.data()[0]["aa"] == {"bb": 0}


@pytest.mark.parametrize(
    ("values", "method", "expected"),
    [
        ([1e308, 1e308, 1.5], "mean", None),
        ([1e308, 1e308], "sum", None),
        ([2**62, 2**62, 2**62], "sum", float(3 * 2**62)),  # leaves 64 bits: a float
        ([1.5, 2.5], "mean", 2.0),
        ([2**53, 1], "sum", 2**53 + 1),
    ],
)
def test_sums_and_means_agree(
    raw_data_set: HttpDataSet, values: list[float], method: str, expected: float | None
) -> None:
    records = [{"kind": "k", "value": value} for value in values]
    assert raw_data_set.post(records).status_code == 200
    [row] = raw_data_set.data(f"group_by=kind&collect=value:{method}")
    got = row[f"value:{method}"]
    assert type(got) is type(expected)
    assert got == expected


def test_numbers_read_back_with_their_type(raw_data_set: HttpDataSet) -> None:
    sent = {
        "big_float": 1e16,
        "whole_float": 100.0,
        "negative_zero": -0.0,
        "largest": 1e308,
        "tiniest": 5e-324,
        "largest_int": 2**63 - 1,
        "smallest_int": -(2**63),
        "beyond_doubles": 2**53 + 1,
    }
    assert raw_data_set.post({"_id": "n", **sent}).status_code == 200
    [stored] = raw_data_set.data()
    got = {key: stored[key] for key in sent}
    assert {key: (type(value), repr(value)) for key, value in got.items()} == {
        key: (type(value), repr(value)) for key, value in sent.items()
    }
