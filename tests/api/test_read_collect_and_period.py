"""features/read_api/collect_and_period.feature (spec 9.1 scenario 18) through the real apps."""

from __future__ import annotations

from collections.abc import Callable

from tests.support.http_data_set import HttpDataSet


def test_s18_combining_a_period_and_collect_query(
    new_data_set: Callable[..., HttpDataSet],
) -> None:
    collect_me = new_data_set("collectables.json")
    data = collect_me.data(
        "period=week&collect=pickup&start_at=2013-08-05T00:00:00Z&end_at=2013-08-12T00:00:00Z",
        legacy=True,
    )
    assert data == [
        {
            "_count": 2,
            "pickup:set": ["mushroom", "ring"],
            "pickup": ["mushroom", "ring"],
            "_start_at": "2013-08-05T00:00:00+00:00",
            "_end_at": "2013-08-12T00:00:00+00:00",
        }
    ]
