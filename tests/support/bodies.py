"""Response bodies as the spec pins them.

Issue 10 added fields next to the spec's: `detail` on errors (what exactly to fix) and `version`
on `/_status`. `spec_body` leaves them out, so the spec's tests compare exactly what the spec
says; the added fields have tests of their own (tests/api/test_error_details.py, test_index.py).
"""

from __future__ import annotations

from typing import Any

ADDED_FIELDS = frozenset({"detail", "version"})

# Spec 3.2's example (eight_messages_payload): three records that fail every step of the write
# pipeline, for a data set with the `_timestamp` schema and auto ids (`_timestamp`, `that`), and
# its eight messages in the spec's order.
EIGHT_MESSAGES_AUTO_IDS = ("_timestamp", "that")
EIGHT_MESSAGES = [
    "'2014-06-1xxx0:00:00+0000' is not a 'date-time'",
    "'_timestamp' is a required property",
    "'_timestamp' is a required property",
    "The following required id fields are missing: that",
    "the _timestamp must be a date in the format yyyy-MM-ddT00:00:00Z",
    "_timestamp is not a valid datetime object",
    "thing has an invalid value",
    "_foo is not a recognised internal field",
]


def spec_body(body: Any) -> Any:
    """The body without the fields this implementation adds to the spec's."""
    if not isinstance(body, dict):
        return body
    return {key: value for key, value in body.items() if key not in ADDED_FIELDS}


def week(start: str, end: str, count: int) -> dict[str, Any]:
    """A weekly period row as the read API answers it: from `start` to `end` (dates, UTC
    midnight), with `count` records."""
    return {
        "_start_at": f"{start}T00:00:00+00:00",
        "_end_at": f"{end}T00:00:00+00:00",
        "_count": count,
    }


def eight_messages_payload() -> list[dict[str, Any]]:
    """Spec 3.2's example records (new ones each call: the pipeline may change what it gets)."""
    return [{"_timestamp": "2014-06-1xxx0:00:00+0000"}, {"thing": {}}, {"_foo": "bar"}]
