"""The task messages waiting in a Redis broker's `celery` list, decoded."""

from __future__ import annotations

import base64
import contextlib
import json
from collections.abc import Iterator
from typing import Any

import redis

from backdrop.core.config import Settings
from tests.support.worker import purge

QUEUE = "celery"


@contextlib.contextmanager
def emptied_queue(settings: Settings) -> Iterator[redis.Redis]:
    """A client of the Redis broker of `settings`, its queue emptied first."""
    assert settings.broker_url is not None
    purge(settings)
    client = redis.Redis.from_url(settings.broker_url)
    try:
        yield client
    finally:
        client.close()


def messages(queue: redis.Redis, data_set: str | None = None) -> list[dict[str, Any]]:
    """The queued task messages, oldest first: task name, args and wire properties; with
    `data_set`, only those for it (a drain may deliver other tests' leftovers too)."""
    decoded = []
    for raw in reversed(queue.lrange(QUEUE, 0, -1)):
        envelope = json.loads(raw)
        args, kwargs, _embed = json.loads(base64.b64decode(envelope["body"]))
        if data_set is not None and args[0] != data_set:
            continue
        decoded.append(
            {
                "task": envelope["headers"]["task"],
                "args": args,
                "kwargs": kwargs,
                "content_type": envelope["content-type"],
                "lang": envelope["headers"]["lang"],
                "routing_key": envelope["properties"]["delivery_info"]["routing_key"],
            }
        )
    return decoded
