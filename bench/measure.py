"""Timing helpers: medians and p95s of repeated calls, HTTP loading, concurrent throughput,
and the memory an app's workers used."""

from __future__ import annotations

import contextlib
import http.client
import statistics
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import requests


@dataclass(frozen=True, slots=True)
class Timing:
    """Milliseconds over the timed repeats (after warm-up)."""

    median_ms: float
    p95_ms: float
    runs: int


def timed(call: Callable[[], object], *, warmup: int, repeats: int) -> Timing:
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return _timing(samples)


def interleaved(
    calls: Sequence[Callable[[], object]], *, warmup: int, repeats: int
) -> list[Timing]:
    """`timed` for several calls, taking turns so that all meet the same conditions."""
    for _ in range(warmup):
        for call in calls:
            call()
    samples: list[list[float]] = [[] for _ in calls]
    for _ in range(repeats):
        for call, kept in zip(calls, samples, strict=True):
            started = time.perf_counter()
            call()
            kept.append((time.perf_counter() - started) * 1000)
    return [_timing(kept) for kept in samples]


def _timing(samples: list[float]) -> Timing:
    p95 = statistics.quantiles(samples, n=20)[18] if len(samples) > 1 else samples[0]
    return Timing(statistics.median(samples), p95, len(samples))


class KeptAlive:
    """GETs over one kept-alive connection with the standard library's `http.client`, which
    reads an answer of 1 MB in 2.5 ms where `requests` takes 11: the timings are the server's,
    not a client library's. A connection the server closed while idle is opened again."""

    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url)
        self._host, self._port = parts.hostname or "127.0.0.1", parts.port
        self._conn: http.client.HTTPConnection | None = None

    def get(self, path: str, params: Sequence[tuple[str, str]], headers: dict[str, str]
            ) -> bytes:  # fmt: skip
        """The body of a 200 answer to GET `path`?`params` (else AssertionError)."""
        target = f"{path}?{urlencode(params)}"
        try:
            status, body = self._exchange(target, headers)
        except ConnectionError:  # closed while idle (keep-alive timeout): once more, anew
            self.close()
            status, body = self._exchange(target, headers)
        if status != 200:
            raise AssertionError(f"GET {target}: {status} {body[:300]!r}")
        return body

    def _exchange(self, target: str, headers: dict[str, str]) -> tuple[int, bytes]:
        if self._conn is None:
            self._conn = http.client.HTTPConnection(self._host, self._port, timeout=600)
        self._conn.request("GET", target, headers=headers)
        response = self._conn.getresponse()
        return response.status, response.read()

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def post(session: requests.Session, url: str, token: str, body: bytes) -> None:
    """POST one pre-encoded JSON batch; raises unless the write API answers 200."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    response = session.post(url, data=body, headers=headers, timeout=600)
    if response.status_code != 200:
        raise AssertionError(f"write failed: {response.status_code} {response.text[:300]}")


def post_batches(url: str, token: str, batches: Iterable[bytes], clients: int) -> float:
    """POST JSON batches with `clients` concurrent sessions; seconds taken. Each client takes
    the next batch when it is free, so only the batches in flight are held in memory."""
    source = iter(batches)
    taking = threading.Lock()

    def client() -> None:
        with requests.Session() as session:
            while True:
                with taking:
                    body = next(source, None)
                if body is None:
                    return
                post(session, url, token, body)

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        for done in [pool.submit(client) for _ in range(clients)]:
            done.result()
    return time.perf_counter() - started


def throughput(call: Callable[[requests.Session], None], clients: int, seconds: float) -> float:
    """Completed calls per second with `clients` threads hammering for `seconds`, in the steady
    state: each client's first call (which may fill an app worker's cache: on a slow engine one
    takes seconds) is made before the clock starts, which it does once all have made theirs."""
    window = [0.0, 0.0]  # started, deadline: set as the barrier opens, before anyone reads them

    def start() -> None:
        window[0] = time.perf_counter()
        window[1] = window[0] + seconds

    ready = threading.Barrier(clients, action=start)
    done = [0] * clients

    def worker(slot: int) -> None:
        with requests.Session() as session:
            try:
                call(session)
            finally:
                ready.wait()
            while time.perf_counter() < window[1]:
                call(session)
                done[slot] += 1

    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(worker, range(clients)))
    return sum(done) / (time.perf_counter() - window[0])


def peak_rss_kib(master_pid: int) -> int:
    """The largest peak resident set (VmHWM) among a gunicorn master's worker processes."""
    peaks = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            status = (entry / "status").read_text()
            fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
            if int(fields["PPid"].strip()) == master_pid:
                peaks.append(int(fields["VmHWM"].split()[0]))
    return max(peaks, default=0)
