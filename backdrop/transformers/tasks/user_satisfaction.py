"""`backdrop.transformers.tasks.user_satisfaction.compute`: a satisfaction score per period
(spec 6.5), from rows collecting `rating_1:sum` … `rating_5:sum` and `total:sum`."""

from __future__ import annotations

from backdrop.transformers.ids import encode_id
from backdrop.transformers.rows import Config, Record, Row, Rows

RATINGS = range(1, 6)


def compute(rows: Rows, transform: Config, source_config: Config) -> list[Record]:
    """One record per row: the five rating sums, `num_responses` and `score`."""
    return [
        {
            "_id": encode_id(row["_start_at"], row["_end_at"]),
            "_timestamp": row["_start_at"],
            "_start_at": row["_start_at"],
            "_end_at": row["_end_at"],
            **{f"rating_{i}": row.get(f"rating_{i}:sum") for i in RATINGS},
            "num_responses": row.get("total:sum"),
            "score": score(row),
        }
        for row in rows
    ]


def score(row: Row) -> float | None:
    """The mean rating mapped from 1…5 onto 0…1; null when nobody answered.

    True division (spec 10 #7): ratings (1, 1, 1, 1, 6) of 10 answers score 0.75.
    """
    total = row.get("total:sum")
    if not total:
        return None
    weighted = sum(i * (row.get(f"rating_{i}:sum") or 0) for i in RATINGS)
    mean: float = weighted / total
    return (mean - 1) / 4
