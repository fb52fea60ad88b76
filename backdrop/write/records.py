"""The record routes: POST, PUT `[]`, PATCH, DELETE under `/data/<group>/<type>`, and the
deprecated `POST /<data_set_name>` (spec 1.2)."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, request

from backdrop.core.data_set_config import DataSetConfig
from backdrop.core.data_sets import Appended
from backdrop.web.context import services
from backdrop.web.rendering import json_response
from backdrop.write.audit import audit
from backdrop.write.auth import named_config, routed_config
from backdrop.write.body import json_body
from backdrop.write.triggers import deliver

logger = logging.getLogger(__name__)

bp = Blueprint("records", __name__)

NO_CACHE = {"Cache-Control": "no-cache"}
DEPRECATION = (
    "Deprecation Warning: accessing by data-set name is deprecated, "
    "Please use the /data-group/data-type form"
)


def ok(**fields: object) -> Response:
    return json_response({"status": "ok", **fields}, headers=NO_CACHE)


def _append(config: DataSetConfig, *, transforms: bool) -> Appended:
    """Store the posted records (and, with `transforms`, their dispatch in the outbox)."""
    payload = json_body(request, records=True)
    appended = services().data_sets.append(config, payload, transforms=transforms)
    audit("Data append action", config.name, datapoints=len(appended.records))
    return appended


@bp.post("/data/<data_group>/<data_type>")
def post_records(data_group: str, data_type: str) -> Response:
    """Append records, then queue the data set's transforms over their range (spec 6.1)."""
    config = routed_config(data_group, data_type)
    deliver(_append(config, transforms=True).dispatch, stored=True)
    return ok()


@bp.put("/data/<data_group>/<data_type>")
def empty_data_set(data_group: str, data_type: str) -> Response:
    config = routed_config(data_group, data_type)
    payload = json_body(request)
    services().data_sets.empty(config, payload)
    audit("Data delete action", config.name)
    return ok(message=f"{config.name} now contains 0 records")


@bp.patch("/data/<data_group>/<data_type>/<record_id>")
def patch_record(data_group: str, data_type: str, record_id: str) -> Response:
    config = routed_config(data_group, data_type)
    payload = json_body(request)
    services().data_sets.patch(config, record_id, payload)
    audit("Data patch action", config.name, record_id=record_id)
    return ok()


@bp.delete("/data/<data_group>/<data_type>/<record_id>")
def delete_record(data_group: str, data_type: str, record_id: str) -> Response:
    config = routed_config(data_group, data_type)
    services().data_sets.delete_record(config, record_id)
    audit("Data delete action", config.name, record_id=record_id)
    return ok()


@bp.post("/<data_set:name>")
def post_by_name(name: str) -> Response:
    """Deprecated: writes like POST /data/<g>/<t> but triggers no transforms."""
    config = named_config(name)
    logger.warning("deprecated write by name", extra={"data_set": config.name})
    _append(config, transforms=False)
    return ok(message=DEPRECATION)
