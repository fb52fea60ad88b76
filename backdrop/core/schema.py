"""Per-data-set JSON-Schema validation of posted records (spec 3.9): Draft 4 with format checks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import isodate
from jsonschema import Draft4Validator, FormatChecker
from jsonschema.exceptions import SchemaError
from referencing.exceptions import Unresolvable

from backdrop.core.errors import RequestInvalid

# The original checked `date-time` with isodate, which accepts `+0000` offsets that RFC 3339
# refuses; clients (licensing, collectors) send those, so we check the same way.
_FORMATS = FormatChecker(formats=())


@_FORMATS.checks("date-time", raises=(ValueError, isodate.ISO8601Error))
def _is_datetime(instance: object) -> bool:
    if not isinstance(instance, str):
        return True
    isodate.parse_datetime(instance)
    return True


def schema_messages(schema: Mapping[str, Any], records: Sequence[object]) -> list[str]:
    """The message of every error of every record, records in order (spec 3.2 step 1)."""
    return [message for messages in messages_by_record(schema, records) for message in messages]


def messages_by_record(schema: Mapping[str, Any], records: Sequence[object]) -> list[list[str]]:
    """Each record's error messages, in order: one validator for them all (building one costs
    far more than validating a record)."""
    try:
        Draft4Validator.check_schema(schema)  # a broken schema is named, not a TypeError (500)
        validator = Draft4Validator(schema, format_checker=_FORMATS)
        return [[error.message for error in validator.iter_errors(record)] for record in records]
    except (SchemaError, Unresolvable) as exc:
        raise RequestInvalid(f"The data set's schema cannot be used: {exc}") from exc
