"""Queueing a data set's transforms from the write app (spec 6.1).

The app factory keeps one `TransformPublisher` per process on
`app.extensions["backdrop_transforms"]`; it publishes the worker's `entrypoint` task by name.
Its `published`/`failed` counters are this process's tally. A broker failure is logged and
counted there, never turned into an error response.
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

from flask import current_app

from backdrop.transformers.publish import TransformPublisher

EXTENSION = "backdrop_transforms"


def publisher() -> TransformPublisher:
    """This process's publisher, built by the app factory."""
    return cast(TransformPublisher, current_app.extensions[EXTENSION])


def trigger_transforms(data_set: str, bounds: tuple[datetime, datetime] | None) -> None:
    """Queue the data set's transforms over `bounds`; nothing when None (no `_timestamp`)."""
    if bounds is not None:
        publisher().trigger(data_set, *bounds)
