"""Response bodies as the spec pins them.

Issue 10 added fields next to the spec's: `detail` on errors (what exactly to fix) and `version`
on `/_status`. `spec_body` leaves them out, so the spec's tests compare exactly what the spec
says; the added fields have tests of their own (tests/api/test_error_details.py, test_index.py).
"""

from __future__ import annotations

from typing import Any

ADDED_FIELDS = frozenset({"detail", "version"})


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
