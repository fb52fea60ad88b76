"""Tests wait for a MongoDB-wire server to answer, not only to accept connections: one that has
just started (or restarted) can accept and then reset them while it opens its files, and a test
that went ahead then failed its first request (`test_a_restarted_server_costs_no_request`)."""

from __future__ import annotations

import pytest

from tests.support import outages
from tests.support.processes import wait_for_mongodb, wait_for_port


def test_a_server_that_accepts_but_never_answers_is_not_ready() -> None:
    with outages.silent_listener() as port:
        wait_for_port(port, None, timeout=5)  # it accepts connections
        with pytest.raises(TimeoutError, match="answer from"):
            wait_for_mongodb(outages.mongodb_url(port), None, timeout=1.5)


def test_a_server_that_answers_is_ready(mongodb_url: str) -> None:
    wait_for_mongodb(mongodb_url, None, timeout=10)
