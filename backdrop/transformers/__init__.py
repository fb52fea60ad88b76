"""Transforms: derived data sets recomputed in the background by a Celery worker (spec 6).

    write app ──send_task("…dispatch.entrypoint")──▶ broker ──▶ worker: entrypoint
        └─ per transform: send_task("…dispatch.run_transform") ──▶ worker: run_transform
             read input (core) → transform function (tasks/) → write output (core) → chain

`celery_app.py` builds the Celery application from Settings (no app at import), `publish.py`
is all the write app uses, `dispatch.py` holds the two tasks, `tasks/` the transform functions,
and `worker.py` is the one module that builds an app at import, for `celery -A`.
"""
