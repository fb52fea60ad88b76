"""The write app's OpenAPI 3.1 document (spec 1.2, 3): the record routes, their bodies, their
bearer tokens, their answers and their errors."""

from __future__ import annotations

from backdrop.web.openapi import (
    INTERNAL,
    UNAVAILABLE,
    Json,
    document,
    error,
    html_page,
    json_content,
    page_assets,
    ref,
)
from backdrop.web.reserved import RESERVED_PATHS

RECORD = {
    "type": "object",
    "description": "One record: field names start with a letter or `_` and hold letters, "
    "digits and `_`; `_timestamp` (ISO 8601) places it in time; `_id` makes a write an upsert.",
    "properties": {
        "_timestamp": {"type": "string", "examples": ["2014-01-06T00:00:00Z"]},
        "_id": {"type": "string"},
    },
    "additionalProperties": True,
}
RECORDS = {"oneOf": [ref("Record"), {"type": "array", "items": ref("Record")}]}
RECORDS_EXAMPLE = [
    {"_timestamp": "2014-01-06T00:00:00Z", "channel": "online", "count": 12},
    {"_timestamp": "2014-01-07T00:00:00Z", "channel": "paper", "count": 4},
]
OK = {
    "type": "object",
    "required": ["status"],
    "properties": {
        "status": {"const": "ok"},
        "message": {"type": "string"},
        "records_written": {"type": "integer", "description": "Uploads: how many were stored"},
    },
}
RECORD_ERRORS = {
    "type": "object",
    "description": "Record errors: every problem found, in spec 3.2's order (a single string "
    "for PATCH/DELETE of a missing record).",
    "required": ["messages"],
    "properties": {
        "messages": {"oneOf": [{"type": "array", "items": {"type": "string"}}, {"type": "string"}]},
        "detail": {"type": "string"},
    },
}
REFUSED = {
    "description": "Refused: the request (`status`/`message`) or its records (`messages`)",
    "content": json_content(
        {"oneOf": [ref("Error"), ref("RecordErrors")]},
        {"messages": ["foo-bar is not a valid key"]},
    ),
}
UNAUTHORIZED = {
    **error("The bearer token is missing or is not this data set's"),
    "headers": {"WWW-Authenticate": {"schema": {"const": "bearer"}}},
}
NOT_FOUND = error("No data set is registered there (`detail` names it)")
TOO_LARGE = error("The body (or, gzipped, the inflated body) is over the limit")
GZIP = {
    "name": "Content-Encoding",
    "in": "header",
    "description": "`gzip` when the body is gzip-compressed.",
    "schema": {"type": "string", "enum": ["gzip"]},
}
DATA_SET = [
    {"name": "data_group", "in": "path", "required": True, "schema": {"type": "string"}},
    {"name": "data_type", "in": "path", "required": True, "schema": {"type": "string"}},
]
TOKEN: list[dict[str, list[str]]] = [{"dataSetToken": []}]


def _ok(description: str, example: Json) -> Json:
    return {"description": description, "content": json_content(ref("Ok"), example)}


def _answers(done: Json, *, body: bool = True) -> Json:
    """A record route's answers: `done`, or refused, unauthorized, not found, too large (with a
    body), a bug, or unavailable."""
    answers = {"200": done, "400": REFUSED, "401": UNAUTHORIZED, "404": NOT_FOUND}
    if body:
        answers["413"] = TOO_LARGE
    return {**answers, "500": INTERNAL, "503": UNAVAILABLE}


def _write(operation: str, summary: str, description: str, ok_example: Json) -> Json:
    return {
        "tags": ["records"],
        "summary": summary,
        "description": description,
        "operationId": operation,
        "security": TOKEN,
        "parameters": [GZIP],
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": RECORDS, "example": RECORDS_EXAMPLE}},
        },
        "responses": _answers(_ok("Stored", ok_example)),
    }


