"""The bounds of core/limits.py and the input rules built on them (README "Limits"): every one
refused with a 4xx message before any work, and the numbers at the edges accepted."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs

import pytest

from backdrop.core.config import Settings
from backdrop.core.data_set_config import DataSetConfig, is_data_set_name
from backdrop.core.errors import QueryInvalid, QueryTooLarge, RecordsInvalid, RequestInvalid
from backdrop.core.limits import (
    MAX_ID_BYTES,
    MAX_INTEGER,
    MIN_INTEGER,
    Limits,
    check_answer,
    check_periods,
    check_raw,
    nesting_exceeds,
    raw_limit,
)
from backdrop.core.periods import Period
from backdrop.core.query import Collect, Query
from backdrop.core.query_parser import OUT_OF_RANGE, parse_query
from backdrop.core.records import is_valid_key, prepare_patch, prepare_records
from backdrop.core.storage.base import Collected, Row
from backdrop.core.timeutils import ImpossibleDate, NotADate, parse_lenient

CONFIG = DataSetConfig(name="some_data_set", data_group="group", data_type="type")
SMALL = Limits(max_rows=100)


def utc(year: int, month: int = 1, day: int = 1, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def messages(payload: object) -> list[str]:
    with pytest.raises(RecordsInvalid) as raised:
        prepare_records(payload, CONFIG)
    return raised.value.messages


def query(text: str) -> Query:
    return parse_query(
        parse_qs(text, keep_blank_values=True), raw_queries_allowed=True, now=utc(2014, 6, 2)
    )


# -- settings ----------------------------------------------------------------------------------


def test_limits_come_from_the_environment() -> None:
    settings = Settings.from_env({"BACKDROP_MAX_ROWS": "500", "BACKDROP_MAX_BODY_MB": "2"})
    assert settings.limits == Limits(max_rows=500, max_body_bytes=2 << 20)
    assert Settings.from_env({}).limits == Limits(max_rows=100_000, max_body_bytes=10 << 20)


@pytest.mark.parametrize(
    ("name", "value"),
    [("BACKDROP_MAX_ROWS", "0"), ("BACKDROP_MAX_ROWS", "many"), ("BACKDROP_MAX_BODY_MB", "0")],
)
def test_unusable_limits_fail_at_start_up(name: str, value: str) -> None:
    with pytest.raises(Exception, match=name):
        Settings.from_env({name: value})


# -- records -----------------------------------------------------------------------------------


def test_a_key_with_a_trailing_newline_is_not_a_valid_key() -> None:
    assert not is_valid_key("count\n")
    assert messages({"count\n": 1}) == ["count\n is not a valid key"]


def test_keys_may_be_256_characters_long_but_not_longer() -> None:
    assert is_valid_key("k" * 256)
    assert not is_valid_key("k" * 257)
    [message] = messages({"k" * 5000: 1})
    assert message == "k" * 64 + "... is not a valid key"  # quoted, never echoed whole


def test_integers_must_fit_in_64_bits() -> None:
    prepare_records([{"low": MIN_INTEGER, "high": MAX_INTEGER}], CONFIG)
    assert messages([{"count": 18446744073709551615}, {"low": MIN_INTEGER - 1}]) == [
        "count is outside the range of 64-bit integers"
        " (-9223372036854775808 to 9223372036854775807)",
        "low is outside the range of 64-bit integers (-9223372036854775808 to 9223372036854775807)",
    ]


def test_large_floats_are_values_like_any_other() -> None:
    [record] = prepare_records({"big": 1e308, "tiny": 5e-324}, CONFIG)
    assert record == {"big": 1e308, "tiny": 5e-324}


def test_nul_is_refused_in_values_and_ids() -> None:
    assert messages([{"note": "a\0b"}, {"_id": "x\0y"}]) == [
        "note contains the NUL character (\\u0000), which cannot be stored",
        '_id "x\0y" is not a valid id',
    ]


def test_ids_may_be_1024_bytes_long_but_not_longer() -> None:
    prepare_records({"_id": "i" * MAX_ID_BYTES}, CONFIG)
    assert messages({"_id": "é" * 513}) == ["_id is longer than 1024 bytes"]  # 1026 bytes


@pytest.mark.parametrize(
    "stamp", ["9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00", "9999-12-31 23:00 -0500"]
)
def test_a_timestamp_that_leaves_the_calendar_is_not_a_valid_date(stamp: str) -> None:
    with pytest.raises(ImpossibleDate):
        parse_lenient(stamp)
    assert messages({"_timestamp": stamp}) == [
        f"{stamp} in the _timestamp field is not a valid date",
        "_timestamp is not a valid datetime object",
    ]


def test_the_calendar_edges_themselves_are_dates() -> None:
    assert parse_lenient("9999-12-31T23:59:59+00:00") == datetime(
        9999, 12, 31, 23, 59, 59, tzinfo=UTC
    )
    assert parse_lenient("0001-01-01T00:00:00Z") == utc(1)


def test_text_too_long_to_be_a_date_is_not_parsed() -> None:
    with pytest.raises(NotADate):
        parse_lenient("2014-01-01T00:00:00Z" + " " * 100)


# -- PATCH bodies --------------------------------------------------------------------------------


@pytest.mark.parametrize("key", [".a", "a.", "", "a.b", "$set", "a b", "count\n"])
def test_patch_keys_must_be_valid_keys(key: str) -> None:
    with pytest.raises(RequestInvalid, match="is not a valid key"):
        prepare_patch({key: 1})


def test_patch_values_may_be_any_json_that_every_engine_stores() -> None:
    body = {"note": {"$date": "garbage", "a.b": [1, {"": None}]}, "_id": "ignored", "nn": 1.5}
    assert prepare_patch(body) == {"note": body["note"], "nn": 1.5}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"note": {"deep": ["a\0"]}}, "note.deep[0] contains the NUL character"),
        ({"note": {"k\0": 1}}, "a key in note contains the NUL character"),
        ({"count": 2**64 - 1}, "count is outside the range of 64-bit integers"),
    ],
)
def test_patch_values_no_engine_can_store_are_refused(body: object, message: str) -> None:
    with pytest.raises(RequestInvalid, match=message.replace("[", r"\[").replace("]", r"\]")):
        prepare_patch(body)


def test_nesting_is_measured_without_recursion() -> None:
    deep: object = 1
    for _ in range(100_000):
        deep = [deep]
    assert nesting_exceeds(deep, 32)
    assert not nesting_exceeds({"a": [{"b": [1]}]}, 4)
    assert nesting_exceeds({"a": [{"b": [1]}]}, 3)


# -- data set names --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["backdrop.data_sets", "system.views", "a$b", "a\0", "", "n" * 201, "a\ud800b"]
)
def test_names_no_engine_can_keep_as_a_data_set(name: str) -> None:
    assert not is_data_set_name(name)


@pytest.mark.parametrize("name", ["carers_allowance_volumetrics", "ds_1", "Gov-UK_2", "n" * 200])
def test_names_every_engine_can_keep(name: str) -> None:
    assert is_data_set_name(name)


# -- queries -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("limit=18446744073709551616", "limit is too large: at most 18 digits"),
        ("limit=" + "9" * 5000, "limit is too large: at most 18 digits"),
        (
            "period=quarter&duration=9999999999999999999999999",
            "duration is too large: at most 18 digits",
        ),
        ("filter_by=name:a%00b", "Query parameters must not contain the NUL character (%00)"),
    ],
)
def test_counts_and_text_a_query_cannot_use(text: str, message: str) -> None:
    with pytest.raises(QueryInvalid) as raised:
        query(text)
    assert raised.value.message == message


def test_leading_zeros_do_not_count_as_digits() -> None:
    assert query("limit=" + "0" * 30 + "5").limit == 5


@pytest.mark.parametrize(
    "text",
    [
        "period=year&duration=1000000000",
        "period=day&duration=1000000000",
        "period=month&duration=999999999999999999",
        "period=year&start_at=9999-01-01T00:00:00Z&end_at=9999-12-31T00:00:00Z",
        "period=hour&start_at=9999-12-31T22:00:00Z&end_at=9999-12-31T23:30:00Z",
    ],
)
def test_ranges_that_leave_the_calendar_are_refused(text: str) -> None:
    with pytest.raises(QueryInvalid) as raised:
        query(text)
    assert raised.value.message == OUT_OF_RANGE


# -- the row budget --------------------------------------------------------------------------------


@pytest.mark.parametrize("period", list(Period))
def test_periods_are_counted_by_arithmetic_exactly_as_gap_filling_makes_them(
    period: Period,
) -> None:
    starts = [utc(2013, 1, 1), utc(2013, 2, 28, 13), utc(2014, 12, 31, 23)]
    ends = [utc(2013, 1, 1), utc(2013, 1, 1, 1), utc(2013, 3, 31), utc(2016, 7, 4, 5), utc(2012)]
    for start in starts:
        for end in ends:
            assert period.count(start, end) == len(list(period.starts(start, end)))


def test_a_range_of_too_many_periods_is_refused_before_the_database_is_asked() -> None:
    hourly = query("period=hour&start_at=1950-01-01T00:00:00Z&end_at=2050-01-01T00:00:00Z")
    with pytest.raises(QueryTooLarge) as raised:
        check_periods(hourly, Limits())
    assert raised.value.rows == 876_600
    assert raised.value.message == (
        "This query would produce 876600 rows, more than the limit of 100000; it spans 876600"
        " periods of a hour: use a longer period or a shorter range (start_at/end_at or duration)"
    )
    check_periods(query("period=hour&duration=100"), SMALL)


def row(group: tuple[object, ...], start: datetime | None, **collected: Collected) -> Row:
    return Row(group, start, 1, collected)


def test_flattening_counts_every_combination_of_group_values_in_every_period() -> None:
    flat = query(
        "group_by=aa&group_by=bb&period=month&flatten=true"
        "&start_at=2014-01-01T00:00:00Z&end_at=2014-03-01T00:00:00Z"
    )
    rows = [row((i, i), utc(2014, 1, 6)) for i in range(8)]  # 8 x 8 combinations x 2 months
    with pytest.raises(QueryTooLarge) as raised:
        check_answer(flat, rows, SMALL)
    assert raised.value.rows == 128
    assert "leave out flatten=true" in raised.value.message
    check_answer(flat, rows[:7], SMALL)  # 7 x 7 x 2 = 98


def test_nested_period_answers_count_each_group_and_its_periods() -> None:
    nested = query(
        "group_by=aa&period=week&start_at=2014-01-06T00:00:00Z&end_at=2014-03-03T00:00:00Z"
    )  # 8 weeks: 9 rows a group
    check_answer(nested, [row((i,), utc(2014, 1, 6)) for i in range(11)], SMALL)
    with pytest.raises(QueryTooLarge):
        check_answer(nested, [row((i,), utc(2014, 1, 6)) for i in range(12)], SMALL)


def test_collected_set_values_count_against_the_budget() -> None:
    grouped = Query(group_by=("aa",), collect=(Collect("v", "set"),))
    many = Collected(count=101, values=tuple(range(101)))
    with pytest.raises(QueryTooLarge, match="collect a set over fewer"):
        check_answer(grouped, [row(("x",), None, v=many)], SMALL)


def test_raw_reads_fetch_one_more_than_the_budget_unless_limited_below_it() -> None:
    assert raw_limit(Query(), SMALL) == 101
    assert raw_limit(Query(limit=1000), SMALL) == 101
    assert raw_limit(Query(limit=7), SMALL) == 7
    check_raw(100, SMALL)
    with pytest.raises(QueryTooLarge) as raised:
        check_raw(101, SMALL)
    assert raised.value.message == (
        "This query would produce more than 100 rows, the limit; add limit= (at most 100)"
        " or narrow it with start_at/end_at or filter_by"
    )
