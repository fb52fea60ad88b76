"""The audit log (spec 3.10): who changed which data set, never the token or the data itself."""

from __future__ import annotations

import logging
from typing import Any

from flask import request

from backdrop.core.data_set_config import token_fingerprint

logger = logging.getLogger("backdrop.write.audit")


def presented_token() -> str | None:
    """The token after `Bearer ` in the Authorization header, or None (spec 1.2 step 2)."""
    header = request.headers.get("Authorization", "")
    return header[len("Bearer ") :] or None if header.startswith("Bearer ") else None


def audit(event: str, data_set: str | None, **facts: Any) -> None:
    """One audit line: the event name, the data set, a token fingerprint and the given facts."""
    logger.info(
        event,
        extra={
            "audit": True,
            "data_set": data_set or request.path,
            "token_fingerprint": token_fingerprint(presented_token()),
            **facts,
        },
    )
