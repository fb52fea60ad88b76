"""gunicorn settings for the read and write apps (`--config python:backdrop.gunicorn_config`).

Threads per worker let one process overlap database and Stagecraft round trips; one worker per
core (WEB_CONCURRENCY overrides) uses every core. No preload: each worker builds its own app and
database clients after the fork. gunicorn's own lines are JSON like the apps'. With
PROMETHEUS_MULTIPROC_DIR set (start-app.sh sets it), the workers share their metrics through
files there, and a worker that exits is marked dead so its live gauges go with it. A worker
that stops closes what its app opened (database pool, broker connection) on its way out.
Once a worker has built its app, everything it holds is frozen out of the garbage collector's
reach (`gc.freeze`), so the full collections a large answer triggers scan only that answer.
"""

import gc
import multiprocessing
import os
from typing import Any

from prometheus_client import multiprocess

from backdrop.core.config import Settings
from backdrop.core.errors import SettingsInvalid
from backdrop.core.logs import gunicorn_logging, startup_failure

EX_CONFIG = 78  # sysexits.h: configuration error

workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count())
worker_class = "gthread"
threads = 8
timeout = 60
graceful_timeout = 20
keepalive = 5
accesslog = None  # the apps log one structured line per request themselves
errorlog = "-"
loglevel = "info"
logconfig_dict = gunicorn_logging()


def on_starting(server: Any) -> None:
    """gunicorn hook, in the master before any worker forks: unusable settings stop it with
    one JSON line (from a worker, gunicorn would print the error as plain text, per worker)."""
    try:
        Settings.from_env(os.environ)
    except SettingsInvalid as exc:
        startup_failure(exc)
        raise SystemExit(EX_CONFIG) from exc


def post_worker_init(worker: Any) -> None:
    """gunicorn hook, in a worker that has built its app: the app, its modules and its clients
    live as long as the worker, yet a full collection would scan them all (60,000 objects, about
    10 ms a time) whenever a large answer's allocations trigger one; frozen, they are skipped."""
    gc.freeze()


def child_exit(server: Any, worker: Any) -> None:
    """gunicorn hook: a worker process ended (multiprocess metrics: its gauges are dropped)."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        multiprocess.mark_process_dead(worker.pid, directory)  # type: ignore[no-untyped-call]


def worker_exit(server: Any, worker: Any) -> None:
    """gunicorn hook, in a worker process that is stopping: close its app's storage, config
    source and publisher. (Also called in the master for a worker that vanished: no app.)"""
    from flask import Flask  # the worker's imports, not the master's

    from backdrop.web.factory import close_app

    app = getattr(worker, "wsgi", None)
    if isinstance(app, Flask):
        close_app(app)
