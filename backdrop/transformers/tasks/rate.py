"""`backdrop.transformers.tasks.rate.compute`: the ratio of two filtered sums per period (spec 6.5).

Options: `numeratorMatcher` and `denominatorMatcher` (regexes searched, unanchored, in the
`matchingAttribute` field) and `valueAttribute` (the summed field, e.g. `uniqueEvents:sum`).
"""

from __future__ import annotations

import re

from backdrop.transformers.ids import encode_id
from backdrop.transformers.rows import Config, Record, Rows, by_period


def compute(rows: Rows, transform: Config, source_config: Config) -> list[Record]:
    """One record per (`_start_at`, `_end_at`) in first-seen order: `rate` = numerator /
    denominator (true division, spec 10 #7), null when either is absent or the denominator
    is not positive."""
    options = transform["options"]
    attribute, value_key = options["matchingAttribute"], options["valueAttribute"]
    numerator_re = re.compile(options["numeratorMatcher"])
    denominator_re = re.compile(options["denominatorMatcher"])
    output = []
    for (start_at, end_at), period_rows in by_period(rows).items():
        valued = [row for row in period_rows if row.get(value_key)]
        numerator = _sum_matching(valued, attribute, numerator_re, value_key)
        denominator = _sum_matching(valued, attribute, denominator_re, value_key)
        rate = None
        if numerator is not None and denominator is not None and denominator > 0:
            rate = numerator / denominator
        output.append(
            {
                "_id": encode_id(start_at, end_at),
                "_timestamp": start_at,
                "_start_at": start_at,
                "_end_at": end_at,
                "rate": rate,
            }
        )
    return output


def _sum_matching(
    rows: Rows, attribute: str, pattern: re.Pattern[str], value_key: str
) -> float | None:
    """The sum over rows whose attribute is a non-empty string the pattern finds; None when
    no row matches."""
    values = [
        row[value_key]
        for row in rows
        if isinstance(row.get(attribute), str) and row[attribute] and pattern.search(row[attribute])
    ]
    return sum(values) if values else None
