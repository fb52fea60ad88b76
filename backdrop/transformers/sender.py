"""Sending task messages to the broker within a deadline, whatever the broker does.

Each socket operation of a publish has a timeout (celery_app.py), but a publish is several of
them (connect, handshake, channel, declare, send, confirm), a broker may answer each just in
time, and a library may still block where no timeout reaches (a slow name lookup). So messages
leave from one thread per sender, which owns the producer connection and reuses it; a caller
hands it a message and waits no longer than its deadline. A message whose caller gave up is
never sent afterwards, and when a publish fails, the messages waiting behind it fail with it.
At most one thread and one connection exist per sender, however the broker behaves; a thread
blocked past every timeout delays later messages (their callers fail at their deadlines, and
the dispatches wait in the outbox) but never a caller.

After a failure the connection is dropped and rebuilt for the next message, so a hung or
half-closed connection never poisons later publishes. A reused connection that fails is
retried once on a fresh one within the same deadline (an idle connection the broker or a
firewall closed is not an outage).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from celery import Celery
from kombu.connection import Connection
from kombu.exceptions import KombuError

from backdrop.transformers.celery_app import PUBLISH_IO_TIMEOUT

logger = logging.getLogger(__name__)

# Messages waiting for the sending thread, at most; more are refused at once. A write-app
# process has 8 request threads, so this is only reached when the thread is blocked.
MAX_WAITING = 64


class NotSent(Exception):
    """The broker did not take the message by the deadline. `reason` names why, for logs: the
    library's exception class name, `DeadlineExceeded`, `SenderBusy` or `SenderClosed`."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(eq=False, slots=True)
class _Message:
    """One message and its caller's wait: the sending thread `take`s it unless the caller has
    given up, then `settle`s it with an error name or None."""

    name: str
    args: list[Any]
    deadline: float
    done: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    error: str | None = None
    abandoned: bool = False

    def take(self) -> bool:
        with self.lock:
            if self.abandoned or time.monotonic() >= self.deadline:
                self.abandoned = True
                return False
            return True

    def settle(self, error: str | None) -> None:
        with self.lock:
            self.error = error
            self.done.set()

    def abandon(self) -> bool:
        """Give up waiting; False when the thread settled it meanwhile."""
        with self.lock:
            if self.done.is_set():
                return False
            self.abandoned = True
            return True


def error_name(exc: BaseException) -> str:
    """The class name of the error that stopped a publish (kombu wraps the driver's)."""
    cause = exc.__cause__ if isinstance(exc, KombuError) and exc.__cause__ else exc
    return type(cause).__name__


class Sender:
    """Sends task messages by name over one reused connection; thread-safe."""

    def __init__(self, app: Celery) -> None:
        self._app = app
        self._messages: queue.Queue[_Message | None] = queue.Queue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closed = False
        probe = app.connection_for_write()
        self._errors: tuple[type[BaseException], ...] = (
            KombuError,
            OSError,
            *probe.connection_errors,
            *probe.channel_errors,
        )

    def send(self, name: str, args: list[Any], *, deadline: float) -> None:
        """Publish task `name` with `args`; `deadline` is a `time.monotonic()` instant.

        Raises NotSent when the broker refused, failed or did not confirm by the deadline.
        """
        message = _Message(name, args, deadline)
        with self._lock:
            if self._closed:
                raise NotSent("SenderClosed")
            if self._messages.qsize() >= MAX_WAITING:
                raise NotSent("SenderBusy")
            self._start()
            self._messages.put(message)
        if not message.done.wait(max(0.0, deadline - time.monotonic())) and message.abandon():
            raise NotSent("DeadlineExceeded")
        if message.error is not None:
            raise NotSent(message.error)

    def close(self) -> None:
        """Stop the thread once it is idle; it closes its connection."""
        with self._lock:
            self._closed = True
            if self._thread is not None:
                self._messages.put(None)

    def _start(self) -> None:
        """Start the sending thread on first use (never at construction: a process may fork),
        and again should it ever have died."""
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="broker-sender", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        connection: Connection | None = None
        while (message := self._messages.get()) is not None:
            if message.take():
                connection, error = self._publish(connection, message)
                message.settle(error)
                if connection is None and error is not None:  # the broker failed, not a deadline
                    self._fail_waiting(error)
        if connection is not None:
            self._drop(connection)

    def _fail_waiting(self, error: str) -> None:
        """The broker just failed: the messages waiting now fail with it at once, rather than
        each trying it again at its caller's expense."""
        while True:
            try:
                message = self._messages.get_nowait()
            except queue.Empty:
                return
            if message is None:  # closing: leave the signal for the loop
                self._messages.put(None)
                return
            if message.take():
                message.settle(error)

    def _publish(
        self, connection: Connection | None, message: _Message
    ) -> tuple[Connection | None, str | None]:
        """Send on `connection` (a new one when None); returns the connection to keep (None
        after a failure) and the error name, or None once the broker took the message."""
        while True:
            fresh = connection is None
            if connection is None:
                connection = self._app.connection_for_write()
            try:
                # Connect and open the channel first: when that took the caller's whole budget,
                # the message is not sent behind its back, and the connection stays for the next.
                connection.default_channel  # noqa: B018
                if time.monotonic() >= message.deadline:
                    return connection, "DeadlineExceeded"
                self._app.send_task(
                    message.name,
                    args=message.args,
                    connection=connection,
                    retry=False,
                    timeout=PUBLISH_IO_TIMEOUT,
                    confirm_timeout=PUBLISH_IO_TIMEOUT,
                )
                return connection, None
            except self._errors as exc:
                error = error_name(exc)
            except Exception as exc:  # the sending thread's top level: it must keep serving
                logger.exception("broker send failed unexpectedly")
                error = error_name(exc)
            self._drop(connection)
            connection = None
            if fresh or time.monotonic() >= message.deadline:
                return None, error

    def _drop(self, connection: Connection) -> None:
        """Forget a connection without waiting for the broker (it may be the one that hangs)."""
        try:
            connection.collect()  # type: ignore[no-untyped-call]  # kombu leaves it untyped
        except self._errors as exc:
            logger.warning("broker connection not dropped", extra={"error": error_name(exc)})
