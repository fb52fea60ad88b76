"""A statsd daemon for tests: a real UDP socket on a free port, and the lines it received."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator


@contextlib.contextmanager
def statsd_listener() -> Iterator[socket.socket]:
    """A bound UDP socket (127.0.0.1, a free port) that reads with a short timeout."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.settimeout(0.2)
        yield sock


def received(sock: socket.socket) -> list[str]:
    """Every statsd line that arrived so far (waits up to the socket's timeout for more)."""
    lines: list[str] = []
    while True:
        try:
            data = sock.recv(65536)
        except TimeoutError:
            return lines
        lines.extend(data.decode().splitlines())
