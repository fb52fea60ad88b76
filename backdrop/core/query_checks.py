"""Read-query validation (spec 2.3): ordered checks, the first message wins.

Each check is pure, names its spec row, and returns a `Problem` or None: the spec's message
(unchanged: clients match it) and, where the message alone does not say what to fix, a detail
naming the offending value and the allowed ones. The order lives in `QUERY_CHECKS` and
`RESTRICTED_CHECKS`; `first_problem` walks them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

from backdrop.core.errors import quoted
from backdrop.core.limits import MAX_COUNT_DIGITS
from backdrop.core.periods import PERIOD_NAMES
from backdrop.core.query import COLLECT_METHODS
from backdrop.core.records import is_valid_key
from backdrop.core.timeutils import parse_query_datetime, query_local_datetime

QueryArgs = Mapping[str, Sequence[str]]


@dataclass(frozen=True, slots=True)
class Problem:
    """Why a query is refused: the spec's message, and what exactly to change."""

    message: str
    detail: str | None = None


Check = Callable[[QueryArgs], Problem | None]

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
FIELD_NAMES = (
    "field names start with a letter or _ and hold only letters, digits and _ "
    "(at least two characters)"
)
DATETIMES = (
    "use YYYY-MM-DDTHH:MM:SS followed by Z or an offset such as +01:00, "
    "e.g. 2014-01-06T00:00:00Z (write + as %2B in a URL)"
)
RAW_QUERIES_HINT = (
    "This data set answers grouped queries only: add group_by=FIELD or period=week (with a "
    "range). To allow raw queries, run `backdrop data-set update {data_set} "
    "--raw-queries-allowed` (built-in registry) or set raw_queries_allowed in Stagecraft."
)


def _listed(names: Sequence[str]) -> str:
    return ", ".join(names)


_INTEGER = re.compile(r"\s*[+-]?([0-9]+)\s*")  # fullmatch


def first(args: QueryArgs, name: str) -> str | None:
    """The first value of a parameter (spec 2.1: later ones are ignored), or None."""
    values = args.get(name)
    return values[0] if values else None


def _unknown_key(args: QueryArgs) -> Problem | None:  # row 1
    unknown = [name for name in args if name not in PARAMETERS]
    if unknown:
        named = _listed([quoted(name) for name in unknown[:5]])
        return Problem(
            "An unrecognised parameter was provided",
            f"Unknown parameter {named}; the parameters are {_listed(sorted(PARAMETERS))}",
        )
    return None


def _period_needs_range(args: QueryArgs) -> Problem | None:  # rows 2a, 2b
    if "period" not in args:
        return None
    if "duration" not in args and not ("start_at" in args and "end_at" in args):
        detail = (
            "Add duration=N (the last N periods, or N from start_at or back from end_at), "
            "or both start_at and end_at"
        )
        period = first(args, "period") or ""
        if period not in PERIOD_NAMES:
            detail += f"; and {quoted(period)} is not a period: use one of {_listed(PERIOD_NAMES)}"
        return Problem(
            "Either 'duration' or both 'start_at' and 'end_at' are required for a period query",
            detail,
        )
    if "limit" in args and "group_by" not in args:
        return Problem(
            "A period query can only be limited if it is grouped - please add 'group_by'"
        )
    return None


def _datetime_is_valid(name: str) -> Check:  # rows 3, 4
    def check(args: QueryArgs) -> Problem | None:
        value = first(args, name)
        if name in args and (value is None or parse_query_datetime(value) is None):
            return Problem(f"{name} is not a valid datetime", f"{quoted(value or '')}: {DATETIMES}")
        return None

    return check


def _filters_are_valid(args: QueryArgs) -> Problem | None:  # rows 5a-5d
    if "filter_by" in args and "filter_by_prefix" in args:
        return Problem("Cannot use both filter_by and filter_by_prefix in the same query")
    for value in [*args.get("filter_by", ()), *args.get("filter_by_prefix", ())]:
        if ":" not in value:
            return Problem(
                "filter_by must be a field name and value separated by a colon (:) "
                "eg. authority:Westminster",
                f"{quoted(value)} has no colon",
            )
        name = value.split(":", 1)[0]
        if not is_valid_key(name):
            return Problem(
                "Cannot filter by an invalid field name", f"{quoted(name)}: {FIELD_NAMES}"
            )
        if name.startswith("$"):
            return Problem("filter_by must not start with a $")
    return None


