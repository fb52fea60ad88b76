"""An app closes what it opened when its process ends (gunicorn's `worker_exit` hook calls
`close_app`): its storage, config source and, on the write app, the transform publisher."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from flask import Flask

from backdrop.core.config import Settings
from backdrop.core.errors import StorageError
from backdrop.core.storage import open_storage
from backdrop.read.app import create_app as create_read_app
from backdrop.transformers import publish
from backdrop.transformers.publish import TransformPublisher
from backdrop.web.context import services
from backdrop.web.factory import close_app
from backdrop.write import triggers
from backdrop.write.app import create_app as create_write_app

Factory = Callable[..., Flask]


@pytest.mark.parametrize("create_app", [create_read_app, create_write_app], ids=["read", "write"])
def test_closing_an_app_closes_its_storage_once(settings: Settings, create_app: Factory) -> None:
    app = create_app(settings, storage=open_storage(settings))
    with app.app_context():
        storage = services().storage
    storage.ping()  # opened: connected and answering
    close_app(app)
    with pytest.raises(StorageError):
        storage.ping()
    close_app(app)  # a second close (the hook running twice) finds nothing left to close


def test_closing_the_write_app_closes_its_publisher(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_write_app(settings, storage=open_storage(settings))
    publisher = app.extensions[triggers.EXTENSION]
    assert isinstance(publisher, TransformPublisher)
    close_app(app)
    moment = datetime(2014, 1, 6, tzinfo=UTC)
    with caplog.at_level(logging.ERROR, logger=publish.__name__):
        assert publisher.trigger("any", moment, moment) is False
    refusals = [record for record in caplog.records if record.name == publish.__name__]
    assert [getattr(record, "error", None) for record in refusals] == ["SenderClosed"]
