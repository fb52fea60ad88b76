"""Query-string arguments -> Query (spec 2.2), after the checks of spec 2.3 have passed."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from backdrop.core.errors import QueryInvalid
from backdrop.core.periods import Period
from backdrop.core.query import Collect, CollectMethod, Query, SortBy
from backdrop.core.query_checks import QueryArgs, first, first_problem
from backdrop.core.timeutils import now as utc_now
from backdrop.core.timeutils import parse_query_datetime


def parse_query(
    args: QueryArgs,
    *,
    raw_queries_allowed: bool,
    data_set: str = "NAME",
    now: datetime | None = None,
) -> Query:
    """A validated Query; raises QueryInvalid with the first failing check's message and
    detail (which may name `data_set`).

    `now` anchors a `duration` given without `start_at`/`end_at` (tests pass a fixed instant).
    """
    problem = first_problem(args, raw_queries_allowed=raw_queries_allowed, data_set=data_set)
    if problem is not None:
        raise QueryInvalid(problem.message, detail=problem.detail)
    period = Period.named(first(args, "period") or "")
    start_at = _datetime(args, "start_at")
    end_at = _datetime(args, "end_at")
    delta = None
    duration = first(args, "duration")
    try:
        if duration is not None and period is not None:
            start_at, end_at, delta = _relative_range(
                period, int(duration), start_at, end_at, now or utc_now()
            )
        if period is not None and end_at is not None:
            period.shift(period.end(end_at), 1)  # every bucket of the range must have an end
    except (OverflowError, ValueError) as exc:
        raise QueryInvalid(OUT_OF_RANGE) from exc
    sort_by = None
    if "sort_by" in args:
        field, _, direction = (first(args, "sort_by") or "").rpartition(":")
        sort_by = SortBy(field, descending=direction == "descending")
    return Query(
        start_at=start_at,
        end_at=end_at,
        inclusive=first(args, "inclusive") == "true",
        period=period,
        delta=delta,
        filter_by=tuple(_pair(value, booleans=True) for value in args.get("filter_by", ())),
        filter_by_prefix=tuple(
            (name, str(value))
            for name, value in (_pair(v, booleans=False) for v in args.get("filter_by_prefix", ()))
        ),
        group_by=tuple(args.get("group_by", ())),
        collect=tuple(_collect(value) for value in args.get("collect", ())),
        sort_by=sort_by,
        limit=int(first(args, "limit") or 0) or None,
        flatten=first(args, "flatten") == "true",
    )


OUT_OF_RANGE = "The time range must lie within the years 1 to 9999"


def _datetime(args: QueryArgs, name: str) -> datetime | None:
    value = first(args, name)
    return parse_query_datetime(value) if value is not None else None


def _relative_range(
    period: Period,
    duration: int,
    start_at: datetime | None,
    end_at: datetime | None,
    now: datetime,
) -> tuple[datetime, datetime, int]:
    """spec 2.2: anchored at start_at (forwards), else end_at, else now (backwards)."""
    if start_at is not None:
        origin = period.start(start_at)
        return origin, period.shift(origin, duration), duration
    origin = period.start(end_at if end_at is not None else now)
    return period.shift(origin, -duration), origin, -duration


def _pair(value: str, *, booleans: bool) -> tuple[str, Any]:
    name, _, text = value.partition(":")
    if booleans and text in ("true", "false"):
        return name, text == "true"
    return name, text


def _collect(value: str) -> Collect:
    name, _, method = value.partition(":")
    return Collect(name, cast(CollectMethod, method or "default"))
