"""Hypothesis strategies for what clients send: JSON bodies with odd keys, strings and numbers,
query strings, path segments. Each leans towards the edges issue 9 found (NUL, 64-bit bounds,
offsets that overflow, huge counts, dotted and `$` keys) while still making ordinary values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

from backdrop.core.query_checks import PARAMETERS

# Text without surrogates (JSON cannot carry a lone one), NUL and long strings included.
CHARACTERS = st.characters(exclude_categories=["Cs"])
TEXT = st.one_of(
    st.text(CHARACTERS, max_size=12),
    st.sampled_from(
        ["", "\0", "a\0b", "ünïcødé \U0001d518", "\u2028", "x" * 300, "$date", "a.b", " "]
    ),
)
VALID_KEYS = st.from_regex(r"[a-z][a-z0-9_]{1,12}", fullmatch=True)
ODD_KEYS = st.sampled_from(
    [
        "_id", "_timestamp", "_start_at", "_end_at", "_updated_at", "_week_start_at", "_x",
        "count\n", "a.b", ".a", "a.", "", "$set", "$date", "a\0b", "A", "Za", "k" * 257, "é",
    ]
)  # fmt: skip
KEYS = st.one_of(VALID_KEYS, VALID_KEYS, ODD_KEYS, st.text(CHARACTERS, max_size=6))
INTEGERS = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.integers(min_value=-1000, max_value=1000),
    st.sampled_from([2**53 + 1, 2**63 - 1, -(2**63), 2**63, 2**64 - 1, 2**64, -(2**63) - 1]),
)
FLOATS = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([1e308, -1e308, 5e-324, -0.0, 0.0, 1e16, 100.0, 0.1, 2.0**63]),
)


@st.composite
def datetime_texts(draw: st.DrawFn) -> str:
    """Datetimes as clients write them: ISO with odd offsets, dates only, the ends of the
    calendar, impossible days."""
    moment = draw(st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)))
    minutes = draw(st.integers(min_value=-24 * 60 + 1, max_value=24 * 60 - 1))
    offset = timezone(timedelta(minutes=minutes))
    form = draw(st.sampled_from(["iso", "z", "compact", "date", "naive", "fixed"]))
    if form == "iso":
        return moment.replace(tzinfo=offset).isoformat()
    if form == "z":
        return moment.isoformat(timespec="seconds") + "Z"
    if form == "compact":
        return moment.replace(tzinfo=offset).strftime("%Y-%m-%dT%H:%M:%S%z")
    if form == "date":
        return moment.date().isoformat()
    if form == "naive":
        return moment.isoformat()
    return draw(
        st.sampled_from(
            [
                "9999-12-31T23:59:59-01:00",
                "0001-01-01T00:00:00+01:00",
                "2014-02-30T00:00:00Z",
                "2014-01-06T00:00:00+99:99",
                "2014-01-06T24:00:00Z",
                "2014-01-06",
                "garbage",
                "2014-01-06T00:00:00.123456+05:30",
            ]
        )
    )


SCALARS = st.one_of(st.none(), st.booleans(), INTEGERS, FLOATS, TEXT, datetime_texts())
JSON = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(KEYS, children, max_size=3)
    ),
    max_leaves=8,
)


@st.composite
def records(draw: st.DrawFn) -> dict[str, Any]:
    """A record: mostly valid keys and scalar values, sometimes a time key, an `_id`, an odd
    key or a nested value."""
    record: dict[str, Any] = draw(
        st.dictionaries(VALID_KEYS, SCALARS, max_size=4)
        | st.dictionaries(KEYS, st.one_of(SCALARS, JSON), max_size=3)
    )
    if draw(st.booleans()):
        record["_timestamp"] = draw(datetime_texts())
    if draw(st.booleans()):
        record["_id"] = draw(st.from_regex(r"[a-zA-Z0-9_.:-]{1,12}", fullmatch=True) | TEXT)
    return record


BODIES = st.one_of(records(), st.lists(records(), max_size=4), JSON)
CONTENT_TYPES = st.sampled_from(
    [
        "application/json",
        "application/json; charset=utf-8",
        "APPLICATION/JSON",
        "application/vnd.api+json",
        "text/plain",
        "application/x-www-form-urlencoded",
        None,
    ]
)
RAW_BODIES = st.one_of(
    st.binary(max_size=40),
    st.sampled_from(
        [b"", b"NaN", b"[1e400]", b"[1,]", b'{"a": 1', b"\xff\xfe", b'"\\ud800"', b"null"]
    ),
)

# -- query strings ---------------------------------------------------------------------------

PERIODS = st.sampled_from(["hour", "day", "week", "month", "quarter", "year", "fortnight", ""])
COUNTS = st.one_of(
    st.integers(min_value=-5, max_value=10**30).map(str),
    st.sampled_from(["0", "1", "1000000", "1000000000", "18446744073709551616", "+5", " 7 "]),
    st.sampled_from(["9" * 18, "9" * 19, "0" * 40 + "1", "1e3", "", "-0"]),
)
FIELDS = st.one_of(VALID_KEYS, ODD_KEYS, st.sampled_from(["value", "kind", "_id", "$where"]))


@st.composite
def query_values(draw: st.DrawFn, name: str) -> str:
    """A value that parameter `name` might carry, often well-formed, often not."""
    if draw(st.integers(min_value=0, max_value=5)) == 0:
        return draw(TEXT)
    if name in ("start_at", "end_at"):
        return draw(datetime_texts())
    if name in ("duration", "limit"):
        return draw(COUNTS)
    if name == "period":
        return draw(PERIODS)
    if name in ("filter_by", "filter_by_prefix"):
        return f"{draw(FIELDS)}:{draw(TEXT)}"
    if name == "sort_by":
        return f"{draw(FIELDS)}:{draw(st.sampled_from(['ascending', 'descending', 'up', '']))}"
    if name == "group_by":
        return draw(FIELDS)
    if name == "collect":
        method = draw(st.sampled_from(["", ":sum", ":count", ":set", ":mean", ":max", ":"]))
        return f"{draw(FIELDS)}{method}"
    if name in ("flatten", "inclusive"):
        return draw(st.sampled_from(["true", "false", "yes", ""]))
    if name == "format":
        return draw(st.sampled_from(["csv", "json", ""]))
    return draw(TEXT)


@st.composite
def query_args(draw: st.DrawFn) -> dict[str, list[str]]:
    """Parsed query-string arguments: known parameters (repeated at times) and unknown ones."""
    names = draw(
        st.lists(
            st.sampled_from(sorted(PARAMETERS)) | st.text(CHARACTERS, max_size=6),
            max_size=6,
            unique=True,
        )
    )
    return {name: draw(st.lists(query_values(name), min_size=1, max_size=2)) for name in names}


NOW = st.datetimes(
    min_value=datetime(1, 1, 8), max_value=datetime(9999, 12, 24), timezones=st.just(UTC)
)

# -- path segments ---------------------------------------------------------------------------

SEGMENTS = st.one_of(
    st.text(CHARACTERS, min_size=1, max_size=20),
    st.sampled_from(
        [
            "a\0b", "\0", "..", ".", "backdrop.data_sets", "system.views", "a$b", "$cmd",
            "x" * 300, "data_sets", "documents", "%00", "a b", "_status", "ü",
        ]
    ),
)  # fmt: skip
