"""Per-data-set JSON-Schema checks (spec 3.9): Draft 4, `date-time` judged as isodate did."""

from __future__ import annotations

from typing import Any

import pytest

from backdrop.core.errors import RequestInvalid
from backdrop.core.schema import schema_messages
from tests.support.stagecraft import TIMESTAMP_SCHEMA


@pytest.mark.parametrize(
    "stamp",
    [
        "2013-02-25T15:09:56+0000",
        "2013-02-25T15:09:56+00:00",
        "2013-02-25T15:09:56Z",
        "2013-02-25T15:09:56-0500",
        "2013-02-25T15:09:56.123Z",
    ],
)
def test_iso8601_date_times_pass_including_offsets_without_colon(stamp: str) -> None:
    assert schema_messages(TIMESTAMP_SCHEMA, [{"_timestamp": stamp}]) == []


@pytest.mark.parametrize(
    "stamp", ["2014-06-1xxx0:00:00+0000", "2014-01-01", "yesterday", "2014-02-30T00:00:00Z"]
)
def test_other_strings_are_not_date_times(stamp: str) -> None:
    assert schema_messages(TIMESTAMP_SCHEMA, [{"_timestamp": stamp}]) == [
        f"'{stamp}' is not a 'date-time'"
    ]


def test_a_missing_timestamp_is_a_required_property() -> None:
    assert schema_messages(TIMESTAMP_SCHEMA, [{"foo": "bar"}]) == [
        "'_timestamp' is a required property"
    ]


def test_a_non_string_timestamp_has_the_wrong_type() -> None:
    assert schema_messages(TIMESTAMP_SCHEMA, [{"_timestamp": 5}]) == ["5 is not of type 'string'"]


def test_messages_of_every_record_in_record_order() -> None:
    records = [{"_timestamp": "bad"}, {"_timestamp": "2014-01-01T00:00:00Z"}, {}]
    assert schema_messages(TIMESTAMP_SCHEMA, records) == [
        "'bad' is not a 'date-time'",
        "'_timestamp' is a required property",
    ]


def test_every_error_of_one_record_is_reported() -> None:
    schema: dict[str, Any] = {
        "type": "object",
        "required": ["a", "b"],
        "properties": {"c": {"type": "integer"}},
    }
    assert sorted(schema_messages(schema, [{"c": "x"}])) == [
        "'a' is a required property",
        "'b' is a required property",
        "'x' is not of type 'integer'",
    ]


def test_draft4_boolean_exclusive_maximum() -> None:
    schema = {"properties": {"n": {"maximum": 10, "exclusiveMaximum": True}}}
    assert schema_messages(schema, [{"n": 9}]) == []
    assert schema_messages(schema, [{"n": 10}]) == [
        "10 is greater than or equal to the maximum of 10"
    ]


def test_an_unusable_schema_is_a_request_problem() -> None:
    with pytest.raises(RequestInvalid) as raised:
        schema_messages({"type": 12}, [{"a": 1}])
    assert raised.value.message.startswith("The data set's schema cannot be used: ")


def test_an_unresolvable_reference_is_a_request_problem() -> None:
    with pytest.raises(RequestInvalid):
        schema_messages({"$ref": "#/definitions/missing"}, [{"a": 1}])
