"""features/read_api/combination_query.feature (spec 9.1 scenarios 19-22) through the real apps,
over the 420 records of `licensing_preview.json` (see tests/support/licensing_preview.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.support import licensing_preview
from tests.support.bodies import week
from tests.support.fixture_files import fixture_records
from tests.support.http_data_set import HttpDataSet

RANGE = "start_at=2013-01-28T00:00:00%2B00:00&end_at=2013-03-29T00:00:00%2B00:00"
TOP_THREE = (
    "group_by=licenceUrlSlug&{filter}&{range}&period=week&collect=authorityName"
    "&collect=licenceName&sort_by=_count:descending&limit=3"
)


@pytest.fixture(scope="module")
def licensing(new_data_set: Callable[..., HttpDataSet]) -> HttpDataSet:
    return new_data_set("licensing_preview.json", raw_queries_allowed=True)


def test_the_fixture_is_what_the_generator_makes() -> None:
    records = fixture_records("licensing_preview.json")
    assert records == licensing_preview.records()
    assert len(records) == 420
    assert licensing_preview.FIXTURE.read_text(encoding="utf-8") == licensing_preview.render()


def check_top_three(data: list[dict[str, Any]]) -> None:
    assert [(group["licenceUrlSlug"], group["_count"]) for group in data] == [
        ("fake-licence-3", 15),
        ("fake-licence-2", 12),
        ("fake-licence-5", 12),
    ]
    first = data[0]
    assert first["authorityName"] == ["Testport"]
    assert first["licenceName"] == ["Fake Licence 3"]
    assert len(first["values"]) == 9  # 2013-01-28 ... the week of 2013-03-25
    assert week("2013-01-28", "2013-02-04", 2) == {
        key: first["values"][0][key] for key in ("_start_at", "_end_at", "_count")
    }
    assert week("2013-02-04", "2013-02-11", 5) == {
        key: first["values"][1][key] for key in ("_start_at", "_end_at", "_count")
    }
    assert [v["_count"] for v in first["values"]] == [2, 5, 0, 0, 0, 3, 4, 0, 1]


def test_s19_top_three_licences_weekly_for_an_authority(licensing: HttpDataSet) -> None:
    query = TOP_THREE.format(filter="filter_by=authorityUrlSlug:testport", range=RANGE)
    check_top_three(licensing.data(query, legacy=True))


def test_s20_top_three_licences_with_filter_by_prefix(licensing: HttpDataSet) -> None:
    query = TOP_THREE.format(filter="filter_by_prefix=authorityUrlSlug:testp", range=RANGE)
    check_top_three(licensing.data(query, legacy=True))


def test_s21_weekly_data_for_an_authority(licensing: HttpDataSet) -> None:
    data = licensing.data(
        "filter_by=authorityUrlSlug:testport&start_at=2013-02-04T00:00:00%2B00:00"
        "&end_at=2013-03-29T00:00:00%2B00:00&period=week",
        legacy=True,
    )
    assert data == [
        week("2013-02-04", "2013-02-11", 10),
        week("2013-02-11", "2013-02-18", 0),
        week("2013-02-18", "2013-02-25", 0),
        week("2013-02-25", "2013-03-04", 0),
        week("2013-03-04", "2013-03-11", 16),
        week("2013-03-11", "2013-03-18", 21),
        week("2013-03-18", "2013-03-25", 1),
        week("2013-03-25", "2013-04-01", 4),  # the end expands to the next Monday
    ]


def test_s22_licences_between_two_points(licensing: HttpDataSet) -> None:
    data = licensing.data(
        f"group_by=licenceUrlSlug&filter_by=authorityUrlSlug:testport&{RANGE}"
        "&collect=authorityName&collect=licenceName",
        legacy=True,
    )
    assert [(group["licenceUrlSlug"], group["_count"]) for group in data] == [
        ("fake-licence-1", 6),
        ("fake-licence-2", 12),
        ("fake-licence-3", 15),
        ("fake-licence-4", 6),
        ("fake-licence-5", 12),
        ("fake-licence-6", 5),
    ]
    assert data[1] == {
        "licenceUrlSlug": "fake-licence-2",
        "_count": 12,
        "authorityName": ["Testport"],
        "authorityName:set": ["Testport"],
        "licenceName": ["Fake Licence 2"],
        "licenceName:set": ["Fake Licence 2"],
    }
    assert data[4]["licenceName"] == ["Fake Licence 5"]


def test_the_whole_data_set_is_there(licensing: HttpDataSet) -> None:
    data = licensing.data("group_by=authorityUrlSlug", legacy=True)
    assert sum(group["_count"] for group in data) == 420
    assert {group["authorityUrlSlug"]: group["_count"] for group in data}["testport"] == 62
