"""A TCP port standing in for a database host in fault tests: nothing listening yet, a listener
that accepts connections and never answers, or a relay to the real server (the database
"coming back" on the same address)."""

from __future__ import annotations

import selectors
import socket
import threading
from enum import Enum


class Mode(Enum):
    SILENT = "silent"  # accept, read nothing, answer nothing
    FORWARD = "forward"  # relay each new connection to the real server


class Relay:
    """Listens on `port` once `listen` is called; `forward` switches new connections to the
    target. Connections taken while silent stay silent. Every socket closes on `close`."""

    def __init__(self, port: int, target: tuple[str, int]) -> None:
        self.port = port
        self._target = target
        self._mode = Mode.SILENT
        self._listener: socket.socket | None = None
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []

    def __enter__(self) -> Relay:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def listen(self, mode: Mode) -> None:
        self._mode = mode
        if self._listener is not None:
            return
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(256)
        listener.settimeout(0.1)
        self._listener = listener
        self._spawn(self._accept)

    def forward(self) -> None:
        self.listen(Mode.FORWARD)

    def close(self) -> None:
        self._stopping.set()
        for thread in self._threads:
            thread.join(timeout=5)
        with self._lock:
            for sock in self._sockets:
                sock.close()
            self._sockets.clear()
        if self._listener is not None:
            self._listener.close()

    def _spawn(self, target: object, *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)  # type: ignore[arg-type]
        self._threads.append(thread)
        thread.start()

    def _accept(self) -> None:
        assert self._listener is not None
        while not self._stopping.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self._sockets.append(client)
            if self._mode is Mode.FORWARD:
                self._spawn(self._pump, client)

    def _pump(self, client: socket.socket) -> None:
        try:
            server = socket.create_connection(self._target, timeout=5)
        except OSError:
            client.close()
            return
        with self._lock:
            self._sockets.append(server)
        peers = {client: server, server: client}
        with selectors.DefaultSelector() as selector, client, server:
            for sock in peers:  # blocking sockets: select says when recv will not block
                sock.settimeout(None)
                selector.register(sock, selectors.EVENT_READ)
            while not self._stopping.is_set():
                for key, _ in selector.select(timeout=0.1):
                    source: socket.socket = key.fileobj  # type: ignore[assignment]
                    try:
                        data = source.recv(1 << 16)
                        if not data:
                            return
                        peers[source].sendall(data)
                    except OSError:
                        return
