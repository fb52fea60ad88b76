"""The query parser and validator on any input (pure): a Query or QueryInvalid, never another
exception; and the period count the row budget is checked with works on whatever it accepts."""

from __future__ import annotations

from datetime import datetime

from hypothesis import given
from hypothesis import strategies as st

from backdrop.core.errors import QueryInvalid
from backdrop.core.limits import Limits, check_periods
from backdrop.core.query import Query
from backdrop.core.query_parser import parse_query
from tests.properties.strategies import NOW, query_args
from tests.support.examples import bounded


@bounded(200)
@given(args=query_args(), raw_queries_allowed=st.booleans(), now=NOW)
def test_any_arguments_parse_to_a_query_or_query_invalid(
    args: dict[str, list[str]], raw_queries_allowed: bool, now: datetime
) -> None:
    try:
        query = parse_query(args, raw_queries_allowed=raw_queries_allowed, now=now)
    except QueryInvalid as exc:
        assert exc.message
        return
    assert isinstance(query, Query)
    try:
        check_periods(query, Limits())
    except QueryInvalid as exc:
        assert "rows" in exc.message
