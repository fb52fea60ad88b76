"""A data set's configuration (spec 4.1), from Stagecraft or the built-in registry."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Self

from backdrop.core.encoding import has_utf8

DEFAULT_MAX_AGE_EXPECTED = 2678400  # spec 4.1: 31 days when the key is absent
# Longest data set name: MongoDB namespaces ("<database>.<collection>") stop at 255 bytes.
MAX_NAME_BYTES = 200


def is_data_set_name(name: str) -> bool:
    """Can a data set be called this on every engine? Not empty, at most MAX_NAME_BYTES, and
    free of NUL, `$` and `.` (MongoDB keeps its own collections, and ours, under dotted names
    such as `system.views` and `backdrop.data_sets`, so no data set may ever be one), and
    valid Unicode (a lone surrogate from a URL cannot be stored anywhere)."""
    if not has_utf8(name):
        return False
    return 0 < len(name.encode("utf-8")) <= MAX_NAME_BYTES and not any(c in name for c in "\0$.")


def token_digest(token: str) -> str:
    """How the local registry stores a bearer token: SHA-256 hex, never the token itself."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_fingerprint(token: str | None) -> str | None:
    """A log-safe handle for a token (spec 3.10 recommendation): 12 hex digits of its SHA-256."""
    return token_digest(token)[:12] if token else None


@dataclass(frozen=True, slots=True)
class DataSetConfig:
    """One data set's settings (spec 4.1) with Backdrop's defaults for absent keys."""

    name: str
    data_group: str
    data_type: str
    raw_queries_allowed: bool = False
    bearer_token: str | None = field(default=None, repr=False)
    bearer_token_sha256: str | None = field(default=None, repr=False)
    auto_ids: tuple[str, ...] = ()
    queryable: bool = True
    realtime: bool = False
    published: bool = True
    capped_size: int | None = None
    max_age_expected: int | None = DEFAULT_MAX_AGE_EXPECTED
    schema: Mapping[str, Any] | None = field(default=None, repr=False)
    upload_format: str = ""
    upload_filters: tuple[str, ...] = ()

    @classmethod
    def from_stagecraft(cls, document: Mapping[str, Any]) -> Self:
        """Read Stagecraft's JSON (spec 4.1), applying Backdrop's defaults for absent keys."""
        return cls(
            name=str(document["name"]),
            data_group=str(document.get("data_group") or ""),
            data_type=str(document.get("data_type") or ""),
            raw_queries_allowed=bool(document.get("raw_queries_allowed", False)),
            bearer_token=document.get("bearer_token") or None,
            bearer_token_sha256=document.get("bearer_token_sha256") or None,
            auto_ids=tuple(document.get("auto_ids") or ()),
            queryable=bool(document.get("queryable", True)),
            realtime=bool(document.get("realtime", False)),
            published=document.get("published", True) is not False,
            capped_size=_optional_int(document.get("capped_size")),
            max_age_expected=_optional_int(
                document.get("max_age_expected", DEFAULT_MAX_AGE_EXPECTED)
            ),
            schema=document.get("schema") or None,
            upload_format=str(document.get("upload_format") or ""),
            upload_filters=tuple(document.get("upload_filters") or ()),
        )

    def to_document(self) -> dict[str, Any]:
        """Stagecraft's serialisation, without the token (it is never echoed back)."""
        return {
            "name": self.name,
            "data_group": self.data_group,
            "data_type": self.data_type,
            "raw_queries_allowed": self.raw_queries_allowed,
            "upload_format": self.upload_format,
            "upload_filters": list(self.upload_filters),
            "auto_ids": list(self.auto_ids),
            "queryable": self.queryable,
            "realtime": self.realtime,
            "capped_size": self.capped_size,
            "max_age_expected": self.max_age_expected,
            "published": self.published,
            "schema": self.schema,
        }

    def accepts_token(self, token: str | None) -> bool:
        """Constant-time check of a presented bearer token; a data set without one takes none."""
        if not token:
            return False
        if self.bearer_token:
            return hmac.compare_digest(token.encode("utf-8"), self.bearer_token.encode("utf-8"))
        if self.bearer_token_sha256:
            return hmac.compare_digest(token_digest(token), self.bearer_token_sha256)
        return False


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(value)