def _period_is_known(args: QueryArgs) -> Problem | None:  # row 6
    period = first(args, "period")
    if "period" in args and period not in PERIOD_NAMES:
        return Problem(
            f"'period' must be one of {list(PERIOD_NAMES)}",
            f"{quoted(period or '')} is not a period",
        )
    return None


def _sort_is_valid(args: QueryArgs) -> Problem | None:  # rows 7a-7d
    if "sort_by" not in args:
        return None
    if "period" in args and "group_by" not in args:
        return Problem(
            "Cannot sort for period queries without group_by. "
            "Period queries are always sorted by time."
        )
    value = first(args, "sort_by") or ""
    if ":" not in value:
        return Problem(
            "sort_by must be a field name and sort direction separated by a colon (:) "
            "eg. authority:ascending",
            f"{quoted(value)} has no colon",
        )
    if not _SORT_BY.match(value):
        return Problem(
            "Unrecognised sort direction. Supported directions include: ascending, descending",
            f"{quoted(value.rsplit(':', 1)[1])} is not a direction",
        )
    name = value.rsplit(":", 1)[0]
    if not is_valid_key(name):
        return Problem("Cannot sort by an invalid field name", f"{quoted(name)}: {FIELD_NAMES}")
    return None


def _group_by_is_valid(args: QueryArgs) -> Problem | None:  # rows 8a, 8b (all: spec 10 #2)
    for name in args.get("group_by", ()):
        if not is_valid_key(name):
            return Problem(
                "Cannot group by an invalid field name", f"{quoted(name)}: {FIELD_NAMES}"
            )
        if name.startswith("_"):
            return Problem(
                "Cannot group by internal fields, internal fields start with an underscore",
                f"{quoted(name)} is an internal field",
            )
    return None


def _is_non_negative_integer(value: str | None) -> bool:
    return value is not None and bool(_INTEGER.fullmatch(value)) and int(value) >= 0


def _count_is_valid(name: str) -> Check:  # rows 9 (limit), 10 (duration)
    def check(args: QueryArgs) -> Problem | None:
        if name not in args:
            return None
        value = first(args, name)
        match = _INTEGER.fullmatch(value or "")
        if match is not None and len(match[1].lstrip("0")) > MAX_COUNT_DIGITS:
            # before int(): a million digits would cost seconds
            return Problem(f"{name} is too large: at most {MAX_COUNT_DIGITS} digits")
        if not _is_non_negative_integer(value):
            return Problem(
                f"{name} must be a positive integer", f"{quoted(value or '')} is not one"
            )
        return None

    return check


def _needs_one_of(name: str, others: tuple[str, ...]) -> Check:  # rows 11, 16
    """`name` is given only with at least one of `others`."""

    def check(args: QueryArgs) -> Problem | None:
        if name in args and not any(other in args for other in others):
            return Problem(f"{name} can be used only with either {list(others)}")
        return None

    return check


def _time_range_is_consistent(args: QueryArgs) -> Problem | None:  # rows 12a-12e
    start, end, duration = ("start_at" in args), ("end_at" in args), ("duration" in args)
    if start and end and duration:
        return Problem(
            "Absolute and relative time cannot be requested at the same time - either ask for "
            "'start_at' and 'end_at', or ask for 'start_at'/'end_at' with 'duration'"
        )
    if start and not end and not duration:
        return Problem("Use of 'start_at' requires 'end_at' or 'duration'")
    if end and not start and not duration:
        return Problem("Use of 'end_at' requires 'start_at' or 'duration'")
    if duration and int(first(args, "duration") or "0") == 0:
        return Problem("'duration' must not be zero")
    if duration and "period" not in args:
        return Problem(
            "If 'duration' is requested (for relative time), 'period' is required - please add "
            "a period (like 'day', 'month' etc)",
            f"The periods are {_listed(PERIOD_NAMES)}",
        )
    return None


