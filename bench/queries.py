"""The query set of issue 6 (q1-q9): the read-API query string, the answer it must give, and
the same aggregation expressed directly for the database."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from backdrop.core.periods import Period
from bench.workload import AUTHORITIES, END, START, Workload, counts_by

YEAR_START = datetime(2024, 1, 1, tzinfo=UTC)  # a Monday
LAST_MONDAY = END - timedelta(weeks=0)  # 2024-12-30, a Monday
MONTHS_START, MONTHS_END = datetime(2023, 1, 1, tzinfo=UTC), datetime(2025, 1, 1, tzinfo=UTC)
AUTHORITY = AUTHORITIES[7]


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse(text: str) -> datetime:
    return datetime.fromisoformat(text)


Check = Callable[[Workload, list[dict[str, Any]]], None]


@dataclass(frozen=True, slots=True)
class BenchQuery:
    """One timed query: its parameters, its expected answer, and its raw-database twin."""

    name: str
    description: str
    params: tuple[tuple[str, str], ...]
    check: Check
    mongo: Callable[[Any], object]  # takes a pymongo Collection, runs the same work
    # The same answer as plain SQL a DBA would write over the data set as a table `{table}` of
    # `(ts timestamptz, doc jsonb)` indexed on `ts` (sql_twin.py makes it).
    sql: str


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(message)


def _check_q1(workload: Workload, data: list[dict[str, Any]]) -> None:
    expected = min(100, sum(1 for a in workload.authorities if AUTHORITIES[a] == AUTHORITY))
    _expect(len(data) == expected, f"q1: {len(data)} records, expected {expected}")
    _expect(all(row["authority"] == AUTHORITY for row in data), "q1: wrong authority")


def _check_grouped(keys: Sequence[str], start: datetime | None, end: datetime | None,
                   with_sum: bool) -> Check:  # fmt: skip
    def check(workload: Workload, data: list[dict[str, Any]]) -> None:
        counted, summed = counts_by(workload, keys, start, end)
        got = {tuple(row[k] for k in keys): row for row in data}
        _expect(len(got) == len(counted), f"{len(got)} groups, expected {len(counted)}")
        for key, count in counted.items():
            _expect(got[key]["_count"] == count, f"{key}: _count {got[key]['_count']} != {count}")
            if with_sum:
                _expect(got[key]["count:sum"] == summed[key], f"{key}: wrong count:sum")

    return check


def _check_periods(period: Period, start: datetime, end: datetime, periods: int,
                   where: Mapping[str, str] | None = None) -> Check:  # fmt: skip
    def check(workload: Workload, data: list[dict[str, Any]]) -> None:
        counted, _ = counts_by(workload, (), start, end, period, dict(where or {}))
        _expect(len(data) == periods, f"{len(data)} periods, expected {periods}")
        for row in data:
            expected = counted.get((parse(row["_start_at"]),), 0)
            _expect(row["_count"] == expected, f"{row['_start_at']}: {row['_count']}!={expected}")

    return check


def _check_q4(workload: Workload, data: list[dict[str, Any]]) -> None:
    counted, summed = counts_by(workload, ("channel",), YEAR_START, END, Period.WEEK)
    _expect(len(data) == 5, f"q4: {len(data)} groups")
    for group in data:
        _expect(len(group["values"]) == 52, "q4: not 52 weeks")
        for row in group["values"]:
            key = (group["channel"], parse(row["_start_at"]))
            _expect(row["_count"] == counted.get(key, 0), f"q4: {key} count")
            _expect(row["count:sum"] == summed.get(key), f"q4: {key} sum")


def _check_flat(keys: Sequence[str], period: Period, start: datetime, end: datetime,
                periods: int, where: Mapping[str, str] | None = None) -> Check:  # fmt: skip
    """Every group seen in the range gets a row for each of its `periods` (empty ones too)."""

    def check(workload: Workload, data: list[dict[str, Any]]) -> None:
        counted, summed = counts_by(workload, keys, start, end, period, dict(where or {}))
        rows = len({key[:-1] for key in counted}) * periods
        _expect(len(data) == rows, f"{len(data)} rows, expected {rows}")
        for row in data:
            key = (*(row[k] for k in keys), parse(row["_start_at"]))
            _expect(row["_count"] == counted.get(key, 0), f"{key}: count")
            _expect(row["count:sum"] == summed.get(key), f"{key}: sum")

    return check


def _check_q8(workload: Workload, data: list[dict[str, Any]]) -> None:
    expected = sorted(workload.counts, reverse=True)[:10]
    _expect([row["count"] for row in data] == expected, "q8: not the 10 largest counts")


def _range(start: datetime, end: datetime) -> dict[str, Any]:
    return {"$match": {"_timestamp": {"$gte": start, "$lt": end}}}


def _group(keys: Mapping[str, str], with_sum: bool) -> dict[str, Any]:
    group: dict[str, Any] = {"_id": dict(keys), "_count": {"$sum": 1}}
    if with_sum:
        group["sum"] = {"$sum": "$count"}
    return {"$group": group}


def _aggregate(*stages: dict[str, Any]) -> Callable[[Any], object]:
    return lambda collection: list(collection.aggregate(list(stages)))


def _between(start: datetime, end: datetime) -> str:
    return f"ts >= '{start.isoformat()}' AND ts < '{end.isoformat()}'"


_COUNT = "(doc ->> 'count')::int"

QUERIES: tuple[BenchQuery, ...] = (
    BenchQuery(
        "q1", "raw filter_by=authority&limit=100",
        (("filter_by", f"authority:{AUTHORITY}"), ("limit", "100")),
        _check_q1,
        lambda c: list(c.find({"authority": AUTHORITY}, limit=100)),
        f"SELECT * FROM {{table}} WHERE doc ->> 'authority' = '{AUTHORITY}' LIMIT 100",
    ),
    BenchQuery(
        "q2", "group_by=authority&collect=count:sum, 2 years",
        (("group_by", "authority"), ("collect", "count:sum"),
         ("start_at", iso(START)), ("end_at", iso(END))),
        _check_grouped(("authority",), START, END, with_sum=True),
        _aggregate(_range(START, END), _group({"a": "$authority"}, with_sum=True)),
        f"SELECT doc ->> 'authority', count(*), sum({_COUNT}) FROM {{table}}"
        f" WHERE {_between(START, END)} GROUP BY 1",
    ),
    BenchQuery(
        "q3", "period=week, 1 year",
        (("period", "week"), ("start_at", iso(YEAR_START)), ("end_at", iso(END))),
        _check_periods(Period.WEEK, YEAR_START, END, 52),
        _aggregate(_range(YEAR_START, END), _group({"w": "$_week_start_at"}, with_sum=False)),
        f"SELECT date_trunc('week', ts), count(*) FROM {{table}} WHERE {_between(YEAR_START, END)}"
        " GROUP BY 1",
    ),
    BenchQuery(
        "q4", "q3 + group_by=channel&collect=count:sum",
        (("period", "week"), ("start_at", iso(YEAR_START)), ("end_at", iso(END)),
         ("group_by", "channel"), ("collect", "count:sum")),
        _check_q4,
        _aggregate(_range(YEAR_START, END),
                   _group({"w": "$_week_start_at", "c": "$channel"}, with_sum=True)),
        f"SELECT date_trunc('week', ts), doc ->> 'channel', count(*), sum({_COUNT}) FROM {{table}}"
        f" WHERE {_between(YEAR_START, END)} GROUP BY 1, 2",
    ),
    BenchQuery(
        "q5", "period=month&group_by=authority&collect=count:sum&flatten=true, 2 years",
        (("period", "month"), ("group_by", "authority"), ("collect", "count:sum"),
         ("flatten", "true"), ("start_at", iso(MONTHS_START)), ("end_at", iso(MONTHS_END))),
        _check_flat(("authority",), Period.MONTH, MONTHS_START, MONTHS_END, 24),
        _aggregate(_range(MONTHS_START, MONTHS_END),
                   _group({"m": "$_month_start_at", "a": "$authority"}, with_sum=True)),
        f"SELECT date_trunc('month', ts), doc ->> 'authority', count(*), sum({_COUNT})"
        f" FROM {{table}} WHERE {_between(MONTHS_START, MONTHS_END)} GROUP BY 1, 2",
    ),
    BenchQuery(
        "q6", "period=day&duration=30&end_at",
        (("period", "day"), ("duration", "30"), ("end_at", iso(LAST_MONDAY))),
        _check_periods(Period.DAY, LAST_MONDAY - timedelta(days=30), LAST_MONDAY, 30),
        _aggregate(_range(LAST_MONDAY - timedelta(days=30), LAST_MONDAY),
                   _group({"d": "$_day_start_at"}, with_sum=False)),
        f"SELECT date_trunc('day', ts), count(*) FROM {{table}}"
        f" WHERE {_between(LAST_MONDAY - timedelta(days=30), LAST_MONDAY)} GROUP BY 1",
    ),
    BenchQuery(
        "q7", "group_by=authority&group_by=licence_name",
        (("group_by", "authority"), ("group_by", "licence_name")),
        _check_grouped(("authority", "licence_name"), None, None, with_sum=False),
        _aggregate({"$match": {"authority": {"$ne": None}, "licence_name": {"$ne": None}}},
                   _group({"a": "$authority", "l": "$licence_name"}, with_sum=False)),
        "SELECT doc ->> 'authority', doc ->> 'licence_name', count(*) FROM {table}"
        " GROUP BY 1, 2",
    ),
    BenchQuery(
        "q8", "raw sort_by=count:descending&limit=10",
        (("sort_by", "count:descending"), ("limit", "10")),
        _check_q8,
        lambda c: list(c.find({}, sort=[("count", -1)], limit=10)),
        f"SELECT * FROM {{table}} ORDER BY {_COUNT} DESC LIMIT 10",
    ),
    BenchQuery(
        "q9", "Spotlight: filter_by+period=week+group_by+collect+flatten, 9 weeks",
        (("filter_by", "channel:online"), ("period", "week"), ("group_by", "type"),
         ("collect", "count:sum"), ("flatten", "true"), ("duration", "9"),
         ("end_at", iso(LAST_MONDAY))),
        _check_flat(("type",), Period.WEEK, LAST_MONDAY - timedelta(weeks=9), LAST_MONDAY, 9,
                    {"channel": "online"}),
        _aggregate({"$match": {"_timestamp": {"$gte": LAST_MONDAY - timedelta(weeks=9),
                                              "$lt": LAST_MONDAY}, "channel": "online"}},
                   _group({"w": "$_week_start_at", "t": "$type"}, with_sum=True)),
        f"SELECT date_trunc('week', ts), doc ->> 'type', count(*), sum({_COUNT}) FROM {{table}}"
        f" WHERE {_between(LAST_MONDAY - timedelta(weeks=9), LAST_MONDAY)}"
        " AND doc ->> 'channel' = 'online' GROUP BY 1, 2",
    ),
)  # fmt: skip
