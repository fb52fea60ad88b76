"""The `licensing_preview.json` fixture: 420 licence applications (spec 9.1 scenarios 19-22).

The records are derived from the numbers the scenarios state for the authority `testport`
between 2013-01-28 and 2013-03-29 (end exclusive):

* per week (scenario 21, from 2013-02-04): 10, 0, 0, 0, 16, 21, 1, 4;
* per licence (scenario 22): six licences, `fake-licence-2` and `fake-licence-5` 12 each;
* `fake-licence-3` has the most (scenario 19: first when sorted by `_count` descending), with
  2 records in the week of 2013-01-28 and 5 in the week of 2013-02-04.

Around them: testport records just outside the range (before the start, at exactly the end,
after it) and records of other authorities, none of whose slugs starts with `testp` (scenario
20 filters by that prefix). Regenerate with `python -m tests.support.licensing_preview`.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.support.fixture_files import FIXTURES

FIXTURE = FIXTURES / "licensing_preview.json"
TOTAL = 420

# testport records in range: week start -> {licence number: records}
TESTPORT_WEEKS: dict[datetime, dict[int, int]] = {
    datetime(2013, 1, 28, tzinfo=UTC): {3: 2, 1: 1, 6: 1},
    datetime(2013, 2, 4, tzinfo=UTC): {3: 5, 2: 2, 5: 3},
    datetime(2013, 3, 4, tzinfo=UTC): {1: 3, 2: 4, 3: 3, 4: 2, 5: 3, 6: 1},
    datetime(2013, 3, 11, tzinfo=UTC): {1: 2, 2: 5, 3: 4, 4: 3, 5: 5, 6: 2},
    datetime(2013, 3, 18, tzinfo=UTC): {4: 1},
    datetime(2013, 3, 25, tzinfo=UTC): {2: 1, 3: 1, 5: 1, 6: 1},
}
# testport records outside [2013-01-28, 2013-03-29): (timestamp, licence number)
TESTPORT_OUTSIDE: list[tuple[datetime, int]] = [
    (datetime(2013, 1, 20, 10, tzinfo=UTC), 1),
    (datetime(2013, 1, 20, 11, tzinfo=UTC), 1),
    (datetime(2013, 1, 27, 23, 59, 59, tzinfo=UTC), 3),
    (datetime(2013, 3, 29, tzinfo=UTC), 3),
    (datetime(2013, 3, 29, tzinfo=UTC), 3),
    (datetime(2013, 4, 2, 9, tzinfo=UTC), 2),
]
OTHER_AUTHORITIES = (
    ("Westminster", "westminster"),
    ("Camden", "camden"),
    ("Testington", "testington"),
)


def _record(
    sequence: int, moment: datetime, authority: tuple[str, str], licence: int
) -> dict[str, Any]:
    name, slug = authority
    return {
        "_id": f"{slug}-{1000 + sequence}",
        "_timestamp": moment.strftime("%Y-%m-%dT%H:%M:%S+0000"),
        "authorityName": name,
        "authorityUrlSlug": slug,
        "licenceName": f"Fake Licence {licence}",
        "licenceUrlSlug": f"fake-licence-{licence}",
        "isPaymentRequired": licence % 2 == 0,
        "type": "success",
    }


def records() -> list[dict[str, Any]]:
    """The 420 records, in a fixed order."""
    testport = ("Testport", "testport")
    out: list[dict[str, Any]] = []
    for week, licences in TESTPORT_WEEKS.items():
        index = 0
        for licence, count in licences.items():
            for _ in range(count):
                # Monday to Thursday only: the last week is cut at Friday 2013-03-29
                moment = week + timedelta(days=index % 4, hours=9 + index % 8, minutes=index)
                out.append(_record(len(out), moment, testport, licence))
                index += 1
    for moment, licence in TESTPORT_OUTSIDE:
        out.append(_record(len(out), moment, testport, licence))
    start = datetime(2013, 1, 1, tzinfo=UTC)
    for index in range(TOTAL - len(out)):
        authority = OTHER_AUTHORITIES[index % len(OTHER_AUTHORITIES)]
        moment = start + timedelta(hours=8 * index, minutes=index % 60)
        out.append(_record(len(out), moment, authority, 1 + (index * 5) % 6))
    return out


def render() -> str:
    """The fixture file's text: one record per line."""
    lines = ",\n".join(f"  {json.dumps(record)}" for record in records())
    return f"[\n{lines}\n]\n"


if __name__ == "__main__":
    FIXTURE.write_text(render(), encoding="utf-8")
