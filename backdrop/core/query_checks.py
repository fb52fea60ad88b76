"""Read-query validation (spec 2.3): ordered checks, the first message wins.

Each check is pure, names its spec row, and returns a message or None. The order lives in
`QUERY_CHECKS` and `RESTRICTED_CHECKS`; `first_error` walks them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta

from backdrop.core.limits import MAX_COUNT_DIGITS
from backdrop.core.periods import PERIOD_NAMES
from backdrop.core.query import COLLECT_METHODS
from backdrop.core.records import is_valid_key
from backdrop.core.timeutils import parse_query_datetime, query_local_datetime

QueryArgs = Mapping[str, Sequence[str]]
Check = Callable[[QueryArgs], str | None]

PARAMETERS = frozenset(
    {
        "start_at",
        "end_at",
        "duration",
        "period",
        "filter_by",
        "filter_by_prefix",
        "group_by",
        "sort_by",
        "limit",
        "collect",
        "flatten",
        "inclusive",
        "format",
    }
)
_SORT_BY = re.compile(r"^.+:(ascending|descending)$")
_INTEGER = re.compile(r"\s*[+-]?([0-9]+)\s*")  # fullmatch


def first(args: QueryArgs, name: str) -> str | None:
    """The first value of a parameter (spec 2.1: later ones are ignored), or None."""
    values = args.get(name)
    return values[0] if values else None


def _unknown_key(args: QueryArgs) -> str | None:  # row 1
    if any(name not in PARAMETERS for name in args):
        return "An unrecognised parameter was provided"
    return None


def _period_needs_range(args: QueryArgs) -> str | None:  # rows 2a, 2b
    if "period" not in args:
        return None
    if "duration" not in args and not ("start_at" in args and "end_at" in args):
        return "Either 'duration' or both 'start_at' and 'end_at' are required for a period query"
    if "limit" in args and "group_by" not in args:
        return "A period query can only be limited if it is grouped - please add 'group_by'"
    return None


def _datetime_is_valid(name: str) -> Check:  # rows 3, 4
    def check(args: QueryArgs) -> str | None:
        value = first(args, name)
        if name in args and (value is None or parse_query_datetime(value) is None):
            return f"{name} is not a valid datetime"
        return None

    return check


def _filters_are_valid(args: QueryArgs) -> str | None:  # rows 5a-5d
    if "filter_by" in args and "filter_by_prefix" in args:
        return "Cannot use both filter_by and filter_by_prefix in the same query"
    for value in [*args.get("filter_by", ()), *args.get("filter_by_prefix", ())]:
        if ":" not in value:
            return (
                "filter_by must be a field name and value separated by a colon (:) "
                "eg. authority:Westminster"
            )
        name = value.split(":", 1)[0]
        if not is_valid_key(name):
            return "Cannot filter by an invalid field name"
        if name.startswith("$"):
            return "filter_by must not start with a $"
    return None


def _period_is_known(args: QueryArgs) -> str | None:  # row 6
    if "period" in args and first(args, "period") not in PERIOD_NAMES:
        return f"'period' must be one of {list(PERIOD_NAMES)}"
    return None


def _sort_is_valid(args: QueryArgs) -> str | None:  # rows 7a-7d
    if "sort_by" not in args:
        return None
    if "period" in args and "group_by" not in args:
        return (
            "Cannot sort for period queries without group_by. "
            "Period queries are always sorted by time."
        )
    value = first(args, "sort_by") or ""
    if ":" not in value:
        return (
            "sort_by must be a field name and sort direction separated by a colon (:) "
            "eg. authority:ascending"
        )
    if not _SORT_BY.match(value):
        return "Unrecognised sort direction. Supported directions include: ascending, descending"
    if not is_valid_key(value.rsplit(":", 1)[0]):
        return "Cannot sort by an invalid field name"
    return None


def _group_by_is_valid(args: QueryArgs) -> str | None:  # rows 8a, 8b (every value: spec 10 #2)
    for name in args.get("group_by", ()):
        if not is_valid_key(name):
            return "Cannot group by an invalid field name"
        if name.startswith("_"):
            return "Cannot group by internal fields, internal fields start with an underscore"
    return None


def _is_non_negative_integer(value: str | None) -> bool:
    return value is not None and bool(_INTEGER.fullmatch(value)) and int(value) >= 0


def _count_is_valid(name: str) -> Check:  # rows 9 (limit), 10 (duration)
    def check(args: QueryArgs) -> str | None:
        if name not in args:
            return None
        value = first(args, name)
        match = _INTEGER.fullmatch(value or "")
        if match is not None and len(match[1].lstrip("0")) > MAX_COUNT_DIGITS:
            return f"{name} is too large: at most {MAX_COUNT_DIGITS} digits"  # before int()
        if not _is_non_negative_integer(value):
            return f"{name} must be a positive integer"
        return None

    return check


def _collect_needs_grouping(args: QueryArgs) -> str | None:  # row 11
    if "collect" in args and "group_by" not in args and "period" not in args:
        return "collect can be used only with either ['group_by', 'period']"
    return None


def _time_range_is_consistent(args: QueryArgs) -> str | None:  # rows 12a-12e
    start, end, duration = ("start_at" in args), ("end_at" in args), ("duration" in args)
    if start and end and duration:
        return (
            "Absolute and relative time cannot be requested at the same time - either ask for "
            "'start_at' and 'end_at', or ask for 'start_at'/'end_at' with 'duration'"
        )
    if start and not end and not duration:
        return "Use of 'start_at' requires 'end_at' or 'duration'"
    if end and not start and not duration:
        return "Use of 'end_at' requires 'start_at' or 'duration'"
    if duration and int(first(args, "duration") or "0") == 0:
        return "'duration' must not be zero"
    if duration and "period" not in args:
        return (
            "If 'duration' is requested (for relative time), 'period' is required - please add "
            "a period (like 'day', 'month' etc)"
        )
    return None


def _collects_are_valid(args: QueryArgs) -> str | None:  # rows 13a-13d (spec 10 #3)
    group_by = set(args.get("group_by", ()))
    for value in args.get("collect", ()):
        name, colon, method = value.partition(":")
        if colon and method not in COLLECT_METHODS:  # `field:` and `a:b:c` too
            return "Unknown collection method"
        if not is_valid_key(name):
            return "Cannot collect an invalid field name"
        if name.startswith("_"):
            return "Cannot collect internal fields, internal fields start with an underscore"
        if name in group_by:
            return "Cannot collect by a field that is used for group_by"
    return None


def _boolean(name: str) -> Check:  # rows 14, 15
    def check(args: QueryArgs) -> str | None:
        if name in args and first(args, name) not in ("true", "false"):
            return f"{name} must be either 'true' or 'false'"
        return None

    return check


def _inclusive_needs_bound(args: QueryArgs) -> str | None:  # row 16
    if "inclusive" in args and "start_at" not in args and "end_at" not in args:
        return "inclusive can be used only with either ['start_at', 'end_at']"
    return None


def _no_nul_character(args: QueryArgs) -> str | None:  # no engine stores NUL: nothing matches
    if any("\0" in value for values in args.values() for value in values):
        return "Query parameters must not contain the NUL character (%00)"
    return None


QUERY_CHECKS: tuple[Check, ...] = (
    _unknown_key,
    _period_needs_range,
    _datetime_is_valid("start_at"),
    _datetime_is_valid("end_at"),
    _filters_are_valid,
    _period_is_known,
    _sort_is_valid,
    _group_by_is_valid,
    _count_is_valid("limit"),
    _count_is_valid("duration"),
    _collect_needs_grouping,
    _time_range_is_consistent,
    _collects_are_valid,
    _boolean("flatten"),
    _boolean("inclusive"),
    _inclusive_needs_bound,
    _no_nul_character,
)


def _raw_query_forbidden(args: QueryArgs) -> str | None:  # row 17
    if "group_by" not in args and "period" not in args:
        return "querying for raw data is not allowed"
    return None


def _span_is_a_week(args: QueryArgs) -> str | None:  # row 18
    start = parse_query_datetime(first(args, "start_at") or "")
    end = parse_query_datetime(first(args, "end_at") or "")
    if start and end and first(args, "period") != "hour" and end - start < timedelta(days=7):
        return "The minimum time span for a query is 7 days"
    return None


def _is_midnight(name: str) -> Check:  # rows 19, 20
    def check(args: QueryArgs) -> str | None:
        moment = parse_query_datetime(first(args, name) or "")
        if (
            moment is not None
            and first(args, "period") != "hour"
            and moment.time() != moment.min.time()
        ):
            return f"{name} must be midnight"
        return None

    return check


def _is_monday(name: str) -> Check:  # rows 21, 22: weekday in the offset given, not UTC
    def check(args: QueryArgs) -> str | None:
        moment = query_local_datetime(first(args, name) or "")
        if first(args, "period") == "week" and moment is not None and moment.weekday() != 0:
            return f"{name} must be a monday"
        return None

    return check


def _is_first_of_month(name: str) -> Check:  # rows 23, 24
    def check(args: QueryArgs) -> str | None:
        moment = query_local_datetime(first(args, name) or "")
        if first(args, "period") == "month" and moment is not None and moment.day != 1:
            return f"'{name}' must be the first of the month for period=month queries"
        return None

    return check


RESTRICTED_CHECKS: tuple[Check, ...] = (
    _raw_query_forbidden,
    _span_is_a_week,
    _is_midnight("start_at"),
    _is_midnight("end_at"),
    _is_monday("start_at"),
    _is_monday("end_at"),
    _is_first_of_month("start_at"),
    _is_first_of_month("end_at"),
)


def first_error(args: QueryArgs, *, raw_queries_allowed: bool) -> str | None:
    """The message of the first failing check, or None when the query is valid."""
    checks = QUERY_CHECKS if raw_queries_allowed else QUERY_CHECKS + RESTRICTED_CHECKS
    return next((message for check in checks if (message := check(args))), None)