PATHS = {
    "/data/{data_group}/{data_type}": {
        "parameters": DATA_SET,
        "post": _write(
            "append_records",
            "Write records (one object or a list)",
            "Validates every record (spec 3.2: all errors are listed, nothing is stored if "
            "one fails), upserts those with an `_id`, then queues the data set's transforms.",
            {"status": "ok"},
        ),
        "put": {
            "tags": ["records"],
            "summary": "Empty the data set (the body must be `[]`)",
            "operationId": "empty_data_set",
            "security": TOKEN,
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {"type": "array", "maxItems": 0}}},
            },
            "responses": _answers(
                _ok("Emptied", {"status": "ok", "message": "x now contains 0 records"})
            ),
        },
    },
    "/data/{data_group}/{data_type}/{record_id}": {
        "parameters": [
            *DATA_SET,
            {"name": "record_id", "in": "path", "required": True, "schema": {"type": "string"}},
        ],
        "patch": {
            "tags": ["records"],
            "summary": "Change some fields of one record",
            "operationId": "patch_record",
            "security": TOKEN,
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {"type": "object", "additionalProperties": True},
                        "example": {"count": 13},
                    }
                },
            },
            "responses": _answers(_ok("Changed", {"status": "ok"})),
        },
        "delete": {
            "tags": ["records"],
            "summary": "Delete one record",
            "operationId": "delete_record",
            "security": TOKEN,
            "responses": _answers(_ok("Deleted", {"status": "ok"}), body=False),
        },
    },
    "/data/{data_group}/{data_type}/transform": {
        "parameters": DATA_SET,
        "post": {
            "tags": ["transforms"],
            "summary": "Run the data set's transforms again over a range",
            "operationId": "run_transforms",
            "security": TOKEN,
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["_start_at"],
                            "properties": {
                                "_start_at": {"type": "string"},
                                "_end_at": {"type": "string", "description": "Default: now"},
                            },
                        },
                        "example": {
                            "_start_at": "2012-01-01T00:00:00Z",
                            "_end_at": "2015-03-20T00:00:00Z",
                        },
                    }
                },
            },
            "responses": _answers(_ok("Queued", {"status": "ok"})),
        },
    },
    "/{name}": {
        "parameters": [
            {
                "name": "name",
                "in": "path",
                "required": True,
                "description": "The data set's name (never a path another route owns)",
                "schema": {
                    "type": "string",
                    "pattern": "^[A-Za-z][A-Za-z0-9_]+$",
                    "not": {"enum": sorted(name for name in RESERVED_PATHS if name)},
                },
            }
        ],
        "post": {
            **_write(
                "append_records_by_name",
                "Write records by data set name (deprecated)",
                "As `POST /data/{data_group}/{data_type}`, but triggers no transforms.",
                {
                    "status": "ok",
                    "message": "Deprecation Warning: accessing by data-set name is deprecated, "
                    "Please use the /data-group/data-type form",
                },
            ),
            "deprecated": True,
        },
    },
    "/data/{data_group}/{data_type}/upload": {
        "parameters": DATA_SET,
        "post": {
            "tags": ["records"],
            "summary": "Write the records of a CSV or Excel file",
            "description": "Checked (spec 7.1: size, type and, when BACKDROP_UPLOAD_VIRUS_SCAN "
            "is set, a virus scan), parsed as the original's upload (spec 7.2), then written as "
            "a POST of the same records is; errors name the file rows at fault.",
            "operationId": "upload_file",
            "security": TOKEN,
            "requestBody": {
                "required": True,
                "content": {
                    "multipart/form-data": {
                        "schema": {
                            "type": "object",
                            "required": ["file"],
                            "properties": {
                                "file": {
                                    "type": "string",
                                    "contentMediaType": "application/octet-stream",
                                }
                            },
                        }
                    }
                },
            },
            "responses": {
                **_answers(_ok("Stored", {"status": "ok", "records_written": 2})),
                "503": error(
                    "The database, the config source or the virus scanner cannot answer now "
                    "(nothing was stored); `Retry-After` says when to try again."
                ),
            },
        },
    },
    "/upload": {"get": html_page("upload_page", "A page to upload a file with a token")},
    "/assets/{filename}": page_assets("write", "shared"),
    "/static/{filename}": page_assets("write", "own"),
    "/data-sets/{name}": {
        "parameters": [
            {"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}
        ],
        "delete": {
            "tags": ["admin"],
            "summary": "Drop a whole data set (Stagecraft calls it)",
            "operationId": "drop_data_set",
            "security": [{"adminToken": []}],
            "responses": {
                "200": _ok("Dropped", {"status": "ok", "message": "Deleted x"}),
                "401": UNAUTHORIZED,
                "404": error("No data set of that name is stored"),
                "500": INTERNAL,
                "503": UNAVAILABLE,
            },
        },
    },
}


def write_document() -> Json:
    return document(
        app="write",
        title="Backdrop write API",
        description="Write performance data with the data set's bearer token. Errors keep the "
        "reference specification's `message` texts and add a `detail` saying what to fix. "
        "See /docs for a guide.",
        paths=PATHS,
        schemas={"Record": RECORD, "Ok": OK, "RecordErrors": RECORD_ERRORS},
        extra={
            "securitySchemes": {
                "dataSetToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "The data set's token (`backdrop data-set create` prints it).",
                },
                "adminToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "The write app's STAGECRAFT_COLLECTION_ENDPOINT_TOKEN.",
                },
            }
        },
    )
