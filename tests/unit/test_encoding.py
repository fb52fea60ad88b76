"""The one JSON encoding of answers (spec 1.3), as bytes and as the values a client decodes."""

from __future__ import annotations

from datetime import UTC, datetime

from bson import ObjectId

from backdrop.core.encoding import as_json, dumps

BIG = 2**70  # beyond orjson's 64 bits: json writes it, exactly


def test_bytes_are_compact_with_sorted_keys_and_utc_datetimes() -> None:
    value = {"b": datetime(2014, 1, 6, tzinfo=UTC), "a": [1, 2.5, None]}
    assert dumps(value) == b'{"a":[1,2.5,null],"b":"2014-01-06T00:00:00+00:00"}'


def test_integers_beyond_64_bits_are_written_and_read_back_exactly() -> None:
    assert dumps({"n": BIG, "m": -BIG}) == f'{{"m":{-BIG},"n":{BIG}}}'.encode()
    assert as_json([{"n": BIG}]) == [{"n": BIG}]
    assert isinstance(as_json([{"n": BIG}])[0]["n"], int)


def test_values_are_what_a_client_decoding_the_body_sees() -> None:
    oid = ObjectId("5f0c8f1e2a3b4c5d6e7f8091")
    moment = datetime(2014, 1, 6, 12, tzinfo=UTC)
    assert as_json({"_id": oid, "_timestamp": moment, "count": 3}) == {
        "_id": "5f0c8f1e2a3b4c5d6e7f8091",
        "_timestamp": "2014-01-06T12:00:00+00:00",
        "count": 3,
    }
