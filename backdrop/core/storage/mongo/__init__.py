"""The MongoDB storage engine (and the embedded SecantusDB): its description."""

from __future__ import annotations

from typing import TYPE_CHECKING

from backdrop.core.storage.engine import Engine

if TYPE_CHECKING:
    from backdrop.core.storage.base import Storage


def _open(url: str, timeout: float) -> Storage:
    from backdrop.core.storage.mongo.storage import MongoStorage

    return MongoStorage(url, timeout=timeout)


ENGINE = Engine(
    name="mongodb",
    schemes=("mongodb", "mongodb+srv"),
    default_url="mongodb://127.0.0.1:27017/backdrop?directConnection=true&retryWrites=false",
    open=_open,
)
