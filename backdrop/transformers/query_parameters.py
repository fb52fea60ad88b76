"""The read a transform makes of its source data set (spec 6.4 `get_query_parameters`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from backdrop.core.errors import TransformInvalid
from backdrop.core.periods import Period
from backdrop.core.timeutils import isoformat


def query_parameters(
    transform: Mapping[str, Any], earliest: datetime, latest: datetime, now: datetime
) -> dict[str, Any]:
    """The transform's `query-parameters` with `flatten=true` and a range over
    [earliest, latest]: whole periods when it names one, never the incomplete current one.

    Datetimes are UTC `isoformat()` (`2014-12-10T00:00:00+00:00`).
    """
    parameters = dict(transform.get("query-parameters") or {})
    parameters["flatten"] = "true"
    period_name = parameters.get("period")
    if earliest == latest:
        if period_name is not None:
            parameters.update(duration=1, start_at=isoformat(latest))
        else:
            parameters.update(inclusive="true", start_at=isoformat(earliest))
            parameters["end_at"] = isoformat(latest)
        return parameters
    if period_name is not None:
        period = Period.named(str(period_name))
        if period is None:
            raise TransformInvalid(f'The transform names an unknown period "{period_name}"')
        start, end = period.start(earliest), period.end(latest)
        if end > now:
            end = period.start(latest)
    else:
        start, end = earliest, latest
    parameters.update(inclusive="true", start_at=isoformat(start), end_at=isoformat(end))
    return parameters


def as_query_args(parameters: Mapping[str, Any]) -> dict[str, list[str]]:
    """Parameters as a query string would carry them: lists become repeated keys, and values
    are the text an HTTP client would send (`str()`, so `1` is `"1"`)."""
    return {
        name: [str(item) for item in value] if isinstance(value, list | tuple) else [str(value)]
        for name, value in parameters.items()
    }
