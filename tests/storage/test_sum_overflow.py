"""Sums past the number types (pinned 3): an integer sum that leaves signed 64 bits becomes a
float (MongoDB's long overflow to double), a float sum that overflows is infinite (JSON renders
it null), and neither is ever an error."""

from __future__ import annotations

import math

from backdrop.core.query import Collect, Query
from backdrop.core.results import reduce_collected
from backdrop.core.storage.base import Collected, Storage

MAX = 2**63 - 1


def collected(storage: Storage, data_set: str, method: str = "sum") -> dict[str, Collected]:
    query = Query(group_by=("g",), collect=(Collect("v", method),))
    return {row.group[0]: row.collected["v"] for row in storage.run(data_set, query)}


def test_integer_sums_past_64_bits_become_floats(storage: Storage, data_set: str) -> None:
    storage.save(
        data_set,
        [
            {"g": "over", "v": MAX},
            {"g": "over", "v": MAX},
            {"g": "under", "v": -(2**63)},
            {"g": "under", "v": -1},
            {"g": "exact", "v": MAX},
            {"g": "exact", "v": -1},
            {"g": "exact", "v": 1},
        ],
    )
    totals = {group: found.total for group, found in collected(storage, data_set).items()}
    assert totals["over"] == float(2 * MAX) and isinstance(totals["over"], float)
    assert totals["under"] == float(-(2**63) - 1) and isinstance(totals["under"], float)
    assert totals["exact"] == MAX and isinstance(totals["exact"], int)


def test_a_group_past_64_bits_leaves_the_others_exact(storage: Storage, data_set: str) -> None:
    storage.save(
        data_set,
        [{"g": "over", "v": MAX}, {"g": "over", "v": 1}, {"g": "big", "v": 2**62}]
        + [{"g": "big", "v": 2**60 + 1}] * 3,
    )
    totals = {group: found.total for group, found in collected(storage, data_set).items()}
    assert isinstance(totals["over"], float)
    assert totals["big"] == 2**62 + 3 * (2**60 + 1) and isinstance(totals["big"], int)


def test_float_sums_that_overflow_are_infinite(storage: Storage, data_set: str) -> None:
    storage.save(
        data_set,
        [{"g": "sum", "v": 1e308}, {"g": "sum", "v": 1e308}]
        + [{"g": "mean", "v": value} for value in (1e308, 1e308, 1.5)]
        + [{"g": "mixed", "v": value} for value in (1e308, 1e308, MAX)],
    )
    found = collected(storage, data_set, "mean")
    for group in ("sum", "mean", "mixed"):
        assert math.isinf(found[group].total), group
    assert reduce_collected(Collect("v", "sum"), found["sum"]) == math.inf
    assert reduce_collected(Collect("v", "mean"), found["mean"]) == math.inf
