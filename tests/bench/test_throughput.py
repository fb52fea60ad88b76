"""The benchmark's concurrency figure is the steady state: each client's first call (which may
fill an app worker's cache, seconds on a slow engine) is made before the clock starts."""

from __future__ import annotations

import threading
import time

import requests

from bench.measure import throughput


def test_first_calls_are_made_before_the_window_and_not_counted() -> None:
    sessions: set[int] = set()
    calls = [0]
    lock = threading.Lock()

    def call(session: requests.Session) -> None:
        with lock:
            first = id(session) not in sessions
            sessions.add(id(session))
            calls[0] += 1
        time.sleep(0.5 if first else 0.01)  # a cold cache, then cached answers

    rate = throughput(call, clients=4, seconds=0.3)
    assert len(sessions) == 4
    # Counted from the first calls, each longer than the window, the rate would be at most
    # 4 calls in 0.5 s (8/s); in the steady state it is near 4 x 100/s.
    assert rate > 40
    assert calls[0] > 4 + 0.3 * 40
