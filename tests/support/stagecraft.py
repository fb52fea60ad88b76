"""A small Stagecraft stand-in served over HTTP (spec 4.2 endpoints), for tests.

Tests put configs (and transforms, dashboards) in it and read back the requests it received.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, Response, jsonify, request


@dataclass
class StagecraftState:
    """What the stand-in serves, and what it was asked."""

    data_sets: dict[str, dict[str, Any]] = field(default_factory=dict)
    transforms: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    dashboards: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    service_dashboards: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    failures: list[int] = field(default_factory=list)  # statuses to answer next, in order
    # statuses to answer next for one path only, in order
    path_failures: dict[str, list[int]] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def put(self, config: Mapping[str, Any]) -> None:
        with self.lock:
            self.data_sets[config["name"]] = dict(config)

    def remove(self, name: str) -> None:
        with self.lock:
            self.data_sets.pop(name, None)

    def reset(self) -> None:
        with self.lock:
            self.data_sets.clear()
            self.transforms.clear()
            self.dashboards.clear()
            self.service_dashboards.clear()
            self.failures.clear()
            self.path_failures.clear()
            self.requests.clear()


def stagecraft_app(state: StagecraftState) -> Flask:
    """The stand-in's Flask app over `state`."""
    app = Flask("stagecraft_stub")

    @app.before_request
    def _record() -> Response | None:
        with state.lock:
            state.requests.append(
                {
                    "method": request.method,
                    "path": request.path,
                    "args": request.args.to_dict(flat=False),
                    "headers": dict(request.headers),
                }
            )
            failure = state.failures.pop(0) if state.failures else None
            for_path = state.path_failures.get(request.path)
            if failure is None and for_path:
                failure = for_path.pop(0)
        if failure is not None:
            return Response("failing on purpose", status=failure)
        return None

    @app.get("/data-sets")
    def list_data_sets() -> Response:
        unknown = set(request.args) - {"data-group", "data-type"}
        if unknown:
            return Response("unknown filter", status=400)
        found = [
            config
            for config in state.data_sets.values()
            if all(
                config.get(key.replace("-", "_")) == value for key, value in request.args.items()
            )
        ]
        return jsonify(found)

    @app.get("/data-sets/<name>")
    def get_data_set(name: str) -> Response:
        config = state.data_sets.get(name)
        return jsonify(config) if config else Response("not found", status=404)

    @app.post("/data-sets")
    def create_data_set() -> Response:
        body = request.get_json()
        name = f"{body['data_group']}_{body['data_type']}".replace("-", "_")
        config = {"name": name, "raw_queries_allowed": True, "capped_size": None, **body}
        state.put(config)
        return jsonify(config)

    @app.get("/data-sets/<name>/transform")
    def transforms(name: str) -> Response:
        return jsonify(state.transforms.get(name, []))

    @app.get("/data-sets/<name>/dashboard")
    def dashboards(name: str) -> Response:
        return jsonify(state.dashboards.get(name, []))

    @app.get("/transactions-explorer-service/<service_id>/dashboard")
    def service_dashboards(service_id: str) -> Response:
        return jsonify(state.service_dashboards.get(service_id, []))

    return app


RegisterDataSet = Callable[..., dict[str, Any]]
"""The `register_data_set` fixture: `(name, **overrides)` -> the config it registered."""


def stagecraft_config(name: str, **overrides: Any) -> dict[str, Any]:
    """The feature harness's default config (spec 9.1), with overrides."""
    config: dict[str, Any] = {
        "name": name,
        "data_group": name,
        "data_type": name,
        "raw_queries_allowed": False,
        "bearer_token": f"{name}-bearer-token",
        "upload_format": "csv",
        "upload_filters": ["backdrop.core.upload.filters.first_sheet_filter"],
        "auto_ids": None,
        "queryable": True,
        "realtime": False,
        "capped_size": 5040,
        "max_age_expected": 2678400,
        "published": True,
        "schema": TIMESTAMP_SCHEMA,
    }
    config.update(overrides)
    return config


TIMESTAMP_SCHEMA: dict[str, Any] = {
    "description": "Schema for tests",
    "definitions": {
        "_timestamp": {
            "$schema": "http://json-schema.org/schema#",
            "title": "Timestamps",
            "type": "object",
            "required": ["_timestamp"],
            "properties": {
                "_timestamp": {
                    "type": "string",
                    "format": "date-time",
                    "description": "An ISO8601 formatted date time",
                }
            },
        }
    },
    "allOf": [{"$ref": "#/definitions/_timestamp"}],
}
