"""Steps of the write-API features: raw and gzipped bodies, headers, the admin drop, and checks
of what storage holds afterwards (through the Storage interface, on the real database)."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from behave import given, then, when

from backdrop.core.query import Query
from features.steps.common_steps import actual_name
from tests.support.fixture_files import FIXTURES, fixture_text
from tests.support.tokens import ADMIN_TOKEN

# Fixtures made when a scenario asks for them rather than kept in the repository.
GENERATED: Mapping[str, Callable[[], bytes]] = {
    # 11 MiB of zeros: about 11 kB compressed, past the 10 MiB inflation cap (spec 3.8).
    "gzip-bomb.gz": lambda: gzip.compress(b"\0" * (11 * 1024 * 1024)),
}


def fixture_bytes(name: str) -> bytes:
    path = FIXTURES / name
    return path.read_bytes() if path.exists() else GENERATED[name]()


def _token_header(context: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {context.data_set['bearer_token']}"}


def _send(context: Any, method: str, path: str, body: bytes, headers: Mapping[str, str]) -> None:
    context.response = context.http.request(
        method, context.write_url + path, data=body, headers=dict(headers)
    )


def _stored(context: Any, alias: str) -> list[dict[str, Any]]:
    return list(context.storage.find(actual_name(context, alias), Query()))


# -- given ------------------------------------------------------------------------------------


@given('the data set "{alias}" holds a record written just now')
def record_written_now(context: Any, alias: str) -> None:
    """Straight into storage, as the original harness did: no `_timestamp`, so the status page
    falls back to the write time (spec 1.1)."""
    name = actual_name(context, alias)
    context.storage.create_data_set(name, None)
    context.storage.save(name, [{"value": 1}])


# -- when -------------------------------------------------------------------------------------


@when('I {method:w} the body "{body}" to "{path}" with the data set\'s token')
def send_body(context: Any, method: str, body: str, path: str) -> None:
    headers = {**_token_header(context), "Content-Type": "application/json"}
    _send(context, method, path, body.encode("utf-8"), headers)


@when('I POST an empty body to "{path}" with the data set\'s token')
def send_empty(context: Any, path: str) -> None:
    headers = {**_token_header(context), "Content-Type": "application/json"}
    _send(context, "POST", path, b"", headers)


@when('I POST the body "{body}" to "{path}" with the header "{header}" set to "{value}"')
def send_with_header(context: Any, body: str, path: str, header: str, value: str) -> None:
    headers = {header: value, "Content-Type": "application/json"}
    _send(context, "POST", path, body.encode("utf-8"), headers)


@when('I POST "{fixture}" gzipped to "{path}" with the data set\'s token')
def send_gzipped(context: Any, fixture: str, path: str) -> None:
    """Compressed here, as performanceplatform-client does for bodies over 2048 characters."""
    text = fixture_text(fixture).encode("utf-8")
    assert len(text) > 2048, "the client only gzips bodies over 2048 characters"
    headers = {
        **_token_header(context),
        "Content-Type": "application/json",
        "Content-Encoding": "gzip",
    }
    _send(context, "POST", path, gzip.compress(text), headers)


@when('I POST the gzip file "{fixture}" as it is to "{path}" with the data set\'s token')
def send_gzip_file(context: Any, fixture: str, path: str) -> None:
    headers = {
        **_token_header(context),
        "Content-Type": "application/json",
        "Content-Encoding": "gzip",
    }
    _send(context, "POST", path, fixture_bytes(fixture), headers)


@when('I {method:w} "{path}" on the write app')
def send_plain(context: Any, method: str, path: str) -> None:
    body = b"[]" if method in ("POST", "PUT") else b""
    _send(context, method, path, body, {"Content-Type": "application/json"})


@when('I DELETE the data set "{alias}" with the admin token')
def drop_data_set(context: Any, alias: str) -> None:
    path = f"/data-sets/{actual_name(context, alias)}"
    _send(context, "DELETE", path, b"", {"Authorization": f"Bearer {ADMIN_TOKEN}"})


# -- then: what storage holds -----------------------------------------------------------------


@then('the data set "{alias}" holds {count:d} records')
@then('the data set "{alias}" holds {count:d} record')
def record_count(context: Any, alias: str, count: int) -> None:
    records = _stored(context, alias)
    assert len(records) == count, records


@then('the data set "{alias}" holds {count:d} records with "{field}" "{value}"')
@then('the data set "{alias}" holds {count:d} record with "{field}" "{value}"')
def records_with_value(context: Any, alias: str, count: int, field: str, value: str) -> None:
    expected = json.loads(value) if value in ("true", "false", "null") else value
    matching = [record for record in _stored(context, alias) if record.get(field) == expected]
    assert len(matching) == count, _stored(context, alias)


@then('the data set "{alias}" holds {count:d} records in the {period:w} starting "{day}"')
@then('the data set "{alias}" holds {count:d} record in the {period:w} starting "{day}"')
def records_in_period(context: Any, alias: str, count: int, period: str, day: str) -> None:
    """Counted by the derived `_<period>_start_at` key the write pipeline added (spec 3.5)."""
    start = datetime.fromisoformat(day).replace(tzinfo=UTC)
    records = _stored(context, alias)
    matching = [record for record in records if record.get(f"_{period}_start_at") == start]
    assert len(matching) == count, [record.get(f"_{period}_start_at") for record in records]


@then('the data set "{alias}" exists')
def data_set_exists(context: Any, alias: str) -> None:
    assert context.storage.data_set_exists(actual_name(context, alias))


@then('the data set "{alias}" does not exist')
def data_set_absent(context: Any, alias: str) -> None:
    assert not context.storage.data_set_exists(actual_name(context, alias))


@then('every record of "{alias}" has its "{field}" as a UTC date')
def field_is_a_date(context: Any, alias: str, field: str) -> None:
    for record in _stored(context, alias):
        value = record[field]
        assert isinstance(value, datetime), record
        assert value.utcoffset() is not None and not value.utcoffset(), record
