"""The read app's OpenAPI 3.1 document (spec 1.1, 2): the query routes with every parameter of
the query language, its answers and its errors."""

from __future__ import annotations

from backdrop.core.periods import PERIOD_NAMES
from backdrop.core.query import COLLECT_METHODS
from backdrop.web.openapi import (
    COMPRESSION,
    STRING,
    Json,
    data_set_name_parameter,
    document,
    error,
    html_page,
    operation,
    page_assets,
    path_parameter,
    ref,
    status_body,
)

FIELD = "[A-Za-z_][A-Za-z0-9_]+"
DATETIME = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(Z|[+-][0-9]{2}:?[0-9]{2})$"


def _query(name: str, description: str, schema: Json, *, repeated: bool = False) -> Json:
    parameter: Json = {
        "name": name,
        "in": "query",
        "description": description,
        "schema": {"type": "array", "items": schema} if repeated else schema,
    }
    if repeated:
        parameter.update(style="form", explode=True)
    return parameter


PARAMETERS = [
    _query(
        "start_at",
        "Inclusive lower bound on `_timestamp`: `YYYY-MM-DDTHH:MM:SS` and `Z` or an offset "
        "(`%2B01:00` in a URL). Needs `end_at` or `duration`.",
        {"type": "string", "pattern": DATETIME, "examples": ["2014-01-06T00:00:00Z"]},
    ),
    _query(
        "end_at",
        "Exclusive upper bound on `_timestamp` (inclusive with `inclusive=true`), same format.",
        {"type": "string", "pattern": DATETIME, "examples": ["2014-01-20T00:00:00Z"]},
    ),
    _query(
        "duration",
        "A relative range of this many periods (needs `period`): forwards from `start_at`, "
        "back from `end_at`, or back from the start of the current period.",
        {"type": "integer", "minimum": 1, "maximum": 999_999_999_999_999_999},
    ),
    _query(
        "period",
        "Bucket the answer by period; every bucket of the range is returned, empty ones too.",
        {"type": "string", "enum": list(PERIOD_NAMES)},
    ),
    _query(
        "filter_by",
        "`field:value`: records whose field equals value (`true`/`false` match booleans). "
        "Repeat to AND them. Not with `filter_by_prefix`.",
        {"type": "string", "pattern": f"^{FIELD}:", "examples": ["authority:Westminster"]},
        repeated=True,
    ),
    _query(
        "filter_by_prefix",
        "`field:prefix`: records whose field starts with prefix. Repeat to AND them.",
        {"type": "string", "pattern": f"^{FIELD}:", "examples": ["authority:West"]},
        repeated=True,
    ),
    _query(
        "group_by",
        "Group by a field (repeat for nested groups); not an internal `_` field.",
        {"type": "string", "pattern": f"^{FIELD}$", "examples": ["channel"]},
        repeated=True,
    ),
    _query(
        "collect",
        "`field` or `field:method` (method: " + ", ".join(COLLECT_METHODS) + "): aggregate a "
        "field within each group or period. Repeatable.",
        {
            "type": "string",
            "pattern": f"^{FIELD}(:({'|'.join(COLLECT_METHODS)}))?$",
            "examples": ["count:sum"],
        },
        repeated=True,
    ),
    _query(
        "sort_by",
        "`field:ascending` or `field:descending`.",
        {"type": "string", "pattern": f"^{FIELD}:(ascending|descending)$"},
    ),
    _query(
        "limit",
        "At most this many records or groups (0: no limit).",
        {"type": "integer", "minimum": 0, "maximum": 999_999_999_999_999_999},
    ),
    _query(
        "flatten",
        "Flat rows instead of nested groups.",
        {"type": "string", "enum": ["true", "false"]},
    ),
    _query(
        "inclusive",
        "Make `end_at` inclusive.",
        {"type": "string", "enum": ["true", "false"]},
    ),
    _query(
        "format",
        "`csv` answers CSV (as `Accept: text/csv` does); any other value answers JSON. "
        "Unpublished data sets always answer JSON.",
        {"type": "string", "examples": ["csv"]},
    ),
]

