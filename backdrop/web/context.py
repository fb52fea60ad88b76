"""Access to the app's Services from inside a request."""

from __future__ import annotations

from typing import cast

from flask import current_app

from backdrop.core.services import Services


def services() -> Services:
    """The Services the app factory built for this process."""
    return cast(Services, current_app.extensions["backdrop"])
