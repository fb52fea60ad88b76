"""What both apps' OpenAPI 3.1 documents share: error bodies, the operational routes (`/`,
`/_status`, `/_status/ready`, `/metrics`, the docs), and small builders.

The documents are data written here, next to the routes they describe; the tests validate them
with openapi-spec-validator, check that every route of each app's URL map is in its document,
and fuzz both live apps against them with schemathesis.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from backdrop import __version__
from backdrop.web.reserved import RESERVED_PATHS

Json = dict[str, Any]
STRING: Json = {"type": "string"}

ERROR = {
    "type": "object",
    "description": "An error: `message` is the text the reference specification pins "
    "(clients match it), `detail` says what exactly was wrong and how to fix it.",
    "required": ["status", "message"],
    "properties": {
        "status": {"const": "error"},
        "message": {"type": "string"},
        "detail": {"type": "string"},
        "request_id": {"type": "string", "description": "On a 500: quote it to the operator."},
    },
}
ERROR_EXAMPLE = {
    "status": "error",
    "message": "An unrecognised parameter was provided",
    "detail": 'Unknown parameter "colour"; the parameters are collect, duration, ...',
}


def status_body(status: Json, message: Json, **more: Json) -> Json:
    """The schema of a `{"status", "message", ...}` body: those two and `more` required."""
    return {
        "type": "object",
        "required": ["status", "message", *more],
        "properties": {"status": status, "message": message, **more},
    }


STATUS = status_body({"const": "ok"}, {"const": "app is up"}, version=STRING)
READY = status_body(
    {"enum": ["ok", "error"]},
    STRING,
    checks={
        "type": "object",
        "properties": {
            "database": {"enum": ["ok", "unavailable"]},
            "config": {"enum": ["ok", "unavailable"]},
        },
    },
)
INDEX = {
    "type": "object",
    "required": ["name", "description", "version", "links"],
    "properties": {
        "name": {"type": "string"},
        "description": {"type": "string"},
        "version": {"type": "string"},
        "links": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}
SCHEMAS: Mapping[str, Json] = {"Error": ERROR, "Status": STATUS, "Ready": READY, "Index": INDEX}


def json_content(schema: Json, example: Any = None) -> Json:
    media: Json = {"schema": schema}
    if example is not None:
        media["example"] = example
    return {"application/json": media}


def ref(name: str) -> Json:
    return {"$ref": f"#/components/schemas/{name}"}


def error(description: str) -> Json:
    return {"description": description, "content": json_content(ref("Error"))}


UNAVAILABLE = error(
    "The database or the config source (Stagecraft) cannot answer now; `Retry-After` says "
    "when to try again."
)
INTERNAL = error("A bug: the body holds only a generic message and the request id.")


def operation(
    tag: str,
    summary: str,
    operation_id: str,
    responses: Json,
    *,
    fallible: bool = True,
    **more: Any,
) -> Json:
    """One operation: `more` holds its other fields (description, parameters, security,
    requestBody). A `fallible` one touches the database or the config source, so it may also
    answer a bug's 500 and an outage's 503."""
    if fallible:
        responses = {**responses, "500": INTERNAL, "503": UNAVAILABLE}
    return {
        "tags": [tag],
        "summary": summary,
        "operationId": operation_id,
        **more,
        "responses": responses,
    }


def path_parameter(name: str, schema: Json | None = None, **more: Any) -> Json:
    """A path segment's parameter: a string, or `schema`; `more` adds a description."""
    return {"name": name, "in": "path", "required": True, **more, "schema": schema or STRING}


def data_set_name_parameter(name: str, pattern: str, description: str) -> Json:
    """The name segment of an app's legacy `/<name>` route: never a path another route owns."""
    reserved = sorted(path for path in RESERVED_PATHS if path)
    schema = {"type": "string", "pattern": pattern, "not": {"enum": reserved}}
    return path_parameter(name, schema, description=description)


def file_answers(media_types: Sequence[str]) -> Json:
    """A static file of one of `media_types`, or 404."""
    content = {media: {"schema": STRING} for media in media_types}
    return {"200": {"description": "The file", "content": content}, "404": error("No such asset")}


COMPRESSION = (
    "Answers of 500 bytes or more are gzip-compressed when the request says "
    "`Accept-Encoding: gzip` (`Content-Encoding: gzip`, `Vary: Accept-Encoding`; a compressed "
    'answer\'s ETag is the plain one with `:gzip` added, e.g. `"<sha1>:gzip"`).'
)


