"""`POST /data/<group>/<type>/upload`: the records of a CSV or Excel file (spec 7), written as a
POST of the same records would be: the same checks and messages, upserts, auto ids and
transforms, all or nothing. The answer adds how many records were written, and on a refusal
each message's file row.

`GET /upload` is the page that sends one: spec 7's upload form without the Signon login. The
page's script calls the route above with the token the user types; the server never sees the
token but in that request's Authorization header, and keeps it nowhere.
"""

from __future__ import annotations

import io
from pathlib import PurePosixPath
from typing import IO

from flask import Blueprint, Response, request

from backdrop.core.errors import RequestInvalid
from backdrop.core.upload.parse import upload_records
from backdrop.core.upload.virus_scan import VirusScan
from backdrop.core.upload.writing import append_rows
from backdrop.web.context import services
from backdrop.web.pages import page
from backdrop.write.audit import audit
from backdrop.write.auth import routed_config
from backdrop.write.records import ok
from backdrop.write.triggers import deliver

bp = Blueprint("upload", __name__)

NO_FILE = 'Expected a multipart/form-data body with a file in the field "file"'
# Room for the multipart framing: a file somewhat past the cap still gets spec 7.1's
# `file too big (<n>)`; a body past this is refused (413) before it is read.
_FRAMING_BYTES = 64 * 1024


@bp.post("/data/<data_group>/<data_type>/upload")
def upload_file(data_group: str, data_type: str) -> Response:
    svc = services()
    config = routed_config(data_group, data_type)
    limit = svc.settings.limits.max_upload_bytes
    request.max_content_length = 2 * limit + _FRAMING_BYTES
    file = request.files.get("file")
    if file is None or not file.filename:
        raise RequestInvalid(NO_FILE)
    filename = PurePosixPath(file.filename.replace("\\", "/")).name
    rows = upload_records(
        file.stream,
        filename,
        _size(file.stream),
        config.upload_filters,
        limit,
        scan=VirusScan.from_settings(svc.settings),
        timing=svc.metrics.upload_timing(),
    )
    appended = append_rows(svc.data_sets, config, rows)
    audit("Data append action", config.name, datapoints=len(appended.records))
    deliver(appended.dispatch, stored=True)
    return ok(records_written=len(appended.records))


@bp.get("/upload")
def upload_page() -> Response:
    """The upload form; `?data_group=&data_type=` fill in the data set."""
    return page(
        "upload.html",
        limit=services().settings.limits.max_upload_bytes,
        data_group=request.args.get("data_group", ""),
        data_type=request.args.get("data_type", ""),
    )


def _size(stream: IO[bytes]) -> int:
    """The file's size; Werkzeug keeps uploads in a seekable (spooled) file."""
    size = stream.seek(0, io.SEEK_END)
    stream.seek(0)
    return size
