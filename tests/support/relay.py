"""A TCP relay in front of a real server, for fault tests: before it starts nothing listens on
its port (the server is unreachable there); while it runs, the server can be reached through it;
and it counts what flows towards the server, so a test can act while a write is on its way
(e.g. kill the writer once the database is busy with its batch)."""

from __future__ import annotations

import contextlib
import selectors
import socket
import threading
import time
from urllib.parse import urlsplit, urlunsplit


class Relay:
    """Relays connections from 127.0.0.1:`port` to `target`, until `close()`."""

    def __init__(self, port: int, target: tuple[str, int]) -> None:
        self._listener = socket.create_server(("127.0.0.1", port))
        self._listener.settimeout(0.1)
        self._target = target
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._upstream = 0
        self._last_upstream = time.monotonic()
        self._threads = [threading.Thread(target=self._accept, daemon=True)]
        self._threads[0].start()

    def __enter__(self) -> Relay:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def upstream_bytes(self) -> int:
        """Bytes relayed towards the server so far."""
        with self._lock:
            return self._upstream

    @property
    def upstream_quiet_for(self) -> float:
        """Seconds since bytes last went towards the server."""
        with self._lock:
            return time.monotonic() - self._last_upstream

    def _accept(self) -> None:
        while not self._stopping.is_set():
            with contextlib.suppress(TimeoutError):
                client, _ = self._listener.accept()
                thread = threading.Thread(target=self._relay, args=(client,), daemon=True)
                self._threads.append(thread)
                thread.start()

    def _relay(self, client: socket.socket) -> None:
        with contextlib.ExitStack() as stack:
            stack.enter_context(client)
            try:
                server = stack.enter_context(socket.create_connection(self._target, timeout=5))
            except OSError:
                return
            selector = stack.enter_context(selectors.DefaultSelector())
            selector.register(client, selectors.EVENT_READ, server)
            selector.register(server, selectors.EVENT_READ, client)
            while not self._stopping.is_set():
                for key, _ in selector.select(timeout=0.1):
                    source: socket.socket = key.fileobj  # type: ignore[assignment]
                    try:
                        data = source.recv(65536)
                        if data:
                            key.data.sendall(data)
                    except OSError:
                        return
                    if not data:
                        return
                    if source is client:
                        with self._lock:
                            self._upstream += len(data)
                            self._last_upstream = time.monotonic()

    def close(self) -> None:
        self._stopping.set()
        for thread in self._threads:
            thread.join(timeout=5)
        self._listener.close()


def on_port(url: str, port: int) -> str:
    """`url` with its host and port replaced by 127.0.0.1:`port` (credentials kept)."""
    parts = urlsplit(url)
    credentials, _, _ = parts.netloc.rpartition("@")
    address = f"127.0.0.1:{port}"
    return urlunsplit(parts._replace(netloc=f"{credentials}@{address}" if credentials else address))


def address_of(url: str) -> tuple[str, int]:
    """The host and port a database URL names."""
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or 0
