"""Queueing a data set's transforms from the write app (spec 6.1).

The app factory keeps one `TransformPublisher` per process on
`app.extensions["backdrop_transforms"]`; it publishes the worker's `entrypoint` task by name.
A dispatch is kept in the outbox (with the records, by `DataSets.append`) until the broker takes
it, so a broker failure is logged and counted, never turned into an error response, and never
loses the transform; publishing takes at most `PUBLISH_BUDGET` seconds whatever the broker does,
and a write whose publish succeeded also delivers a few older waiting dispatches within that
budget (see `backdrop.transformers.publish` and `.outbox`).
"""

from __future__ import annotations

from typing import cast

from flask import current_app

from backdrop.core.storage.base import Dispatch
from backdrop.transformers.publish import TransformPublisher

EXTENSION = "backdrop_transforms"


def publisher() -> TransformPublisher:
    """This process's publisher, built by the app factory."""
    return cast(TransformPublisher, current_app.extensions[EXTENSION])


def deliver(dispatch: Dispatch | None, *, stored: bool) -> None:
    """Publish a dispatch (nothing when None: no `_timestamp`); one not `stored` in the outbox
    yet is kept there when the broker does not take it."""
    if dispatch is not None:
        publisher().deliver(dispatch, stored=stored)
