"""The read app's status routes: liveness (`/_status`, shared with the write app) and
staleness (`/_status/data-sets`), spec 1.1."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Blueprint, Response

from backdrop.core.timeutils import isoformat
from backdrop.web import status
from backdrop.web.context import services
from backdrop.web.rendering import json_response


def status_blueprint(headers: Mapping[str, str]) -> Blueprint:
    """`/_status` and `/_status/data-sets`, both answered with `headers`."""
    bp = status.status_blueprint(headers)

    @bp.get("/_status/data-sets")
    def data_sets_status() -> Response:
        svc = services()
        stale = svc.reads.stale(svc.configs.all())
        if not stale:
            fresh = {"status": "ok", "data_sets": None, "message": "All data_sets are in date"}
            return json_response(fresh, headers=headers)
        count = len(stale)
        message = (
            "1 data-set is out of date" if count == 1 else f"{count} data-sets are out of date"
        )
        body: dict[str, object] = {
            "status": "not okay",
            "message": message,
            "data_sets": [
                {
                    "name": item.name,
                    "seconds-out-of-date": item.seconds_out_of_date,
                    "last-updated": isoformat(item.last_updated),
                    "max-age-expected": item.max_age_expected,
                }
                for item in stale
            ],
        }
        return json_response(body, headers=headers)

    return bp
