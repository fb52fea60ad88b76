"""The task messages waiting in a Redis broker's `celery` list, decoded."""

from __future__ import annotations

import base64
import json
from typing import Any

import redis

QUEUE = "celery"


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
