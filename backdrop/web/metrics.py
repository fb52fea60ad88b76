"""Metrics of an HTTP app: every request counted and timed by route template, and
`GET /metrics` in Prometheus's text format (every gunicorn worker's counts, added up)."""

from __future__ import annotations

import time
from collections.abc import Sequence

from flask import Blueprint, Flask, Response, g, request
from prometheus_client.registry import Collector

from backdrop.core.metrics import Metrics
from backdrop.web.context import services

UNMATCHED = "unmatched"  # the route label of a request no route matched (404, 405)


def init_metrics(app: Flask, metrics: Metrics, extra: Sequence[Collector] = ()) -> None:
    """Time every request and serve `/metrics`; `extra` collectors are asked at each scrape."""

    @app.before_request
    def _start() -> None:
        g.metrics_started = time.perf_counter()

    @app.after_request
    def _observe(response: Response) -> Response:
        rule = request.url_rule
        metrics.request(
            rule.rule if rule is not None else UNMATCHED,
            request.method,
            response.status_code,
            time.perf_counter() - g.get("metrics_started", time.perf_counter()),
            request.endpoint,
        )
        return response

    bp = Blueprint("metrics", __name__)

    @bp.get("/metrics")
    def scrape() -> Response:
        body, content_type = services().metrics.exposition(*extra)
        return Response(body, content_type=content_type, headers={"Cache-Control": "no-cache"})

    app.register_blueprint(bp)
