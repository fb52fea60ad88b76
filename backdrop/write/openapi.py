"""The write app's OpenAPI 3.1 document (spec 1.2, 3): the record routes, their bodies, their
bearer tokens, their answers and their errors."""

from __future__ import annotations

from typing import Any

from backdrop.web.openapi import (
    Json,
    data_set_name_parameter,
    document,
    error,
    html_page,
    json_content,
    operation,
    page_assets,
    path_parameter,
    ref,
)

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
DATA_SET = [path_parameter("data_group"), path_parameter("data_type")]
TOKEN: list[dict[str, list[str]]] = [{"dataSetToken": []}]


def _ok(description: str, example: Json | None = None) -> Json:
    """A 200 with an `Ok` body; by default the plain `{"status": "ok"}`."""
    body = example or {"status": "ok"}
    return {"description": description, "content": json_content(ref("Ok"), body)}


def _with_token(
    tag: str, summary: str, operation_id: str, done: Json, *, body: bool = True, **more: Any
) -> Json:
    """A route that takes the data set's token: `done`, or refused, unauthorized, not found, or
    too large (with a body), or (`operation`) a bug or unavailable."""
    answers = {"200": done, "400": REFUSED, "401": UNAUTHORIZED, "404": NOT_FOUND}
    if body:
        answers["413"] = TOO_LARGE
    return operation(tag, summary, operation_id, answers, security=TOKEN, **more)


def _body(content_type: str, schema: Json, example: Any = None) -> Json:
    media = {"schema": schema} if example is None else {"schema": schema, "example": example}
    return {"required": True, "content": {content_type: media}}


def _write(operation_id: str, summary: str, description: str, ok_example: Json) -> Json:
    return _with_token(
        "records",
        summary,
        operation_id,
        _ok("Stored", ok_example),
        description=description,
        parameters=[GZIP],
        requestBody=_body("application/json", RECORDS, RECORDS_EXAMPLE),
    )


FIELDS = {"type": "object", "additionalProperties": True}
RANGE = {
    "type": "object",
    "required": ["_start_at"],
    "properties": {
        "_start_at": {"type": "string"},
        "_end_at": {"type": "string", "description": "Default: now"},
    },
}
RANGE_EXAMPLE = {"_start_at": "2012-01-01T00:00:00Z", "_end_at": "2015-03-20T00:00:00Z"}
UPLOAD = {
    "type": "object",
    "required": ["file"],
    "properties": {"file": {"type": "string", "contentMediaType": "application/octet-stream"}},
}
DEPRECATION = (
    "Deprecation Warning: accessing by data-set name is deprecated, "
    "Please use the /data-group/data-type form"
)

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
        "put": _with_token(
            "records",
            "Empty the data set (the body must be `[]`)",
            "empty_data_set",
            _ok("Emptied", {"status": "ok", "message": "x now contains 0 records"}),
            requestBody=_body("application/json", {"type": "array", "maxItems": 0}),
        ),
    },
    "/data/{data_group}/{data_type}/{record_id}": {
        "parameters": [*DATA_SET, path_parameter("record_id")],
        "patch": _with_token(
            "records",
            "Change some fields of one record",
            "patch_record",
            _ok("Changed"),
            requestBody=_body("application/json", FIELDS, {"count": 13}),
        ),
        "delete": _with_token(
            "records", "Delete one record", "delete_record", _ok("Deleted"), body=False
        ),
    },
    "/data/{data_group}/{data_type}/transform": {
        "parameters": DATA_SET,
        "post": _with_token(
            "transforms",
            "Run the data set's transforms again over a range",
            "run_transforms",
            _ok("Queued"),
            requestBody=_body("application/json", RANGE, RANGE_EXAMPLE),
        ),
    },
    "/{name}": {
        "parameters": [
            data_set_name_parameter(
                "name",
                "^[A-Za-z][A-Za-z0-9_]+$",
                "The data set's name (never a path another route owns)",
            )
        ],
        "post": {
            **_write(
                "append_records_by_name",
                "Write records by data set name (deprecated)",
                "As `POST /data/{data_group}/{data_type}`, but triggers no transforms.",
                {"status": "ok", "message": DEPRECATION},
            ),
            "deprecated": True,
        },
    },
    "/data/{data_group}/{data_type}/upload": {
        "parameters": DATA_SET,
        "post": _with_token(
            "records",
            "Write the records of a CSV or Excel file",
            "upload_file",
            _ok("Stored", {"status": "ok", "records_written": 2}),
            description="Checked (spec 7.1: size, type and, when BACKDROP_UPLOAD_VIRUS_SCAN is "
            "set, a virus scan: a scanner that cannot answer is a 503), parsed as the original's "
            "upload (spec 7.2), then written as a POST of the same records is; errors name the "
            "file rows at fault.",
            requestBody=_body("multipart/form-data", UPLOAD),
        ),
    },
    "/upload": {"get": html_page("upload_page", "A page to upload a file with a token")},
    "/assets/{filename}": page_assets("write", "shared"),
    "/static/{filename}": page_assets("write", "own"),
    "/data-sets/{name}": {
        "parameters": [path_parameter("name")],
        "delete": operation(
            "admin",
            "Drop a whole data set (Stagecraft calls it)",
            "drop_data_set",
            {
                "200": _ok("Dropped", {"status": "ok", "message": "Deleted x"}),
                "401": UNAUTHORIZED,
                "404": error("No data set of that name is stored"),
            },
            security=[{"adminToken": []}],
        ),
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
