"""`POST /data/<group>/<type>/transform`: re-run a data set's transforms (spec 1.2)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from flask import Blueprint, Response, request

from backdrop.core.data_sets import new_dispatch
from backdrop.core.errors import RequestInvalid
from backdrop.core.timeutils import ImpossibleDate, NotADate, now, parse_lenient
from backdrop.write.auth import routed_config
from backdrop.write.body import json_body
from backdrop.write.records import ok
from backdrop.write.triggers import deliver

bp = Blueprint("transforms", __name__)

MISSING_START = "You must specify a _start_at timestamp"


@bp.post("/data/<data_group>/<data_type>/transform")
def run_transforms(data_group: str, data_type: str) -> Response:
    """Queue the transforms over `_start_at`..`_end_at` (default: now, whole seconds, UTC)."""
    config = routed_config(data_group, data_type)
    payload = json_body(request)  # not JSON: spec 1.2 recommendation, a 400 rather than a 500
    if not isinstance(payload, dict) or "_start_at" not in payload:
        raise RequestInvalid(MISSING_START)
    start = _moment(payload, "_start_at")
    end = _moment(payload, "_end_at") if "_end_at" in payload else now().replace(microsecond=0)
    deliver(new_dispatch(config.name, start, end), stored=False)
    return ok()


def _moment(payload: Mapping[str, object], key: str) -> datetime:
    """A lenient (dateutil) datetime, as UTC; 400 when unreadable (spec: never 500)."""
    try:
        return parse_lenient(payload[key])
    except (NotADate, ImpossibleDate) as exc:
        raise RequestInvalid(f"{key} is not a valid datetime") from exc
