"""A broker that misbehaves, for fault tests: a TCP proxy in front of a real Redis or RabbitMQ.

It listens on a free port and, by mode:

* `hold()`: accepts connections and never answers; connections it was forwarding freeze too
  (nothing more moves either way), as when a broker hangs or a network path goes dark;
* `forward()`: forwards to the real broker; held connections are closed first (the client
  sees the broker drop them), as when a hung broker restarts;
* `forward(delay=s)`: forwards, but each answer of the broker reaches the client `s` seconds
  late (a broker that answers slowly, each reply within a client's socket timeout);
* `drop()`: closes every connection now and keeps forwarding new ones.

Without a target it is a plain listener that accepts and never answers. One thread runs the
whole proxy (a selector loop); `close()` stops it and closes every socket.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit


@dataclass(eq=False)
class _Pair:
    client: socket.socket
    upstream: socket.socket
    # (due time, data) still to reach the client, for a slow broker
    late: list[tuple[float, bytes]] = field(default_factory=list)

    def close(self) -> None:
        for sock in (self.client, self.upstream):
            with contextlib.suppress(OSError):
                sock.close()


class BrokerProxy:
    """A misbehaving broker on `127.0.0.1:port`; starts in `hold` mode."""

    def __init__(self, target: str | None = None) -> None:
        """`target`: the real broker's URL (None: nothing to forward to)."""
        self._target = _address(target) if target else None
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.setblocking(False)
        self.port: int = self._listener.getsockname()[1]
        self._selector = selectors.DefaultSelector()
        self._selector.register(self._listener, selectors.EVENT_READ)
        self._held: list[socket.socket] = []
        self._pairs: list[_Pair] = []
        self._mode = "hold"
        self._delay = 0.0
        self._requests: list[tuple[Callable[[], None], threading.Event]] = []
        self._lock = threading.Lock()
        self._running = True
        self._thread = threading.Thread(target=self._loop, name="broker-proxy", daemon=True)
        self._thread.start()

    def url(self, broker_url: str) -> str:
        """`broker_url` pointing at this proxy instead of the broker."""
        parts = urlsplit(broker_url)
        credentials = parts.netloc.rpartition("@")[0]
        netloc = f"{credentials}@127.0.0.1:{self.port}" if credentials else f"127.0.0.1:{self.port}"
        return urlunsplit(parts._replace(netloc=netloc))

    def hold(self) -> None:
        self._apply(self._hold)

    def forward(self, delay: float = 0.0) -> None:
        if self._target is None:
            raise RuntimeError("a proxy without a target cannot forward")
        self._apply(lambda: self._forward(delay))

    def drop(self) -> None:
        self._apply(self._drop)

    @property
    def connections(self) -> int:
        """How many client connections it holds or forwards now."""
        return len(self._held) + len(self._pairs)

    def close(self) -> None:
        self._apply(self._drop_all)
        self._running = False
        self._thread.join(timeout=5)
        self._selector.close()
        self._listener.close()

    def __enter__(self) -> BrokerProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the loop thread ------------------------------------------------------------------

    def _apply(self, change: Callable[[], None]) -> None:
        """Run `change` on the loop thread and wait for it, so a mode holds from the return."""
        done = threading.Event()
        with self._lock:
            self._requests.append((change, done))
        if not done.wait(5):
            raise TimeoutError("the broker proxy did not answer")

    def _loop(self) -> None:
        while self._running:
            with self._lock:
                requests, self._requests = self._requests, []
            for change, done in requests:
                change()
                done.set()
            for key, _ in self._selector.select(timeout=0.02):
                if key.fileobj is self._listener:
                    self._accept()
                else:
                    self._pump(key.data, key.fileobj)  # type: ignore[arg-type]
            self._deliver_late()

    def _accept(self) -> None:
        with contextlib.suppress(BlockingIOError):
            client, _ = self._listener.accept()
            if self._mode == "hold" or self._target is None:
                self._held.append(client)
                return
            try:
                upstream = socket.create_connection(self._target, timeout=2)
            except OSError:
                client.close()
                return
            pair = _Pair(client, upstream)
            self._pairs.append(pair)
            self._selector.register(client, selectors.EVENT_READ, pair)
            self._selector.register(upstream, selectors.EVENT_READ, pair)

    def _pump(self, pair: _Pair, source: socket.socket) -> None:
        try:
            data = source.recv(65536)
        except OSError:
            data = b""
        if not data:
            self._unregister(pair)
            self._pairs.remove(pair)
            pair.close()
            return
        if source is pair.upstream and self._delay:
            pair.late.append((time.monotonic() + self._delay, data))
            return
        sink = pair.upstream if source is pair.client else pair.client
        with contextlib.suppress(OSError):
            sink.sendall(data)

    def _deliver_late(self) -> None:
        now = time.monotonic()
        for pair in self._pairs:
            while pair.late and pair.late[0][0] <= now:
                _, data = pair.late.pop(0)
                with contextlib.suppress(OSError):
                    pair.client.sendall(data)

    def _unregister(self, pair: _Pair) -> None:
        for sock in (pair.client, pair.upstream):
            with contextlib.suppress(KeyError, ValueError):
                self._selector.unregister(sock)

    def _hold(self) -> None:
        """Freeze forwarded connections: they stay open and nothing moves any more."""
        for pair in self._pairs:
            self._unregister(pair)
            self._held.extend((pair.client, pair.upstream))
        self._pairs.clear()
        self._mode = "hold"

    def _forward(self, delay: float) -> None:
        for sock in self._held:
            sock.close()
        self._held.clear()
        self._mode, self._delay = "forward", delay

    def _drop(self) -> None:
        for pair in self._pairs:
            self._unregister(pair)
            pair.close()
        self._pairs.clear()

    def _drop_all(self) -> None:
        self._drop()
        for sock in self._held:
            sock.close()
        self._held.clear()


def _address(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    default = 6379 if parts.scheme.startswith("redis") else 5672
    return parts.hostname or "127.0.0.1", parts.port or default