def _collects_are_valid(args: QueryArgs) -> Problem | None:  # rows 13a-13d (spec 10 #3)
    group_by = set(args.get("group_by", ()))
    for value in args.get("collect", ()):
        name, colon, method = value.partition(":")
        if colon and method not in COLLECT_METHODS:  # `field:` and `a:b:c` too
            return Problem(
                "Unknown collection method",
                f"{quoted(method)} in collect={quoted(value)[1:-1]} is not a collection "
                f"method: use one of {_listed(COLLECT_METHODS)}, or the field alone "
                "(collect=FIELD gathers its values)",
            )
        if not is_valid_key(name):
            return Problem("Cannot collect an invalid field name", f"{quoted(name)}: {FIELD_NAMES}")
        if name.startswith("_"):
            return Problem(
                "Cannot collect internal fields, internal fields start with an underscore",
                f"{quoted(name)} is an internal field",
            )
        if name in group_by:
            return Problem(
                "Cannot collect by a field that is used for group_by",
                f"{quoted(name)} is in group_by",
            )
    return None


def _boolean(name: str) -> Check:  # rows 14, 15
    def check(args: QueryArgs) -> Problem | None:
        value = first(args, name)
        if name in args and value not in ("true", "false"):
            return Problem(
                f"{name} must be either 'true' or 'false'", f"{quoted(value or '')} is neither"
            )
        return None

    return check


def _no_nul_character(args: QueryArgs) -> Problem | None:  # no engine stores NUL
    if any("\0" in value for values in args.values() for value in values):
        return Problem("Query parameters must not contain the NUL character (%00)")
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
    _needs_one_of("collect", ("group_by", "period")),
    _time_range_is_consistent,
    _collects_are_valid,
    _boolean("flatten"),
    _boolean("inclusive"),
    _needs_one_of("inclusive", ("start_at", "end_at")),
    _no_nul_character,
)


def _raw_query_forbidden(args: QueryArgs) -> Problem | None:  # row 17
    if "group_by" not in args and "period" not in args:
        return Problem("querying for raw data is not allowed", RAW_QUERIES_HINT)
    return None


RESTRICTED = "(a rule for data sets that do not allow raw queries)"


def _span_is_a_week(args: QueryArgs) -> Problem | None:  # row 18
    start = parse_query_datetime(first(args, "start_at") or "")
    end = parse_query_datetime(first(args, "end_at") or "")
    if start and end and first(args, "period") != "hour" and end - start < timedelta(days=7):
        return Problem(
            "The minimum time span for a query is 7 days",
            f"start_at to end_at spans {end - start} {RESTRICTED}",
        )
    return None


def _is_midnight(name: str) -> Check:  # rows 19, 20
    def check(args: QueryArgs) -> Problem | None:
        moment = parse_query_datetime(first(args, name) or "")
        if (
            moment is not None
            and first(args, "period") != "hour"
            and moment.time() != moment.min.time()
        ):
            return Problem(
                f"{name} must be midnight", f"{moment.isoformat()} is not, in UTC {RESTRICTED}"
            )
        return None

    return check


def _is_monday(name: str) -> Check:  # rows 21, 22: weekday in the offset given, not UTC
    def check(args: QueryArgs) -> Problem | None:
        moment = query_local_datetime(first(args, name) or "")
        if first(args, "period") == "week" and moment is not None and moment.weekday() != 0:
            return Problem(
                f"{name} must be a monday",
                f"{moment.date().isoformat()} is a {moment.strftime('%A')}: "
                f"weeks start on Mondays {RESTRICTED}",
            )
        return None

    return check


def _is_first_of_month(name: str) -> Check:  # rows 23, 24
    def check(args: QueryArgs) -> Problem | None:
        moment = query_local_datetime(first(args, name) or "")
        if first(args, "period") == "month" and moment is not None and moment.day != 1:
            return Problem(
                f"'{name}' must be the first of the month for period=month queries",
                f"{moment.date().isoformat()} is not {RESTRICTED}",
            )
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


def first_problem(
    args: QueryArgs, *, raw_queries_allowed: bool, data_set: str = "NAME"
) -> Problem | None:
    """The first failing check's problem, or None when the query is valid; a detail that
    names the data set (how to allow raw queries) names `data_set`."""
    checks = QUERY_CHECKS if raw_queries_allowed else QUERY_CHECKS + RESTRICTED_CHECKS
    problem = next((problem for check in checks if (problem := check(args))), None)
    if problem is None or problem.detail is None or "{data_set}" not in problem.detail:
        return problem
    return Problem(problem.message, problem.detail.replace("{data_set}", data_set))


def first_error(args: QueryArgs, *, raw_queries_allowed: bool) -> str | None:
    """The message of the first failing check, or None when the query is valid."""
    problem = first_problem(args, raw_queries_allowed=raw_queries_allowed)
    return problem.message if problem else None
