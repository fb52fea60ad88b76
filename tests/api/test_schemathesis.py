"""Both live apps fuzzed against their own OpenAPI documents with schemathesis (issue 10):
for every operation, generated requests (bounded, derandomized, so every run tries the same
ones) never get a 5xx, and every answer's status, content type, headers and body are what the
document says. A data set is registered so that some requests reach real data."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Err
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.support.examples import scaled
from tests.support.http_data_set import HttpDataSet
from tests.support.stagecraft import StagecraftState

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
FUZZ = settings(
    max_examples=scaled(15),
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(scope="module")
def known(new_data_set: Callable[..., HttpDataSet]) -> HttpDataSet:
    """A data set at /data/fuzz/known with a few records, so queries also reach data."""
    return new_data_set(
        name="fuzz_known",
        data_group="fuzz",
        data_type="known",
        raw_queries_allowed=True,
        records=[
            {"_timestamp": f"2014-01-0{day}T00:00:00Z", "channel": f"c{day % 2}", "count": day}
            for day in range(1, 8)
        ],
    )


def fuzz(base_url: str, http: requests.Session) -> list[str]:
    """Every operation of the app's document, fuzzed; the operations that failed, with why."""
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    failures = []
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            failures.append(f"an operation schemathesis cannot read: {result.err()}")
            continue
        operation = result.ok()

        @given(case=operation.as_strategy())
        @FUZZ
        def check(case: Any) -> None:
            case.call_and_validate(base_url=base_url, session=http, checks=CHECKS)

        try:
            check()
        except (AssertionError, ExceptionGroup) as exc:  # how schemathesis reports failures
            failures.append(f"{operation.label}: {exc}")
    return failures


def test_read_app_conforms(read_url: str, http: requests.Session, known: HttpDataSet) -> None:
    assert fuzz(read_url, http) == []


def test_write_app_conforms(
    write_url: str, http: requests.Session, known: HttpDataSet, stagecraft: StagecraftState
) -> None:
    assert fuzz(write_url, http) == []
