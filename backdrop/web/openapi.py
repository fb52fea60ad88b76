"""What both apps' OpenAPI 3.1 documents share: error bodies, the operational routes (`/`,
`/_status`, `/_status/ready`, `/metrics`, the docs), and small builders.

The documents are data written here, next to the routes they describe; the tests validate them
with openapi-spec-validator, check that every route of each app's URL map is in its document,
and fuzz both live apps against them with schemathesis.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from backdrop import __version__

Json = dict[str, Any]

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
STATUS = {
    "type": "object",
    "required": ["status", "message", "version"],
    "properties": {
        "status": {"const": "ok"},
        "message": {"const": "app is up"},
        "version": {"type": "string"},
    },
}
READY = {
    "type": "object",
    "required": ["status", "message", "checks"],
    "properties": {
        "status": {"enum": ["ok", "error"]},
        "message": {"type": "string"},
        "checks": {
            "type": "object",
            "properties": {
                "database": {"enum": ["ok", "unavailable"]},
                "config": {"enum": ["ok", "unavailable"]},
            },
        },
    },
}
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
COMPRESSION = (
    "Answers of 500 bytes or more are gzip-compressed when the request says "
    "`Accept-Encoding: gzip` (`Content-Encoding: gzip`, `Vary: Accept-Encoding`; a compressed "
    'answer\'s ETag is the plain one with `:gzip` added, e.g. `"<sha1>:gzip"`).'
)


def operational_paths(app: str) -> Json:
    """The routes every app has besides its API: index, liveness, readiness, metrics, docs."""
    return {
        "/": {
            "get": {
                "tags": ["service"],
                "summary": "What this app is, its version and where to read more",
                "operationId": f"{app}_index",
                "responses": {
                    "200": {"description": "The index", "content": json_content(ref("Index"))}
                },
            }
        },
        "/_status": {
            "get": {
                "tags": ["service"],
                "summary": "Liveness: the app answers (never touches the database)",
                "operationId": f"{app}_status",
                "responses": {
                    "200": {
                        "description": "The spec's body plus this release's version",
                        "content": json_content(
                            ref("Status"),
                            {"status": "ok", "message": "app is up", "version": __version__},
                        ),
                    }
                },
            }
        },
        "/_status/ready": {
            "get": {
                "tags": ["service"],
                "summary": "Readiness: can this process reach the database and the config source",
                "operationId": f"{app}_ready",
                "responses": {
                    "200": {"description": "Ready", "content": json_content(ref("Ready"))},
                    "503": {
                        "description": "Something it depends on is down (named in `checks`)",
                        "headers": {"Retry-After": {"schema": {"type": "string"}}},
                        "content": json_content(ref("Ready")),
                    },
                },
            }
        },
        "/metrics": {
            "get": {
                "tags": ["service"],
                "summary": "Prometheus metrics of every process of this app",
                "description": "The text exposition format. README's Metrics section lists "
                "every metric and its labels.",
                "operationId": f"{app}_metrics",
                "responses": {
                    "200": {
                        "description": "Counters and histograms",
                        "content": {"text/plain": {"schema": {"type": "string"}}},
                    }
                },
            }
        },
        "/openapi.json": {
            "get": {
                "tags": ["service"],
                "summary": "This document",
                "operationId": f"{app}_openapi",
                "responses": {
                    "200": {
                        "description": "OpenAPI 3.1",
                        "content": json_content({"type": "object"}),
                    }
                },
            }
        },
        "/docs": {
            "get": {
                "tags": ["service"],
                "summary": "This document rendered for people, with a guide",
                "operationId": f"{app}_docs",
                "responses": {
                    "200": {
                        "description": "An HTML page (its scripts and styles come from "
                        "/docs/assets/)",
                        "content": {"text/html": {"schema": {"type": "string"}}},
                    }
                },
            }
        },
        "/docs/assets/{filename}": {
            "get": {
                "tags": ["service"],
                "summary": "The scripts, styles and images of the docs page",
                "operationId": f"{app}_docs_asset",
                "parameters": [
                    {
                        "name": "filename",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "pattern": "^[A-Za-z0-9._-]+$"},
                    }
                ],
                "responses": {
                    "200": {
                        "description": "The file",
                        "content": {
                            "text/javascript": {"schema": {"type": "string"}},
                            "application/javascript": {"schema": {"type": "string"}},
                            "text/css": {"schema": {"type": "string"}},
                            "image/png": {"schema": {"type": "string"}},
                        },
                    },
                    "404": error("No such asset"),
                },
            }
        },
    }


def html_page(operation: str, summary: str, *, not_found: bool = False) -> Json:
    """A page of the web face (issue 11): HTML, or a JSON error."""
    responses: Json = {
        "200": {
            "description": "The page",
            "content": {"text/html": {"schema": {"type": "string"}}},
        },
        "500": INTERNAL,
        "503": UNAVAILABLE,
    }
    if not_found:
        responses["404"] = error("No such data set to show")
    return {"tags": ["pages"], "summary": summary, "operationId": operation, "responses": responses}


def page_assets(app: str, kind: str) -> Json:
    """`/assets/{filename}` (shared by both apps' pages) and `/static/{filename}` (the app's
    own): the pages' scripts, styles and vendored libraries."""
    return {
        "get": {
            "tags": ["pages"],
            "summary": f"Scripts and styles of the pages ({kind})",
            "operationId": f"{app}_{kind}_page_asset",
            "parameters": [
                {
                    "name": "filename",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string", "pattern": "^[A-Za-z0-9._/-]+$"},
                }
            ],
            "responses": {
                "200": {
                    "description": "The file",
                    "content": {
                        "text/javascript": {"schema": {"type": "string"}},
                        "text/css": {"schema": {"type": "string"}},
                        "text/plain": {"schema": {"type": "string"}},
                    },
                },
                "404": error("No such asset"),
            },
        }
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
