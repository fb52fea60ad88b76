"""What a transform may consult besides its input rows: dashboards and the output data set.

Transforms receive a `Lookups` explicitly, so they stay plain functions: the worker passes one
backed by Stagecraft (or the built-in registry) and storage; tests pass plain lists.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

from backdrop.core.timeutils import isoformat

JsonObject = Mapping[str, Any]


class Lookups(Protocol):
    """Read-only questions a transform may ask while it computes."""

    def dashboards(self, data_set_name: str) -> list[JsonObject]:
        """The dashboards showing a data set (Stagecraft `GET /data-sets/<name>/dashboard`)."""
        ...

    def service_dashboards(self, service_id: str) -> list[JsonObject]:
        """The dashboards of a Transactions Explorer service
        (Stagecraft `GET /transactions-explorer-service/<id>/dashboard`)."""
        ...

    def first_row(
        self, data_group: str, data_type: str, parameters: Mapping[str, str]
    ) -> JsonObject | None:
        """The first row a read of that data set with these query parameters returns, or None
        when the data set does not exist or returns nothing."""
        ...


def latest_check_parameters(
    transform: JsonObject, datum: JsonObject, now: datetime, extra: Mapping[str, str]
) -> dict[str, str]:
    """The read of the "is latest" check (spec 6.5): newest first, over the transform's last
    period when `transform["query_parameters"]` (underscore key) names one, else from the
    datum's `_timestamp` until now (whole seconds)."""
    parameters = {"sort_by": "_timestamp:descending"}
    period = (transform.get("query_parameters") or {}).get("period")
    if period:
        parameters.update(duration="1", period=str(period))
    else:
        parameters.update(
            start_at=str(datum["_timestamp"]), end_at=isoformat(now.replace(microsecond=0))
        )
    return {**parameters, **extra}


def is_latest(
    lookups: Lookups,
    output: tuple[str, str],
    transform: JsonObject,
    datum: JsonObject,
    now: datetime,
    extra: Mapping[str, str],
) -> bool:
    """False when the output data set already holds a newer `_timestamp` than the datum's
    (compared as strings, as the original did)."""
    row = lookups.first_row(*output, latest_check_parameters(transform, datum, now, extra))
    newest = row.get("_timestamp") if row else None
    return not (isinstance(newest, str) and newest > str(datum["_timestamp"]))
