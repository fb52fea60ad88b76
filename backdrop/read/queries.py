"""The query routes: `/data/<group>/<type>` and the legacy `/<data_set_name>` (spec 1.1)."""

from __future__ import annotations

import functools
import hashlib
from typing import Any

from flask import Blueprint, Response, current_app, g, request

from backdrop.core.answers import answer
from backdrop.core.data_set_config import DataSetConfig
from backdrop.core.errors import DataSetNotFound, quoted
from backdrop.core.query import Query
from backdrop.core.query_parser import parse_query
from backdrop.read.csv_output import to_csv
from backdrop.web.context import services
from backdrop.web.rendering import dumps

bp = Blueprint("queries", __name__)

CORS = {"Access-Control-Allow-Origin": "*"}
PREFLIGHT = {
    **CORS,
    "Access-Control-Max-Age": "86400",
    "Access-Control-Allow-Headers": "cache-control, govuk-request-id, request-id",
}
UNPUBLISHED_WARNING = (
    "Warning: This data-set is unpublished. Data may be subject to change or be inaccurate."
)


@bp.route("/data/<data_group>/<data_type>", methods=["GET", "OPTIONS"])
def by_group_and_type(data_group: str, data_type: str) -> Response:
    wanted = f"data group {quoted(data_group)} and data type {quoted(data_type)}"
    return _fetch(services().configs.by_group_and_type(data_group, data_type), wanted)


@bp.route("/<data_set:data_set_name>", methods=["GET", "OPTIONS"])
def by_name(data_set_name: str) -> Response:
    return _fetch(services().configs.by_name(data_set_name), f"the name {quoted(data_set_name)}")


def _fetch(config: DataSetConfig | None, wanted: str) -> Response:
    """spec 1.1 fetch: resolve, preflight or query, render with cache headers."""
    if config is None or not config.queryable:
        raise DataSetNotFound(detail=f"No queryable data set is registered under {wanted}")
    g.data_set = config.name
    if request.method == "OPTIONS":  # spec 1.1 step 3: the default answer plus CORS
        response = current_app.make_default_options_response()
        response.headers.update(PREFLIGHT)
        return response
    query = parse_query(
        request.args.to_dict(flat=False),
        raw_queries_allowed=config.raw_queries_allowed,
        data_set=config.name,
    )
    if not config.published:
        body = _body(config, query, "unpublished")
        return _response(body, "application/json", "no-cache")
    cache_control = f"max-age={120 if config.realtime else 1800}, must-revalidate"
    if _wants_csv():
        response = _response(_body(config, query, "csv"), "text/csv", cache_control)
        response.headers["Content-Disposition"] = "attachment; filename=export.csv"
        return response
    return _response(_body(config, query, "json"), "application/json", cache_control)


def _wants_csv() -> bool:
    """`format=csv` (spec 2.8); without a `format` parameter, an `Accept` header that prefers
    text/csv to JSON (`Accept: text/csv`) asks for the same."""
    if "format" in request.args:
        return request.args.get("format") == "csv"
    offered = ["application/json", "text/csv"]
    return request.accept_mimetypes.best_match(offered) == "text/csv"


def _body(config: DataSetConfig, query: Query, form: str) -> bytes:
    """The rendered answer, from the response cache unless the data set changed since (its data
    version moved on) or the client asked to bypass caches (`Cache-Control: no-cache`)."""
    svc = services()
    bypass = request.cache_control.no_cache or request.cache_control.no_store
    render = functools.partial(_render, form=form)
    return answer(svc.reads, svc.responses, config, query, form=form, render=render, fresh=bypass)


def _render(data: list[Any], form: str) -> bytes:
    if form == "unpublished":
        return dumps({"data": data, "warning": UNPUBLISHED_WARNING})
    if form == "csv":
        return to_csv(data).encode("utf-8")
    return dumps({"data": data})


def _response(body: bytes, mimetype: str, cache_control: str) -> Response:
    """An answer; `Vary: Accept` because the same URL answers CSV to `Accept: text/csv`."""
    headers = {**CORS, "Cache-Control": cache_control, "Vary": "Accept"}
    return Response(body, mimetype=mimetype, headers=headers)


@bp.after_request
def _conditional(response: Response) -> Response:
    """A strong ETag (SHA-1 of the body) on every answer, errors included, and 304 for a
    matching `If-None-Match` (spec 1.1), on both routes: the original had them on the legacy
    `/<data_set_name>` route only; conditional GETs on `/data/…` are an allowed extension."""
    if request.method not in ("GET", "HEAD") or response.status_code not in (200, 400, 404):
        return response
    response.set_etag(hashlib.sha1(response.get_data()).hexdigest())
    if request.if_none_match.contains(response.get_etag()[0] or ""):
        response.status_code = 304
        response.set_data(b"")
        response.headers.pop("Content-Type", None)
    return response
