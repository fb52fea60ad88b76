"""The record pipeline of spec 3.2-3.5: every message, in the order the spec gives."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

import pytest

from backdrop.core.data_set_config import DataSetConfig
from backdrop.core.errors import RecordsInvalid, RequestInvalid
from backdrop.core.records import auto_id, is_valid_key, prepare_records, timestamp_bounds
from tests.support.bodies import EIGHT_MESSAGES, EIGHT_MESSAGES_AUTO_IDS, eight_messages_payload
from tests.support.stagecraft import TIMESTAMP_SCHEMA

FORMAT = "must be a date in the format yyyy-MM-ddT00:00:00Z"


def config(**fields: Any) -> DataSetConfig:
    return DataSetConfig(name="some_data_set", data_group="group", data_type="type", **fields)


def messages_for(payload: object, **fields: Any) -> list[str]:
    with pytest.raises(RecordsInvalid) as raised:
        prepare_records(payload, config(**fields))
    return raised.value.messages


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


# -- spec 3.2: the pipeline and its order --------------------------------------------------


def test_the_eight_message_example_comes_back_in_the_spec_order() -> None:
    messages = messages_for(
        eight_messages_payload(), schema=TIMESTAMP_SCHEMA, auto_ids=EIGHT_MESSAGES_AUTO_IDS
    )
    assert messages == EIGHT_MESSAGES


def test_every_bad_record_adds_its_own_message() -> None:
    payload = [{"foo-bar": 1}, {"ok": 1}, {"_updated_at": "x"}, {"list": [1]}]
    assert messages_for(payload) == [
        "foo-bar is not a valid key",
        "_updated_at is not a recognised internal field",
        "list has an invalid value",
    ]


def test_one_record_gets_at_most_one_validation_message() -> None:
    assert messages_for({"foo-bar": [], "_foo": {}}) in (
        ["foo-bar is not a valid key"],
        ["_foo is not a recognised internal field"],
    )


def test_a_single_object_is_one_record() -> None:
    records = prepare_records({"name": "t-rex"}, config())
    assert records == [{"name": "t-rex"}]


def test_an_empty_list_is_no_records() -> None:
    assert prepare_records([], config(schema=TIMESTAMP_SCHEMA)) == []


@pytest.mark.parametrize("payload", [5, "text", None, True, [1, 2], [{"a_b": 1}, "x"]])
def test_anything_but_objects_is_refused_as_a_request(payload: object) -> None:
    with pytest.raises(RequestInvalid) as raised:
        prepare_records(payload, config())
    assert raised.value.message == "Expected a JSON object or a list of JSON objects"


def test_the_posted_records_are_not_changed() -> None:
    posted = {"_timestamp": "2012-12-12T12:12:00Z"}
    prepare_records(posted, config(auto_ids=("_timestamp",)))
    assert posted == {"_timestamp": "2012-12-12T12:12:00Z"}


# -- spec 3.3: keys, reserved keys, values, ids ---------------------------------------------


@pytest.mark.parametrize(
    "key",
    ["name", "Name", "UPPER_case", "_timestamp", "_id", "snake_case_2", "__", "a1"],
)
def test_valid_keys(key: str) -> None:
    assert is_valid_key(key)


@pytest.mark.parametrize(
    "key",
    ["", " ", "a", "foo-bar", "son.of.thing", "son;of;thing", "son:of:thing", "1field", "x y"],
)
def test_invalid_keys(key: str) -> None:
    assert not is_valid_key(key)


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"": ""}, " is not a valid key"),
        ({"foo-bar": "x"}, "foo-bar is not a valid key"),
        ({"son.of.thing": "x"}, "son.of.thing is not a valid key"),
        ({"$where": "x"}, "$where is not a valid key"),
        ({"1field": "x"}, "1field is not a valid key"),
    ],
)
def test_invalid_key_message(record: dict[str, Any], message: str) -> None:
    assert messages_for(record) == [message]


@pytest.mark.parametrize(
    "key",
    [
        "_updated_at",
        "_hour_start_at",
        "_day_start_at",
        "_week_start_at",
        "_month_start_at",
        "_quarter_start_at",
        "_year_start_at",
        "_foo",
    ],
)
def test_internal_fields_other_than_the_reserved_ones_are_refused(key: str) -> None:
    assert messages_for({key: "2012-12-10T00:00:00Z"}) == [
        f"{key} is not a recognised internal field"
    ]


@pytest.mark.parametrize("value", [[], [1, 2], {}, {"a": 1}])
def test_lists_and_objects_are_invalid_values(value: object) -> None:
    assert messages_for({"thing": value}) == ["thing has an invalid value"]


@pytest.mark.parametrize("value", ["text", "", 1, -2, 1.5, True, False, None])
def test_scalars_are_valid_values(value: object) -> None:
    assert prepare_records({"thing": value}, config()) == [{"thing": value}]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("f o o", '_id "f o o" is not a valid id'),
        ("tab\there", '_id "tab\there" is not a valid id'),
        ("", '_id "" is not a valid id'),
        (5, '_id "5" is not a valid id'),
        (1.5, '_id "1.5" is not a valid id'),
        (True, '_id "True" is not a valid id'),
        (None, '_id "None" is not a valid id'),
    ],
)
def test_ids_must_be_non_empty_strings_without_whitespace(value: object, message: str) -> None:
    assert messages_for({"_id": value}) == [message]


def test_a_plain_string_id_is_kept() -> None:
    assert prepare_records({"_id": "west-lancashire-1063"}, config()) == [
        {"_id": "west-lancashire-1063"}
    ]


# -- spec 3.4: auto ids ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("record", "fields", "expected"),
    [
        ({"foo": "foo"}, ("foo",), "Zm9v"),
        ({"foo": "foo", "bar": "bar"}, ("foo", "bar"), "Zm9vLmJhcg=="),
        ({"foo": 1, "bar": "foo"}, ("foo", "bar"), "MS5mb28="),
        ({"foo": True, "bar": None}, ("foo", "bar"), base64.b64encode(b"True.None").decode()),
    ],
)
def test_auto_id_examples(record: dict[str, Any], fields: tuple[str, ...], expected: str) -> None:
    assert auto_id(record, fields) == expected
    assert prepare_records(record, config(auto_ids=fields))[0]["_id"] == expected


def test_auto_id_from_a_postcode_and_a_number() -> None:
    record = {"postcode": "WC2B 6SE", "number": 125}
    [stored] = prepare_records(record, config(auto_ids=("postcode", "number")))
    assert base64.b64decode(stored["_id"]) == b"WC2B 6SE.125"


def test_auto_id_uses_the_timestamp_as_the_client_sent_it() -> None:
    record = {"_timestamp": "2013-08-01T00:00:00+00:00", "foo": "bar"}
    [stored] = prepare_records(record, config(auto_ids=("_timestamp", "foo")))
    assert stored["_id"] == base64.b64encode(b"2013-08-01T00:00:00+00:00.bar").decode()
    assert stored["_timestamp"] == utc(2013, 8, 1)


def test_auto_id_is_utf8_standard_base64_with_padding() -> None:
    [stored] = prepare_records({"name": "città?>"}, config(auto_ids=("name",)))
    assert stored["_id"] == base64.b64encode("città?>".encode()).decode()
    assert stored["_id"].endswith("=")


def test_auto_id_overrides_the_client_id() -> None:
    [stored] = prepare_records({"_id": "mine", "foo": "foo"}, config(auto_ids=("foo",)))
    assert stored["_id"] == "Zm9v"


def test_missing_id_fields_give_one_message_for_the_request() -> None:
    payload = [{"name": "a"}, {"other": "b"}, {"nothing": "c"}]
    assert messages_for(payload, auto_ids=("number", "name")) == [
        "The following required id fields are missing: number"
    ]


def test_every_missing_id_field_of_the_first_offending_record_is_named() -> None:
    payload = [{"a_a": 1, "b_b": 2}, {"c_c": 3}]
    assert messages_for(payload, auto_ids=("a_a", "b_b", "d_d")) == [
        "The following required id fields are missing: d_d"
    ]
    assert messages_for([{"c_c": 3}], auto_ids=("a_a", "b_b")) == [
        "The following required id fields are missing: a_a, b_b"
    ]


def test_no_auto_ids_means_no_id_is_added() -> None:
    assert prepare_records({"foo": "foo"}, config(auto_ids=())) == [{"foo": "foo"}]


# -- spec 3.5: timestamps and derived period keys -------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2013-03-20T10:10:10+00:00", utc(2013, 3, 20, 10, 10, 10)),
        ("2013-04-01T12:10:00Z", utc(2013, 4, 1, 12, 10)),
        ("2013-02-25T15:09:56+0000", utc(2013, 2, 25, 15, 9, 56)),
        ("2012-12-12T00:00:00", utc(2012, 12, 12)),
        ("2013-03-20T10:10:10+01:00", utc(2013, 3, 20, 9, 10, 10)),
        ("2013-03-20T10:10:10-05:30", utc(2013, 3, 20, 15, 40, 10)),
    ],
)
def test_accepted_timestamp_formats_become_utc(text: str, expected: datetime) -> None:
    [stored] = prepare_records({"_timestamp": text}, config())
    assert stored["_timestamp"] == expected
    assert stored["_timestamp"].utcoffset().total_seconds() == 0


@pytest.mark.parametrize("key", ["_start_at", "_end_at"])
def test_start_and_end_are_parsed_too(key: str) -> None:
    [stored] = prepare_records({key: "2013-12-09T00:00:00+01:00"}, config())
    assert stored == {key: utc(2013, 12, 8, 23)}


@pytest.mark.parametrize("text", ["not a date", "2014-06-1xxx0:00:00+0000", "", "hello world"])
def test_unreadable_timestamp_gives_the_format_message(text: str) -> None:
    assert messages_for({"_timestamp": text}) == [
        f"the _timestamp {FORMAT}",
        "_timestamp is not a valid datetime object",
    ]


def test_impossible_dates_name_the_value() -> None:
    assert messages_for({"_timestamp": "31-11-12T00:00:00"}) == [
        "31-11-12T00:00:00 in the _timestamp field is not a valid date",
        "_timestamp is not a valid datetime object",
    ]


def test_the_thirtieth_of_february_is_not_a_valid_date() -> None:
    assert messages_for({"_timestamp": "2014-02-30T00:00:00Z"}) == [
        "2014-02-30T00:00:00Z in the _timestamp field is not a valid date",
        "_timestamp is not a valid datetime object",
    ]


@pytest.mark.parametrize("value", [5, 1.5, None, True])
def test_non_string_timestamps_get_the_format_message_first(value: object) -> None:
    assert messages_for({"_timestamp": value}) == [
        f"the _timestamp {FORMAT}",
        "_timestamp is not a valid datetime object",
    ]


def test_a_list_timestamp_is_also_an_invalid_value() -> None:
    assert messages_for({"_timestamp": []}) == [
        f"the _timestamp {FORMAT}",
        "_timestamp has an invalid value",
    ]


@pytest.mark.parametrize("key", ["_start_at", "_end_at"])
def test_start_and_end_messages_have_no_leading_article(key: str) -> None:
    assert messages_for({key: "not a date"}) == [
        f"{key} {FORMAT}",
        f"{key} is not a valid datetime object",
    ]
    assert messages_for({key: "2014-02-30T00:00:00Z"}) == [
        f"2014-02-30T00:00:00Z in the {key} field is not a valid date",
        f"{key} is not a valid datetime object",
    ]


def test_the_last_failing_time_field_of_a_record_wins() -> None:
    messages = messages_for({"_timestamp": "nope", "_end_at": "2014-02-30T00:00:00Z"})
    assert messages[0] == "2014-02-30T00:00:00Z in the _end_at field is not a valid date"
    assert len(messages) == 2


def test_prepared_timestamps_are_utc_and_period_keys_are_left_to_storage() -> None:
    """The derived `_<period>_start_at` keys are added by each storage engine (tests/storage)."""
    [stored] = prepare_records({"_timestamp": "2013-01-01T00:30:00+01:00"}, config())
    assert stored == {"_timestamp": utc(2012, 12, 31, 23, 30)}


def test_timestamp_bounds_ignore_records_without_timestamp() -> None:
    records = prepare_records(
        [
            {"_timestamp": "2014-01-03T00:00:00Z"},
            {"value": 1},
            {"_timestamp": "2014-01-01T00:00:00Z"},
        ],
        config(),
    )
    assert timestamp_bounds(records) == (utc(2014, 1, 1), utc(2014, 1, 3))
    assert timestamp_bounds([{"value": 1}]) is None
