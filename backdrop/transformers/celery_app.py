"""The Celery application, configured from Settings (spec 6.1, 6.6).

`BROKER_URL` may be Redis (`redis://`, `rediss://`) or RabbitMQ (`amqp://`, `pyamqp://`); unset,
the embedded broker is used: kombu's filesystem transport with its folders under
`$BACKDROP_DATA_DIR/broker`, so a worker needs no broker server. The wire format is what the
original's Celery 4 spoke: task protocol 2, JSON, default queue and routing key `celery`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from celery import Celery

from backdrop.core.config import Settings

APP_NAME = "transformations"
DEFAULT_QUEUE = "celery"
EMBEDDED_BROKER_URL = "filesystem://localhost//"
# How often the embedded broker looks for new message files, in seconds.
EMBEDDED_POLLING_INTERVAL = 0.1
# A publisher (the write app, and the worker's outbox drain) must never hang on a broker that
# is down or stops answering. Each socket operation has a timeout; `sender.py` adds a deadline
# for the whole publish (connect, handshake, declare, send, confirm) on top of them.
PUBLISH_CONNECT_TIMEOUT = 1.0  # seconds: TCP connect, and the AMQP handshake
PUBLISH_IO_TIMEOUT = 1.0  # seconds: each socket read or write, and an AMQP publisher confirm


def broker_folders(data_dir: Path) -> dict[str, str]:
    """The embedded broker's folders under `data_dir/broker`, created if missing.

    Producers write where consumers read (one `queue` folder), so the write app and any number
    of workers on this machine share the same messages.
    """
    root = data_dir.resolve() / "broker"
    folders = {
        "data_folder_in": root / "queue",
        "data_folder_out": root / "queue",
        "processed_folder": root / "processed",
        "control_folder": root / "control",
    }
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    return {key: str(folder) for key, folder in folders.items()}


def broker_url(settings: Settings) -> str:
    """`BROKER_URL`, or the embedded broker when it is unset."""
    return settings.broker_url or EMBEDDED_BROKER_URL


def is_embedded(settings: Settings) -> bool:
    return settings.broker_url is None


REDIS_SCHEMES = ("redis", "rediss", "sentinel")
AMQP_SCHEMES = ("amqp", "amqps", "pyamqp")


def _transport_options(settings: Settings, *, publisher: bool) -> dict[str, Any]:
    options: dict[str, Any] = {}
    scheme = urlsplit(broker_url(settings)).scheme.lower()
    if is_embedded(settings):
        options.update(broker_folders(settings.data_dir))
        options["polling_interval"] = EMBEDDED_POLLING_INTERVAL
    elif scheme in REDIS_SCHEMES:
        options["socket_connect_timeout"] = PUBLISH_CONNECT_TIMEOUT if publisher else 10.0
        if publisher:
            # redis-py waits forever for a reply without it; no retry on timeout either.
            options["socket_timeout"] = PUBLISH_IO_TIMEOUT
            options["retry_on_timeout"] = False
    elif scheme in AMQP_SCHEMES and publisher:
        # py-amqp (kombu passes these to amqp.Connection): bounded reads and writes, and a
        # publish counts only once the broker confirmed it, so the outbox entry is never
        # forgotten for a message the broker did not keep.
        options["read_timeout"] = PUBLISH_IO_TIMEOUT
        options["write_timeout"] = PUBLISH_IO_TIMEOUT
        options["confirm_publish"] = True
    if publisher:
        # One connection attempt per publish: a down broker fails fast instead of retrying.
        options["max_retries"] = 0
    return options


def create_celery(settings: Settings, *, publisher: bool = False) -> Celery:
    """A new Celery application for `settings`; nothing connects until first use.

    `publisher=True` configures a producer that fails fast when the broker is down or stops
    answering (the write app; the worker's outbox drain and chained dispatches). Tasks are not
    registered here: `dispatch.register_tasks` adds them for the worker.
    """
    app = Celery(APP_NAME, broker=broker_url(settings), set_as_current=False)
    app.conf.update(
        task_protocol=2,
        task_serializer="json",
        accept_content=["json"],
        result_serializer="json",
        result_backend=None,
        task_ignore_result=True,
        task_default_queue=DEFAULT_QUEUE,
        task_default_exchange=DEFAULT_QUEUE,
        task_default_routing_key=DEFAULT_QUEUE,
        broker_failover_strategy="round-robin",
        broker_transport_options=_transport_options(settings, publisher=publisher),
        broker_connection_timeout=PUBLISH_CONNECT_TIMEOUT if publisher else 4.0,
        broker_connection_retry_on_startup=True,
        enable_utc=True,
        timezone="UTC",
        worker_hijack_root_logger=False,
        worker_prefetch_multiplier=1,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
    )
    return app
