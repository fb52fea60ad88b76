"""A WSGI app that tells how many objects its worker froze out of the garbage collector's reach,
served by gunicorn with Backdrop's own settings (tests/ops/test_gc_freeze.py)."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable
from typing import Any


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [str(gc.get_freeze_count()).encode()]
