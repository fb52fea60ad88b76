"""latest_transaction_explorer_values on plain lists (spec 6.5)."""

from __future__ import annotations

from typing import Any

from backdrop.transformers.ids import encode_id
from backdrop.transformers.tasks import latest_transaction_explorer_values as tx
from tests.transformers.lookups import StaticLookups

LATEST_SA = "2013-04-01T00:00:00+00:00"
LATEST_QUARTER = "2013-01-01T00:00:00+00:00"
ROWS: list[dict[str, Any]] = [
    {
        "_timestamp": "2012-12-12T00:00:00+00:00",
        "service_id": "bis-annual-returns",
        "type": "seasonally-adjusted",
        "period": "year",
        "end_at": "2013-01-01T00:00:00+00:00",
        "number_of_digital_transactions": 2301214,
    },
    {
        "_timestamp": LATEST_SA,
        "service_id": "sorn-innit",
        "type": "seasonally-adjusted",
        "period": "year",
        "end_at": "2012-04-01T00:00:00+00:00",
        "cost_per_transaction": 5.2,
        "digital_takeup": 0.965537995968002,
        "total_cost": 11767069.6,
    },
    {
        "_timestamp": "2012-12-12T00:00:00+00:00",
        "service_id": "sorn-innit",
        "type": "quarterly",
        "digital_cost_per_transaction": 2.36,
    },
    {
        "_timestamp": LATEST_QUARTER,
        "service_id": "bis-annual-returns",
        "type": "quarterly",
        "period": "quarter",
        "digital_takeup": 0.5,
    },
]
TRANSFORM = {"output": {"data-group": "transactions-explorer", "data-type": "latest"}}
SOURCE = {"name": "tx_spreadsheet", "data_group": "tx", "data_type": "spreadsheet"}


def _lookups(newest: dict[str, Any] | None = None) -> StaticLookups:
    return StaticLookups(
        dashboards_by_service={
            "sorn-innit": [{"slug": "sorn"}],
            "bis-annual-returns": [{"slug": "bis-returns"}, {"slug": "bis-two"}],
        },
        newest=newest,
    )


def test_every_metric_for_every_dashboard_of_every_service() -> None:
    output = tx.compute(ROWS, TRANSFORM, SOURCE, _lookups())
    values = {
        (record["dashboard_slug"], metric): record[metric]
        for record in output
        for metric, _ in tx.METRICS
        if metric in record
    }
    assert len(output) == 18
    assert values == {
        # sorn: its newest row is the latest seasonally-adjusted one
        ("sorn", "cost_per_transaction"): 5.2,
        ("sorn", "digital_cost_per_transaction"): None,  # newest row lacks it
        ("sorn", "digital_takeup"): 0.965537995968002,
        ("sorn", "number_of_digital_transactions"): None,
        ("sorn", "number_of_transactions"): None,
        ("sorn", "total_cost"): 11767069.6,
        # bis: quarterly rows are ignored for most metrics; its SA row is not the latest SA
        **{(slug, metric): None for slug in ("bis-returns", "bis-two") for metric, _ in tx.METRICS},
        ("bis-returns", "digital_takeup"): 0.5,
        ("bis-two", "digital_takeup"): 0.5,
    }


def test_records_carry_the_latest_date_of_their_type_and_deterministic_ids() -> None:
    output = tx.compute(ROWS, TRANSFORM, SOURCE, _lookups())
    by_id = {record["_id"]: record for record in output}
    assert by_id[encode_id("sorn", "cost_per_transaction")] == {
        "cost_per_transaction": 5.2,
        "end_at": "2012-04-01T00:00:00+00:00",
        "period": "year",
        "service_id": "sorn-innit",
        "type": "seasonally-adjusted",
        "dashboard_slug": "sorn",
        "_timestamp": LATEST_SA,
        "_id": encode_id("sorn", "cost_per_transaction"),
    }
    assert by_id[encode_id("bis-two", "digital_takeup")] == {
        "digital_takeup": 0.5,
        "period": "quarter",
        "service_id": "bis-annual-returns",
        "type": "quarterly",
        "dashboard_slug": "bis-two",
        "_timestamp": LATEST_QUARTER,
        "_id": encode_id("bis-two", "digital_takeup"),
    }
    assert by_id[encode_id("bis-two", "number_of_digital_transactions")]["_timestamp"] == LATEST_SA


def test_nothing_is_emitted_when_the_output_holds_newer_data() -> None:
    lookups = _lookups(newest={"_timestamp": "2099-01-01T00:00:00+00:00"})
    assert tx.compute(ROWS, TRANSFORM, SOURCE, lookups) == []
    group, data_type, parameters = lookups.reads[0]
    assert (group, data_type) == ("transactions-explorer", "latest")
    assert parameters["sort_by"] == "_timestamp:descending"
    assert parameters["filter_by"] == f"_id:{encode_id('sorn', 'cost_per_transaction')}"
    assert parameters["start_at"] == LATEST_SA
    assert parameters["end_at"].endswith("+00:00")


def test_only_records_older_than_the_output_are_held_back() -> None:
    equal_or_newer = tx.compute(ROWS, TRANSFORM, SOURCE, _lookups({"_timestamp": LATEST_QUARTER}))
    assert len(equal_or_newer) == 18
    newer_than_quarterly = tx.compute(ROWS, TRANSFORM, SOURCE, _lookups({"_timestamp": LATEST_SA}))
    assert {record["_timestamp"] for record in newer_than_quarterly} == {LATEST_SA}
    assert len(newer_than_quarterly) == 14


def test_no_rows_no_records() -> None:
    assert tx.compute([], TRANSFORM, SOURCE, _lookups()) == []