ANSWER = {
    "type": "object",
    "required": ["data"],
    "properties": {
        "data": {
            "type": "array",
            "description": "Records (raw queries), groups, or periods with their values.",
            "items": {"type": "object"},
        },
        "warning": {
            "type": "string",
            "description": "Only for unpublished data sets.",
        },
    },
}
ANSWER_EXAMPLE = {
    "data": [
        {"channel": "online", "count:sum": 12.0, "_count": 1.0},
        {"channel": "paper", "count:sum": 4.0, "_count": 1.0},
    ]
}
STALE = status_body(
    {"enum": ["ok", "not okay"]},
    STRING,
    data_sets={
        "type": ["array", "null"],
        "items": {
            "type": "object",
            "properties": {
                "name": STRING,
                "seconds-out-of-date": {"type": "integer"},
                "last-updated": STRING,
                "max-age-expected": {"type": "integer"},
            },
        },
    },
)
CORS = {"Access-Control-Allow-Origin": {"schema": {"const": "*"}}}
ANSWER_HEADERS = {
    **CORS,
    "Cache-Control": {"schema": {"type": "string"}, "description": "`max-age=…` or `no-cache`"},
    "ETag": {"schema": {"type": "string"}, "description": "The quoted SHA-1 of the body"},
    "Vary": {"schema": {"type": "string"}, "description": "`Accept, Accept-Encoding`"},
    "Content-Encoding": {
        "schema": {"const": "gzip"},
        "description": "`gzip` when the request says `Accept-Encoding: gzip` and the answer "
        "is 500 bytes or more; absent otherwise",
    },
}


def _query_operations(operation_id: str, path_parameters: list[Json], summary: str) -> Json:
    not_found = error("No queryable data set is registered there (`detail` names it)")
    if_none_match = {
        "name": "If-None-Match",
        "in": "header",
        "description": "An ETag of an earlier answer: 304 if it still holds.",
        "schema": STRING,
    }
    csv_example = "_count,channel,count:sum\r\n1.0,online,12.0\r\n"
    answer = {
        "description": "The answer",
        "headers": ANSWER_HEADERS,
        "content": {
            "application/json": {"schema": ref("Answer"), "example": ANSWER_EXAMPLE},
            "text/csv": {"schema": STRING, "example": csv_example},
        },
    }
    return {
        "parameters": path_parameters,
        "get": operation(
            "queries",
            summary,
            f"{operation_id}_get",
            {
                "200": answer,
                "304": {"description": "Not modified: the ETag sent still holds"},
                "400": error("The query is invalid (the first failing rule of spec 2.3)"),
                "404": not_found,
            },
            description="The query language (spec 2): README's guide and /docs show it with "
            "examples. Ungrouped (raw) queries need a data set that allows them. " + COMPRESSION,
            parameters=[*PARAMETERS, if_none_match],
        ),
        "options": operation(
            "queries",
            "CORS preflight",
            f"{operation_id}_options",
            {"200": {"description": "Allowed, with the CORS headers; no body"}, "404": not_found},
        ),
    }


def _segment(name: str, description: str) -> Json:
    return path_parameter(
        name, {"type": "string", "pattern": "^[A-Za-z0-9_-]+$"}, description=description
    )


PATHS = {
    "/data/{data_group}/{data_type}": _query_operations(
        "query",
        [_segment("data_group", "The data group"), _segment("data_type", "The data type")],
        "Query a data set by its group and type",
    ),
    "/{data_set_name}": _query_operations(
        "query_by_name",
        [
            data_set_name_parameter(
                "data_set_name",
                "^[A-Za-z][A-Za-z0-9_]*$",
                "A data set's name (the legacy route; never a path another route owns)",
            )
        ],
        "Query a data set by its name (legacy)",
    ),
    "/explore": {"get": html_page("explore", "Every published data set, to explore")},
    "/explore/{data_set_name}": {
        "parameters": [path_parameter("data_set_name")],
        "get": html_page(
            "explore_data_set", "A query builder, chart and table for one data set", not_found=True
        ),
    },
    "/assets/{filename}": page_assets("read", "shared"),
    "/static/{filename}": page_assets("read", "own"),
    "/_status/data-sets": {
        "get": operation(
            "service",
            "Which data sets are out of date",
            "read_data_sets_status",
            {
                "200": {
                    "description": "Always 200; `status` says whether some are stale",
                    "content": {"application/json": {"schema": ref("Stale")}},
                }
            },
        )
    },
}


def read_document() -> Json:
    return document(
        app="read",
        title="Backdrop read API",
        description="Query performance data: filter, group, bucket by period and aggregate. "
        "No authentication. Every answer allows any origin (CORS). See /docs for a guide.",
        paths=PATHS,
        schemas={"Answer": ANSWER, "Stale": STALE},
        extra={},
    )
