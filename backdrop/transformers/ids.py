"""Deterministic output ids (spec 6.5): a re-run over the same range overwrites, never adds."""

from __future__ import annotations

import base64


def encode_id(*parts: str) -> str:
    """URL-safe Base64 (alphabet `-_`, padded) of the parts joined by `_`.

    `encode_id("foo", "bar")` is `Zm9vX2Jhcg==`.
    """
    return base64.urlsafe_b64encode("_".join(parts).encode("utf-8")).decode("ascii")
