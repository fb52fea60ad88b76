"""`GET /_status/ready` on both apps: can this process serve requests now?

`/_status` stays the spec's liveness answer ("app is up", never touching a dependency); this one
asks the database and the config source, each within the database timeout (the storage engines'
circuit breakers answer at once while a dependency is known to be down), and says what is down.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response

from backdrop.core.errors import ConfigUnavailable, StorageError
from backdrop.web.context import services
from backdrop.web.rendering import json_response

bp = Blueprint("readiness", __name__)

HEADERS = {"Cache-Control": "no-cache"}


def _outcome(check: Callable[[], None]) -> str:
    try:
        check()
    except StorageError as exc:
        services().metrics.database_error(exc)
        return "unavailable"
    except ConfigUnavailable:
        return "unavailable"
    return "ok"


@bp.get("/_status/ready")
def ready() -> Response:
    svc = services()
    checks = {"database": _outcome(svc.storage.ping), "config": _outcome(svc.configs.ping)}
    down = [name for name, outcome in checks.items() if outcome != "ok"]
    if down:
        body = {
            "status": "error",
            "message": f"not ready: {', '.join(down)} unavailable",
            "checks": checks,
        }
        return json_response(body, 503, {**HEADERS, "Retry-After": "1"})
    return json_response({"status": "ok", "message": "ready", "checks": checks}, headers=HEADERS)
