"""Bearer-token checks for the write routes (spec 1.2 step 2, DELETE /data-sets)."""

from __future__ import annotations

import hmac

from flask import g, request

from backdrop.core.data_set import DataSetConfig
from backdrop.core.errors import DataSetNotFound, Unauthorized
from backdrop.web.context import services
from backdrop.write.audit import audit, presented_token


def authorized_config(config: DataSetConfig | None) -> DataSetConfig:
    """The config when the request carries its bearer token; else 404 or 401."""
    if config is None:
        raise DataSetNotFound()
    g.data_set = config.name
    if "Authorization" not in request.headers:
        audit("Bad auth", config.name)
        raise Unauthorized("Expected header of form: Authorization: Bearer <token>")
    token = presented_token()
    if not config.accepts_token(token):
        audit("Bad auth", config.name)
        raise Unauthorized(f"Unauthorized: Invalid bearer token '{token}' for '{config.name}'")
    return config


def require_admin_token(name: str) -> None:
    """DELETE /data-sets/<name> takes STAGECRAFT_COLLECTION_ENDPOINT_TOKEN; unset, nothing does."""
    expected = services().settings.collection_endpoint_token
    token = presented_token()
    if not (expected and token and hmac.compare_digest(token.encode(), expected.encode())):
        audit("Bad auth", name)
        raise Unauthorized(f'Unauthorized: invalid or no token given for "{name}".')
