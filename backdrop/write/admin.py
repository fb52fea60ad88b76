"""`DELETE /data-sets/<name>`: drop a whole data set, called by Stagecraft (spec 1.2)."""

from __future__ import annotations

from flask import Blueprint, Response, g

from backdrop.web.context import services
from backdrop.write.audit import audit
from backdrop.write.auth import require_admin_token
from backdrop.write.records import ok

bp = Blueprint("admin", __name__)


@bp.delete("/data-sets/<name>")
def drop_data_set(name: str) -> Response:
    g.data_set = name
    require_admin_token(name)
    services().data_sets.drop(name)
    audit("Data delete action", name)
    return ok(message=f"Deleted {name}")
