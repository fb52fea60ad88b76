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

from backdrop.core.errors import StorageError
from backdrop.core.metrics import GaugeNow
from backdrop.core.services import Services
from backdrop.core.storage.base import Dispatch
from backdrop.transformers.publish import TransformPublisher
from backdrop.web.context import services

EXTENSION = "backdrop_transforms"


def publisher() -> TransformPublisher:
    """This process's publisher, built by the app factory."""
    return cast(TransformPublisher, current_app.extensions[EXTENSION])


def deliver(dispatch: Dispatch | None, *, stored: bool) -> None:
    """Publish a dispatch (nothing when None: no `_timestamp`); one not `stored` in the outbox
    yet is kept there when the broker does not take it."""
    if dispatch is not None:
        services().metrics.dispatched(publisher().deliver(dispatch, stored=stored))


def pending_dispatches(svc: Services) -> GaugeNow:
    """The outbox's size at scrape time (`backdrop_transform_dispatches_pending`): dispatches
    stored with their records and not yet taken by the broker."""

    def count() -> float | None:
        try:
            return float(svc.storage.count_dispatches())
        except StorageError as exc:
            svc.metrics.database_error(exc)
            return None

    return GaugeNow(
        "backdrop_transform_dispatches_pending",
        "Transform dispatches kept in the outbox, waiting for the broker.",
        count,
    )