def operational_paths(app: str) -> Json:
    """The routes every app has besides its API: index, liveness, readiness, metrics, docs."""
    text = {"text/plain": {"schema": STRING}}
    html = {"text/html": {"schema": STRING}}
    status_example = {"status": "ok", "message": "app is up", "version": __version__}
    not_ready = {
        "description": "Something it depends on is down (named in `checks`)",
        "headers": {"Retry-After": {"schema": STRING}},
        "content": json_content(ref("Ready")),
    }
    return {
        "/": {
            "get": operation(
                "service",
                "What this app is, its version and where to read more",
                f"{app}_index",
                {"200": {"description": "The index", "content": json_content(ref("Index"))}},
                fallible=False,
            )
        },
        "/_status": {
            "get": operation(
                "service",
                "Liveness: the app answers (never touches the database)",
                f"{app}_status",
                {
                    "200": {
                        "description": "The spec's body plus this release's version",
                        "content": json_content(ref("Status"), status_example),
                    }
                },
                fallible=False,
            )
        },
        "/_status/ready": {
            "get": operation(
                "service",
                "Readiness: can this process reach the database and the config source",
                f"{app}_ready",
                {
                    "200": {"description": "Ready", "content": json_content(ref("Ready"))},
                    "503": not_ready,
                },
                fallible=False,
            )
        },
        "/metrics": {
            "get": operation(
                "service",
                "Prometheus metrics of every process of this app",
                f"{app}_metrics",
                {"200": {"description": "Counters and histograms", "content": text}},
                fallible=False,
                description="The text exposition format. README's Metrics section lists "
                "every metric and its labels.",
            )
        },
        "/openapi.json": {
            "get": operation(
                "service",
                "This document",
                f"{app}_openapi",
                {
                    "200": {
                        "description": "OpenAPI 3.1",
                        "content": json_content({"type": "object"}),
                    }
                },
                fallible=False,
            )
        },
        "/docs": {
            "get": operation(
                "service",
                "This document rendered for people, with a guide",
                f"{app}_docs",
                {
                    "200": {
                        "description": "An HTML page (its scripts and styles come from "
                        "/docs/assets/)",
                        "content": html,
                    }
                },
                fallible=False,
            )
        },
        "/docs/assets/{filename}": {
            "get": operation(
                "service",
                "The scripts, styles and images of the docs page",
                f"{app}_docs_asset",
                file_answers(
                    ("text/javascript", "application/javascript", "text/css", "image/png")
                ),
                fallible=False,
                parameters=[
                    path_parameter("filename", {"type": "string", "pattern": "^[A-Za-z0-9._-]+$"})
                ],
            )
        },
    }


def html_page(operation_id: str, summary: str, *, not_found: bool = False) -> Json:
    """A page of the web face (issue 11): HTML, or a JSON error."""
    responses: Json = {
        "200": {"description": "The page", "content": {"text/html": {"schema": STRING}}}
    }
    if not_found:
        responses["404"] = error("No such data set to show")
    return operation("pages", summary, operation_id, responses)


def page_assets(app: str, kind: str) -> Json:
    """`/assets/{filename}` (shared by both apps' pages) and `/static/{filename}` (the app's
    own): the pages' scripts, styles and vendored libraries."""
    filename = {"type": "string", "pattern": "^[A-Za-z0-9._/-]+$"}
    return {
        "get": operation(
            "pages",
            f"Scripts and styles of the pages ({kind})",
            f"{app}_{kind}_page_asset",
            file_answers(("text/javascript", "text/css", "text/plain")),
            fallible=False,
            parameters=[path_parameter("filename", filename)],
        )
    }


def document(
    *,
    app: str,
    title: str,
    description: str,
    paths: Json,
    schemas: Mapping[str, Json],
    extra: Json,
) -> Json:
    """A whole OpenAPI 3.1 document: `paths` plus the operational ones, `schemas` plus the
    shared ones, and `extra` components (parameters, security schemes)."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": title,
            "version": __version__,
            "description": f"{description} {COMPRESSION}",
            "license": {"name": "MIT", "identifier": "MIT"},
        },
        "paths": {**paths, **operational_paths(app)},
        "components": {"schemas": {**SCHEMAS, **schemas}, **extra},
    }
