"""Connecting to MongoDB: how long to wait for it, and how durable an acknowledged write is.

Durability: a write is acknowledged once it is in the journal (`j: true`) unless `DATABASE_URL`
says otherwise (`w`, `journal` or its short name `j`, `wtimeoutMS`; an unacknowledged `w=0` gets
no journal wait, as MongoDB refuses the pair). Without it an acknowledged write can be lost when
the database dies: mongod flushes its journal every 100 ms, and the embedded server (SecantusDB)
lost the tail of the last acknowledged batch on kill -9 in trials. The embedded server honours
`j` per write, but not on a transaction's commit: `start-app.sh db` runs it with
`--sync-on-commit`, which makes every commit durable (see README, "Durability").
"""

from __future__ import annotations

import re
from datetime import UTC
from typing import Any

from bson.codec_options import TypeDecoder, TypeRegistry
from bson.int64 import Int64
from pymongo import MongoClient
from pymongo.write_concern import WriteConcern

from backdrop.core.storage.base import Document

# `j=<bool>` among the URL's options (pymongo knows it only as `journal`), with its separator.
_SHORT_JOURNAL = re.compile(r"(?i)(?P<sep>[?&])j=(?P<value>[^&]*)(?=&|$)")
_TRUE = frozenset({"true", "1", "yes"})
# pymongo looks for a server at most this often while none answers, and checks its deadline only
# then, so server selection overshoots its timeout by up to this much.
_SELECTION_STEP = 0.5


class _PlainInt(TypeDecoder):
    """64-bit integers read back as `int`, as every other integer (bson's default is its `Int64`
    subclass): a value reads back with the type it was written with, as on every engine."""

    bson_type = Int64

    def transform_bson(self, value: Int64) -> int:
        return int(value)


def connect(url: str, timeout: float) -> MongoClient[Document]:
    """A lazy client (the apps start before the database) that gives up on a database it
    cannot reach within `timeout` seconds: connecting, and finding a server to send to."""
    url, journal = _without_short_journal(url)
    options: dict[str, Any] = {"journal": journal} if journal is not None else {}
    selection = max(timeout - _SELECTION_STEP, timeout / 2)
    return MongoClient(
        url,
        tz_aware=True,
        tzinfo=UTC,
        connect=False,
        serverSelectionTimeoutMS=max(1, round(selection * 1000)),
        connectTimeoutMS=max(1, round(timeout * 1000)),
        appname="backdrop",
        type_registry=TypeRegistry([_PlainInt()]),
        **options,
    )


def _without_short_journal(url: str) -> tuple[str, bool | None]:
    """The URL without a `j` option, and that option's value (None when absent)."""
    found = _SHORT_JOURNAL.search(url)
    if found is None:
        return url, None
    start, end = found.span()
    rest = url[end:]
    separator = found["sep"]
    if separator == "?":  # keep the `?` for the options that follow, if any
        url = url[:start] + ("?" + rest[1:] if rest.startswith("&") else "")
    else:
        url = url[:start] + rest
    return url, found["value"].lower() in _TRUE


def journaled(configured: WriteConcern) -> WriteConcern:
    """The write concern for every write: the URL's, with the journal wait added unless the URL
    chose one (`journal`/`j`, `fsync`) or asked for unacknowledged writes (`w=0`)."""
    options = configured.document
    if "j" in options or "fsync" in options or options.get("w") == 0:
        return configured
    return WriteConcern(w=options.get("w"), wtimeout=options.get("wtimeout"), j=True)
