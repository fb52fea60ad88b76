"""`POST /data/<group>/<type>/transform`: re-run a data set's transforms (spec 1.2)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from flask import Blueprint, Response, request

from backdrop.core.data_sets import new_dispatch
from backdrop.core.errors import RequestInvalid
from backdrop.core.timeutils import ImpossibleDate, NotADate, now, parse_lenient
from backdrop.web.context import services
from backdrop.write.auth import authorized_config
from backdrop.write.body import NOT_JSON, read_body
from backdrop.write.records import NOT_JSON_MESSAGE, ok
from backdrop.write.triggers import deliver

bp = Blueprint("transforms", __name__)

MISSING_START = "You must specify a _start_at timestamp"


@bp.post("/data/<data_group>/<data_type>/transform")
def run_transforms(data_group: str, data_type: str) -> Response:
    """Queue the transforms over `_start_at`..`_end_at` (default: now, whole seconds, UTC)."""
    config = authorized_config(services().configs.by_group_and_type(data_group, data_type))
    payload = read_body(request)
    if payload is NOT_JSON:
        raise RequestInvalid(NOT_JSON_MESSAGE)  # spec 1.2 recommendation: 400, not 500
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
