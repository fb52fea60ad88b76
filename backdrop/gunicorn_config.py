"""gunicorn settings for the read and write apps (`--config python:backdrop.gunicorn_config`).

Threads per worker let one process overlap database and Stagecraft round trips; one worker per
core (WEB_CONCURRENCY overrides) uses every core. No preload: each worker builds its own app and
database clients after the fork.
"""

import multiprocessing
import os

workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count())
worker_class = "gthread"
threads = 8
timeout = 60
graceful_timeout = 20
keepalive = 5
accesslog = None  # the apps log one structured line per request themselves
errorlog = "-"
loglevel = "warning"
