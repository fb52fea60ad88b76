"""What each engine must gather of a collected field, from the reducers asked of it (spec
2.4.6): one `Needs` per field, built once in core."""

from __future__ import annotations

import pytest

from backdrop.core.query import Collect, CollectMethod, Needs, Query


@pytest.mark.parametrize(
    ("method", "needs"),
    [
        ("count", Needs("v", count=True)),
        ("sum", Needs("v", sums=True)),
        ("mean", Needs("v", count=True, sums=True)),
        ("set", Needs("v", values=True)),
        ("default", Needs("v", values=True)),
    ],
)
def test_each_reducer_needs_what_it_reads(method: CollectMethod, needs: Needs) -> None:
    assert Query(group_by=("g",), collect=(Collect("v", method),)).needs == (needs,)


def test_a_field_collected_several_ways_needs_all_of_them_once() -> None:
    collect = (Collect("v", "sum"), Collect("name"), Collect("v", "count"), Collect("v", "set"))
    assert Query(group_by=("g",), collect=collect).needs == (
        Needs("v", count=True, sums=True, values=True),
        Needs("name", values=True),
    )


def test_a_query_that_collects_nothing_needs_nothing() -> None:
    assert Query(group_by=("g",)).needs == ()
