"""The read app's status pages (spec 1.1): liveness, and staleness judged by the newest data."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from backdrop.core.data_set_config import DataSetConfig
from backdrop.core.data_sets import DataSets
from backdrop.core.records import prepare_records
from backdrop.core.storage.base import Storage
from backdrop.core.timeutils import isoformat
from tests.support.bodies import spec_body
from tests.support.stagecraft import RegisterDataSet, StagecraftState

HEADERS = {"Cache-Control": "no-cache", "Access-Control-Allow-Origin": "*"}
ALL_IN_DATE = {"status": "ok", "data_sets": None, "message": "All data_sets are in date"}
DAY = 86400


@pytest.fixture
def only_these(stagecraft: StagecraftState) -> StagecraftState:
    """The stand-in emptied: the status page sees only the data sets this test registers."""
    stagecraft.reset()
    return stagecraft


@pytest.fixture
def save(storage: Storage) -> Callable[..., None]:
    """Store records the way the write app would (timestamps parsed, period keys added)."""

    def store(name: str, *records: dict[str, Any]) -> None:
        config = DataSetConfig(name=name, data_group=name, data_type=name)
        prepared = prepare_records([dict(record) for record in records], config)
        storage.create_data_set(name, None)
        storage.save(name, prepared)

    return store


Save = Callable[..., None]


def ago(seconds: float) -> datetime:
    return (datetime.now(UTC) - timedelta(seconds=seconds)).replace(microsecond=0)


def stamp(moment: datetime) -> dict[str, str]:
    return {"_timestamp": moment.isoformat()}


def status(http: requests.Session, read_url: str) -> requests.Response:
    response = http.get(f"{read_url}/_status/data-sets")
    assert response.status_code == 200
    for header, value in HEADERS.items():
        assert response.headers[header] == value
    return response


def test_liveness(http: requests.Session, read_url: str) -> None:
    response = http.get(f"{read_url}/_status")
    assert response.status_code == 200
    assert spec_body(response.json()) == {"status": "ok", "message": "app is up"}
    for header, value in HEADERS.items():
        assert response.headers[header] == value


def test_fresh_data_sets_are_all_in_date(
    http: requests.Session,
    read_url: str,
    only_these: StagecraftState,
    register_data_set: RegisterDataSet,
    save: Save,
    data_set_name: str,
) -> None:
    register_data_set(data_set_name, max_age_expected=60)
    save(data_set_name, stamp(ago(5)))
    register_data_set(f"{data_set_name}_b", max_age_expected=DAY)
    save(f"{data_set_name}_b", stamp(ago(DAY - 60)))
    assert status(http, read_url).json() == ALL_IN_DATE


def test_one_stale_data_set(
    http: requests.Session,
    read_url: str,
    only_these: StagecraftState,
    register_data_set: RegisterDataSet,
    save: Save,
    data_set_name: str,
) -> None:
    last = ago(100_000)
    register_data_set(data_set_name, max_age_expected=1000)
    save(data_set_name, stamp(last))
    body = status(http, read_url).json()
    assert body["status"] == "not okay"
    assert body["message"] == "1 data-set is out of date"
    [stale] = body["data_sets"]
    assert set(stale) == {"name", "seconds-out-of-date", "last-updated", "max-age-expected"}
    assert stale["name"] == data_set_name
    assert stale["last-updated"] == isoformat(last)
    assert stale["max-age-expected"] == 1000
    assert 99_000 <= stale["seconds-out-of-date"] <= 99_010
    assert isinstance(stale["seconds-out-of-date"], int)


def test_several_stale_data_sets(
    http: requests.Session,
    read_url: str,
    only_these: StagecraftState,
    register_data_set: RegisterDataSet,
    save: Save,
    data_set_name: str,
) -> None:
    for index in range(3):
        register_data_set(f"{data_set_name}_{index}", max_age_expected=DAY)
        save(f"{data_set_name}_{index}", stamp(ago((index + 2) * DAY)))
    register_data_set(f"{data_set_name}_fresh", max_age_expected=DAY)
    save(f"{data_set_name}_fresh", stamp(ago(60)))
    body = status(http, read_url).json()
    assert body["status"] == "not okay"
    assert body["message"] == "3 data-sets are out of date"
    by_name = {item["name"]: item["seconds-out-of-date"] for item in body["data_sets"]}
    assert set(by_name) == {f"{data_set_name}_0", f"{data_set_name}_1", f"{data_set_name}_2"}
    for index in range(3):
        assert (index + 1) * DAY <= by_name[f"{data_set_name}_{index}"] <= (index + 1) * DAY + 10


def test_null_max_age_is_never_stale(
    http: requests.Session,
    read_url: str,
    only_these: StagecraftState,
    register_data_set: RegisterDataSet,
    save: Save,
    data_set_name: str,
) -> None:
    register_data_set(data_set_name, max_age_expected=None)
    save(data_set_name, stamp(datetime(2001, 1, 1, tzinfo=UTC)))
    assert status(http, read_url).json() == ALL_IN_DATE


def test_absent_max_age_means_31_days(
    http: requests.Session,
    read_url: str,
    only_these: StagecraftState,
    register_data_set: RegisterDataSet,
    save: Save,
    data_set_name: str,
) -> None:
    for suffix, age in (("_30_days", 30 * DAY), ("_32_days", 32 * DAY)):
        config = register_data_set(data_set_name + suffix)
        del config["max_age_expected"]
        only_these.put(config)
        save(data_set_name + suffix, stamp(ago(age)))
    body = status(http, read_url).json()
    [stale] = body["data_sets"]
    assert stale["name"] == f"{data_set_name}_32_days"
    assert stale["max-age-expected"] == 2678400
    assert DAY <= stale["seconds-out-of-date"] <= DAY + 10


def test_data_sets_without_records_are_never_stale(
    http: requests.Session,
    read_url: str,
    only_these: StagecraftState,
    storage: Storage,
    register_data_set: RegisterDataSet,
    data_set_name: str,
) -> None:
    register_data_set(f"{data_set_name}_never_written", max_age_expected=0)
    register_data_set(f"{data_set_name}_emptied", max_age_expected=0)
    storage.create_data_set(f"{data_set_name}_emptied", None)
    assert status(http, read_url).json() == ALL_IN_DATE


def test_the_newest_timestamp_counts(
    http: requests.Session,
    read_url: str,
    only_these: StagecraftState,
    register_data_set: RegisterDataSet,
    save: Save,
    data_set_name: str,
) -> None:
    register_data_set(f"{data_set_name}_recent", max_age_expected=DAY)
    save(f"{data_set_name}_recent", stamp(ago(10 * DAY)), stamp(ago(3600)), stamp(ago(5 * DAY)))
    newest = ago(3 * DAY)
    register_data_set(f"{data_set_name}_old", max_age_expected=DAY)
    save(f"{data_set_name}_old", stamp(ago(10 * DAY)), stamp(newest), stamp(ago(5 * DAY)))
    [stale] = status(http, read_url).json()["data_sets"]
    assert stale["name"] == f"{data_set_name}_old"
    assert stale["last-updated"] == isoformat(newest)


def test_old_data_written_just_now_is_stale(
    http: requests.Session,
    read_url: str,
    only_these: StagecraftState,
    register_data_set: RegisterDataSet,
    save: Save,
    data_set_name: str,
) -> None:
    register_data_set(data_set_name, max_age_expected=DAY)
    save(data_set_name, stamp(datetime(2014, 7, 1, tzinfo=UTC)), {"value": 1})
    [stale] = status(http, read_url).json()["data_sets"]
    assert stale["last-updated"] == "2014-07-01T00:00:00+00:00"


def test_future_data_is_never_stale(
    http: requests.Session,
    read_url: str,
    only_these: StagecraftState,
    register_data_set: RegisterDataSet,
    save: Save,
    data_set_name: str,
) -> None:
    register_data_set(data_set_name, max_age_expected=0)
    save(data_set_name, stamp(ago(-365 * DAY)), stamp(ago(400 * DAY)))
    assert status(http, read_url).json() == ALL_IN_DATE


def test_without_timestamps_the_write_time_counts(
    http: requests.Session,
    read_url: str,
    only_these: StagecraftState,
    register_data_set: RegisterDataSet,
    save: Save,
    data_set_name: str,
) -> None:
    register_data_set(f"{data_set_name}_minute", max_age_expected=60)
    save(f"{data_set_name}_minute", {"value": 1})
    assert status(http, read_url).json() == ALL_IN_DATE
    before = datetime.now(UTC)
    register_data_set(f"{data_set_name}_second", max_age_expected=1)
    save(f"{data_set_name}_second", {"value": 1})
    body = status(http, read_url).json()
    assert body["status"] == "not okay"
    [stale] = body["data_sets"]
    assert stale["name"] == f"{data_set_name}_second"
    assert stale["max-age-expected"] == 1
    written = datetime.fromisoformat(stale["last-updated"])
    assert before - timedelta(seconds=1) <= written <= datetime.now(UTC)


# -- the boundary, with a fixed clock --------------------------------------------------------


@pytest.mark.parametrize(
    ("behind", "stale"),
    [(-1.0, False), (-0.999, True), (-0.5, True), (0.0, True), (3600.7, True), (-3600.0, False)],
)
def test_stale_when_the_truncated_seconds_are_not_negative(
    storage: Storage, save: Save, data_set_name: str, behind: float, stale: bool
) -> None:
    last = datetime(2014, 7, 1, tzinfo=UTC)
    save(data_set_name, stamp(last))
    config = DataSetConfig(
        name=data_set_name, data_group=data_set_name, data_type=data_set_name, max_age_expected=DAY
    )
    now = last + timedelta(seconds=DAY + behind)
    found = DataSets(storage).stale([config], now=now)
    assert [(item.name, item.seconds_out_of_date) for item in found] == (
        [(data_set_name, int(behind))] if stale else []
    )
