"""`format=csv` (spec 2.8) through the real apps."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import requests

from tests.support.http_data_set import HttpDataSet


@pytest.fixture(scope="module")
def mixed(new_data_set: Callable[..., HttpDataSet]) -> HttpDataSet:
    return new_data_set(
        raw_queries_allowed=True,
        records=[
            {"_timestamp": "2014-01-01T00:00:00Z", "name": "città ☃", "flag": True, "count": 3},
            {"_timestamp": "2014-01-02T12:30:00Z", "name": "b,c", "flag": False, "ratio": 1.5},
            {"_timestamp": "2014-01-03T00:00:00Z", "name": 'say "hi"', "note": None},
        ],
    )


def csv(response: requests.Response) -> str:
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].split(";")[0] == "text/csv"
    assert response.headers["Content-Disposition"] == "attachment; filename=export.csv"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Cache-Control"] == "max-age=1800, must-revalidate"
    return response.content.decode("utf-8")


def test_grouped_csv(mixed: HttpDataSet) -> None:
    text = csv(mixed.get("group_by=flag&collect=count:sum&format=csv"))
    assert text == "_count,count:sum,flag\r\n1,0,False\r\n1,3,True\r\n"


def test_period_csv_writes_datetimes_with_a_space(mixed: HttpDataSet) -> None:
    text = csv(
        mixed.get("period=day&start_at=2014-01-01T00:00:00Z&end_at=2014-01-03T00:00:00Z&format=csv")
    )
    assert text == (
        "_count,_end_at,_start_at\r\n"
        "1,2014-01-02 00:00:00+00:00,2014-01-01 00:00:00+00:00\r\n"
        "1,2014-01-03 00:00:00+00:00,2014-01-02 00:00:00+00:00\r\n"
    )


def test_raw_csv_header_is_the_sorted_union(mixed: HttpDataSet) -> None:
    lines = csv(mixed.get("format=csv")).split("\r\n")
    assert lines[0] == (
        "_day_start_at,_hour_start_at,_id,_month_start_at,_quarter_start_at,_timestamp,"
        "_updated_at,_week_start_at,_year_start_at,count,flag,name,note,ratio"
    )
    assert lines[-1] == ""
    assert len(lines) == 5
    first = lines[1].split(",")
    assert first[5] == "2014-01-01 00:00:00+00:00"
    assert first[-5:] == ["3", "True", "città ☃", "", ""]
    assert lines[2].endswith(',,False,"b,c",,1.5')
    assert lines[3].endswith(',,,"say ""hi""",,')


def test_empty_csv_is_an_empty_body(mixed: HttpDataSet) -> None:
    assert csv(mixed.get("group_by=wibble&format=csv")) == ""


def test_other_formats_are_json(mixed: HttpDataSet) -> None:
    response = mixed.get("group_by=flag&format=xml")
    assert response.headers["Content-Type"] == "application/json"
    assert response.json()["data"][0] == {"flag": False, "_count": 1}
