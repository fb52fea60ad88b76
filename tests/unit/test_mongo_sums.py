"""Sums as the MongoDB engine reads them back from its pipeline: exact while they fit in 64 bits,
else a float (mongod turns a long `$sum` that overflows into a double; the exact pipeline the
engine falls back to on the embedded server sums longs apart, as decimals)."""

from __future__ import annotations

import math

from bson.decimal128 import Decimal128

from backdrop.core.query import Collect, Query
from backdrop.core.storage.mongo.pipeline import collected, group_pipeline

MAX = 2**63 - 1


def test_exact_longs_are_summed_apart() -> None:
    query = Query(group_by=("g",), collect=(Collect("v", "sum"),))
    accumulators = group_pipeline(query, exact_longs=True)[1]["$group"]
    assert set(accumulators) >= {"t0", "l0", "o0"}
    assert "l0" not in group_pipeline(query)[1]["$group"]


def test_totals_read_back() -> None:
    def total(document: dict[str, object]) -> object:
        return collected({"k0": 2, **document}, 0).total

    assert total({"t0": 5}) == 5
    assert total({"t0": 0, "l0": Decimal128(str(MAX))}) == MAX
    past = total({"t0": 1, "l0": Decimal128(str(MAX))})
    assert isinstance(past, float) and past == float(MAX + 1)
    below = total({"t0": 0, "l0": Decimal128(str(-(2**64)))})
    assert isinstance(below, float) and below == -float(2**64)
    mixed = total({"t0": 1.5, "l0": Decimal128(str(2 * MAX))})
    assert mixed == 1.5 + float(2 * MAX)
    infinite = total({"t0": math.inf, "l0": Decimal128("1")})
    assert isinstance(infinite, float) and math.isinf(infinite)
