"""The one decoder of the PostgreSQL engine's grouped rows: it reads each column as the
statement's layout says, drops the groups MongoDB would not form, and says when the layout
cannot hold the answer. Rows here are as psycopg returns them."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from backdrop.core.periods import Period
from backdrop.core.query import Collect, Needs, Query
from backdrop.core.storage.base import Collected, Row
from backdrop.core.storage.postgres.layout import (
    Keys,
    KeysNotOnlyStrings,
    Layout,
    NotIntegerSums,
    Sums,
    decode,
)

MONDAY = datetime(2014, 1, 6, tzinfo=UTC)
EVERYTHING = Needs("v", count=True, sums=True, values=True)


def test_a_layout_follows_the_query() -> None:
    query = Query(
        period=Period.WEEK,
        group_by=("a", "b"),
        collect=(Collect("v", "mean"), Collect("w")),
    )
    layout = Layout.of(query, keys=Keys.TEXT, sums=Sums.TYPED)
    assert layout == Layout(
        2, Keys.TEXT, True, (Needs("v", count=True, sums=True), Needs("w", values=True)),
        Sums.TYPED,
    )  # fmt: skip
    assert layout.width == 2 + 1 + 1 + (1 + 3) + 1


def test_text_sums_are_read_in_order_after_keys_period_and_count() -> None:
    layout = Layout(1, Keys.TEXT, True, (EVERYTHING, Needs("w", count=True)))
    assert layout.width == 7
    rows = decode(layout, [("x", MONDAY, 3, 2, "12", ["b", "a"], 1)])
    assert rows == [
        Row(("x",), MONDAY, 3, {"v": Collected(2, 12, 0, ("b", "a")), "w": Collected(1, 0, 0, ())})
    ]


def test_typed_sums_take_three_columns() -> None:
    layout = Layout(1, Keys.JSON, False, (EVERYTHING,), Sums.TYPED)
    rows = decode(
        layout,
        [
            (1, 4, 4, Decimal("6"), 6.0, 1, None),
            (2, 2, 2, Decimal("0.3"), 0.30000000000000004, 0, [0.1, 0.2]),
            (3, 1, 1, Decimal(2**70), None, 0, None),
        ],
    )
    assert [(row.group, row.collected["v"]) for row in rows] == [
        ((1,), Collected(4, 6, 1, ())),
        ((2,), Collected(2, 0.30000000000000004, 0, (0.1, 0.2))),
        ((3,), Collected(1, float(2**70), 0, ())),
    ]
    assert isinstance(rows[0].collected["v"].total, int)


def test_sums_beyond_64_bits_and_any_double_are_doubles() -> None:
    layout = Layout(0, Keys.JSON, True, (Needs("v", sums=True),))
    rows = decode(layout, [(MONDAY, 1, str(2**63)), (MONDAY, 1, "9" * 400)])
    assert [row.collected["v"].total for row in rows] == [float(2**63), math.inf]


def test_groups_with_a_missing_key_or_no_period_are_dropped() -> None:
    layout = Layout(2, Keys.JSON, True)
    records = [("a", None, MONDAY, 1), (None, "b", MONDAY, 1), ("a", "b", None, 1)]
    assert decode(layout, [*records, ("a", "b", MONDAY, 2)]) == [Row(("a", "b"), MONDAY, 2, {})]


@pytest.mark.parametrize("text", ["1", "-2.5e3", "true", "false", '{"a": 1}', "[1]"])
def test_a_text_key_that_may_not_be_a_string_is_refused(text: str) -> None:
    layout = Layout(1, Keys.TEXT, False)
    assert decode(layout, [("one", 1), ("1x", 1)]) == [
        Row(("one",), None, 1, {}),
        Row(("1x",), None, 1, {}),
    ]
    with pytest.raises(KeysNotOnlyStrings):
        decode(layout, [("one", 1), (text, 1)])
    assert decode(Layout(1, Keys.JSON, False), [(text, 1)]) == [Row((text,), None, 1, {})]


def test_a_text_sum_with_a_fraction_is_refused() -> None:
    layout = Layout(1, Keys.TEXT, False, (Needs("v", sums=True),))
    with pytest.raises(NotIntegerSums):
        decode(layout, [("a", 2, "3.0")])


def test_rows_that_do_not_match_their_layout_are_a_bug() -> None:
    with pytest.raises(ValueError, match="layout"):
        decode(Layout(1, Keys.JSON, False, (Needs("v", count=True),)), [("a", 1)])
