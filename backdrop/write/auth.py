"""Bearer-token checks for the write routes (spec 1.2 step 2, DELETE /data-sets)."""

from __future__ import annotations

import hmac

from flask import g, request

from backdrop.core.data_set_config import DataSetConfig
from backdrop.core.errors import DataSetNotFound, Unauthorized, quoted
from backdrop.web.context import services
from backdrop.write.audit import audit, presented_token

NOT_BEARER = (
    "The Authorization header must read `Bearer <token>`: the word Bearer, one space, then "
    "the data set's token"
)
WRONG_TOKEN = (
    "This is not the data set's bearer token (each data set has its own; "
    "`backdrop data-set rotate-token NAME` issues a new one in the built-in registry)"
)


def authorized_config(config: DataSetConfig | None, wanted: str) -> DataSetConfig:
    """The config when the request carries its bearer token; else 404 (naming what was
    `wanted`) or 401."""
    if config is None:
        raise DataSetNotFound(detail=f"No data set is registered under {wanted}")
    g.data_set = config.name
    if "Authorization" not in request.headers:
        audit("Bad auth", config.name)
        raise Unauthorized("Expected header of form: Authorization: Bearer <token>")
    token = presented_token()
    if not config.accepts_token(token):
        audit("Bad auth", config.name)
        raise Unauthorized(
            f"Unauthorized: Invalid bearer token '{token}' for '{config.name}'",
            detail=NOT_BEARER if token is None else WRONG_TOKEN,
        )
    return config


def routed_config(data_group: str, data_type: str) -> DataSetConfig:
    """The config routed at `/data/<data_group>/<data_type>`, for a request with its token."""
    config = services().configs.by_group_and_type(data_group, data_type)
    return authorized_config(
        config, f"data group {quoted(data_group)} and data type {quoted(data_type)}"
    )


def named_config(name: str) -> DataSetConfig:
    """The config called `name` (the deprecated `/<name>` route), for a request with its token."""
    return authorized_config(services().configs.by_name(name), f"the name {quoted(name)}")


def require_admin_token(name: str) -> None:
    """DELETE /data-sets/<name> takes STAGECRAFT_COLLECTION_ENDPOINT_TOKEN; unset, nothing does."""
    expected = services().settings.collection_endpoint_token
    token = presented_token()
    if not (expected and token and hmac.compare_digest(token.encode(), expected.encode())):
        audit("Bad auth", name)
        raise Unauthorized(
            f'Unauthorized: invalid or no token given for "{name}".',
            detail="Dropping a data set takes the write app's STAGECRAFT_COLLECTION_ENDPOINT_TOKEN "
            "as `Authorization: Bearer <token>`",
        )
