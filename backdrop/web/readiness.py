"""`GET /_status/ready` on both apps: can this process serve requests now?

`/_status` stays the spec's liveness answer ("app is up", never touching a dependency); this one
asks the database and the config source, each within the database timeout (the storage engines'
circuit breakers answer at once while a dependency is known to be down), and says what is down.

An app may add checks that do (`add_check`): the read app with DATABASE_READ_URL asks the
replica its queries go to. It may add information that does not decide readiness
(`add_information`): the write app
reports its broker (last publish outcome, counts, dispatches waiting in the outbox). A broker
that is down never makes the app unready, because writes still work: their transforms wait in
the outbox and run once the broker answers again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import Blueprint, Flask, Response, current_app

from backdrop.core.errors import ConfigUnavailable, StorageError
from backdrop.web.context import services
from backdrop.web.rendering import json_response

bp = Blueprint("readiness", __name__)

HEADERS = {"Cache-Control": "no-cache"}
INFORMATION = "backdrop_readiness_information"
CHECKS = "backdrop_readiness_checks"

Information = Callable[[], Mapping[str, Any]]


def add_check(app: Flask, name: str, check: Callable[[], None]) -> None:
    """Ask `check()` too in every readiness answer (a StorageError or ConfigUnavailable from it
    makes the app unready, reported under `name`)."""
    app.extensions.setdefault(CHECKS, {})[name] = check


def add_information(app: Flask, name: str, probe: Information) -> None:
    """Report `probe()` under `name` in every readiness answer, without it deciding readiness."""
    app.extensions.setdefault(INFORMATION, {})[name] = probe


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
    for name, check in current_app.extensions.get(CHECKS, {}).items():
        checks[name] = _outcome(check)
    down = [name for name, outcome in checks.items() if outcome != "ok"]
    information = current_app.extensions.get(INFORMATION, {})
    extra = {name: dict(probe()) for name, probe in information.items()}
    if down:
        body = {
            "status": "error",
            "message": f"not ready: {', '.join(down)} unavailable",
            "checks": checks,
            **extra,
        }
        return json_response(body, 503, {**HEADERS, "Retry-After": "1"})
    body = {"status": "ok", "message": "ready", "checks": checks, **extra}
    return json_response(body, headers=HEADERS)
