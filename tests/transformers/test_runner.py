"""One transform run in-process (spec 6.3-6.4), against the real database and the Stagecraft
stand-in: what it reads, what it writes, and what makes it fail."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from backdrop.core.config import Settings
from backdrop.core.data_set_config import DataSetConfig
from backdrop.core.errors import QueryInvalid, UnknownTransform
from backdrop.core.query_parser import parse_query
from backdrop.core.services import Services
from backdrop.core.storage.base import Storage
from backdrop.transformers.ids import encode_id
from backdrop.transformers.runner import merge_additional_fields, run_transform
from backdrop.transformers.sources import open_source
from tests.support.stagecraft import RegisterDataSet, StagecraftState
from tests.transformers.scenario import EVENTS, RATES, rate_transform

NOW = datetime(2020, 1, 1, tzinfo=UTC)
EARLIEST = datetime(2014, 1, 6, 10, tzinfo=UTC)
LATEST = datetime(2014, 1, 14, 11, tzinfo=UTC)


def test_additional_fields_are_merged_and_named_in_the_id() -> None:
    assert merge_additional_fields({}, {"foo": "bar"}) == {"foo": "bar", "_id": "X2ZvbzpiYXI="}
    merged = merge_additional_fields(
        {"_id": "abc", "foo": "mine"}, {"foo": "bar", "flag": True, "gone": None, "n": 1}
    )
    assert merged == {
        "_id": encode_id("abc", "foo:bar_flag:True_gone:None_n:1"),
        "foo": "mine",
        "flag": True,
        "gone": None,
        "n": 1,
    }


@pytest.fixture
def services(settings: Settings, storage: Storage) -> Iterator[Services]:
    built = Services.build(settings, storage, for_worker=True)
    yield built
    built.configs.close()


@pytest.fixture
def source_config(
    services: Services, register_data_set: RegisterDataSet, data_set_name: str
) -> dict[str, Any]:
    config = register_data_set(data_set_name, data_type="events")
    services.data_sets.append(DataSetConfig.from_stagecraft(config), EVENTS, transforms=False)
    return config


def _output(storage: Storage, name: str) -> list[dict[str, Any]]:
    records = storage.find(f"{name}_completion_rate", parse_query({}, raw_queries_allowed=True))
    return sorted(records, key=lambda record: record["_timestamp"])


def test_a_run_reads_computes_and_writes_the_output_idempotently(
    services: Services, storage: Storage, stagecraft: StagecraftState, source_config: dict[str, Any]
) -> None:
    name = source_config["name"]
    transform = rate_transform(name, "events")
    transform["options"]["additionalFields"] = {"channel": "all"}
    source = open_source(services)
    seen = len(stagecraft.requests)
    for _ in range(2):
        outcome = run_transform(services, source, source_config, transform, EARLIEST, LATEST, NOW)
        assert (outcome.output.name, outcome.written) == (f"{name}_completion_rate", 2)
        assert outcome.dispatch is not None
        bounds = (outcome.dispatch.earliest, outcome.dispatch.latest)
        assert [moment.isoformat() for moment in bounds] == list(RATES)
        assert outcome.dispatch.data_set == f"{name}_completion_rate"
    output = _output(storage, name)
    assert [(r["_start_at"].isoformat(), r["rate"], r["channel"]) for r in output] == [
        (week, rate, "all") for week, rate in RATES.items()
    ]
    first_week = "2014-01-06T00:00:00+00:00_2014-01-13T00:00:00+00:00"
    assert output[0]["_id"] == encode_id(encode_id(*first_week.split("_")), "channel:all")
    creations = [
        r for r in stagecraft.requests[seen:] if (r["method"], r["path"]) == ("POST", "/data-sets")
    ]
    assert len(creations) == 1  # the second run found the output data set


def test_the_read_is_validated_like_the_read_api(
    services: Services, source_config: dict[str, Any]
) -> None:
    transform = rate_transform(source_config["name"], "events")
    moment = datetime(2014, 1, 7, 10, 30, tzinfo=UTC)  # one instant: duration=1 from 10:30
    with pytest.raises(QueryInvalid, match="start_at must be midnight"):  # no raw queries allowed
        run_transform(
            services, open_source(services), source_config, transform, moment, moment, NOW
        )


def test_an_unknown_function_is_refused_before_anything_is_read(
    services: Services, source_config: dict[str, Any]
) -> None:
    transform = rate_transform(source_config["name"], "events")
    transform["type"]["function"] = "backdrop.transformers.tasks.rate.nope"
    with pytest.raises(UnknownTransform):
        run_transform(
            services, open_source(services), source_config, transform, EARLIEST, LATEST, NOW
        )
