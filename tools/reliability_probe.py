"""Replay the HTTP findings of issue 9 ("Reliability: bad input, abuse and faults") against real
read and write apps, and say for each whether it now meets the issue's requirement.

    .venv/bin/python -m tools.reliability_probe                 # a fresh embedded database
    .venv/bin/python -m tools.reliability_probe --database-url postgresql://.../empty_db

It prints one line per finding: the finding, the request, the status (and time), the start of
the body, and PASS or FAIL. It uses nothing but HTTP, the `backdrop data-set create` command and
the process helpers of `tests/support/processes.py`, which start this checkout's `start-app.sh`.
(The "before" column of issue 9's closing note came from running it, with the helpers of that
time, against the code before the issue.)

Every request has a timeout, so a hang shows as "no answer" rather than stalling the run.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests

from bench.measure import peak_rss_kib
from tests.support import processes

ADMIN_TOKEN = "probe-collection-endpoint-token"
GROUP = "probe"
TIMEOUT = 30.0
SLOW_TIMEOUT = 150.0
JSON = {"Content-Type": "application/json"}


@dataclass
class Reply:
    """What one request got: a status (None: no answer), the start of the body, the time."""

    status: int | None
    body: str
    seconds: float
    headers: Mapping[str, str] = field(default_factory=dict)
    size: int = 0

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    @property
    def shown(self) -> str:
        if self.status is None:
            return f"no answer ({self.body})"
        return f"{self.status} in {self.seconds:.2f}s"


def call(
    session: requests.Session,
    method: str,
    url: str,
    *,
    timeout: float = TIMEOUT,
    keep: int = 100_000,
    **kwargs: Any,
) -> Reply:
    """One request; the body is streamed and only its first `keep` bytes are kept."""
    started = time.monotonic()
    try:
        with session.request(method, url, timeout=timeout, stream=True, **kwargs) as response:
            kept = bytearray()
            size = 0
            for chunk in response.iter_content(1 << 16):
                size += len(chunk)
                if len(kept) < keep:
                    kept += chunk[: keep - len(kept)]
            body = kept.decode("utf-8", "replace")
            return Reply(
                response.status_code, body, time.monotonic() - started, response.headers, size
            )
    except requests.RequestException as exc:
        return Reply(None, type(exc).__name__, time.monotonic() - started)


@dataclass
class Line:
    finding: str
    request: str
    reply: Reply | None
    passed: bool
    note: str = ""


@dataclass
class Target:
    """The running apps and the data sets the probe made."""

    read: str
    write: str
    read_pid: int
    database_url: str
    env: dict[str, str]
    tokens: dict[str, str]
    http: requests.Session = field(default_factory=requests.Session)

    def auth(self, data_type: str) -> dict[str, str]:
        return {**JSON, "Authorization": f"Bearer {self.tokens[data_type]}"}

    def post(self, data_type: str, body: Any, **kwargs: Any) -> Reply:
        data = body if isinstance(body, bytes) else json.dumps(body)
        return call(
            self.http,
            "POST",
            f"{self.write}/data/{GROUP}/{data_type}",
            data=data,
            headers=kwargs.pop("headers", None) or self.auth(data_type),
            **kwargs,
        )

    def patch(self, data_type: str, record_id: str, body: Any) -> Reply:
        return call(
            self.http,
            "PATCH",
            f"{self.write}/data/{GROUP}/{data_type}/{record_id}",
            data=json.dumps(body),
            headers=self.auth(data_type),
        )

    def get(self, data_type: str, query: str, **kwargs: Any) -> Reply:
        headers = {"Cache-Control": "no-cache"}
        return call(
            self.http,
            "GET",
            f"{self.read}/data/{GROUP}/{data_type}?{query}",
            headers=headers,
            **kwargs,
        )


# -- checks ----------------------------------------------------------------------------------


def client_error(reply: Reply) -> bool:
    """A 4xx with a JSON body: what the issue asks of every bad input."""
    return reply.status is not None and 400 <= reply.status < 500 and reply.json() is not None


def status_is(status: int) -> Callable[[Reply], bool]:
    return lambda reply: reply.status == status and reply.json() is not None


def short(text: str, width: int = 90) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 3] + "..."


def data_of(reply: Reply) -> list[Any]:
    document = reply.json()
    return document.get("data", []) if isinstance(document, dict) else []


# -- findings --------------------------------------------------------------------------------

Finding = Callable[[Target], list[Line]]


def bad_input(target: Target) -> list[Line]:
    """The "Bad input answered with 500" list: each must get a 4xx JSON error."""
    t = target
    stamp = "2014-01-06T00:00:00Z"
    cases: list[tuple[str, str, Callable[[], Reply]]] = [
        (
            "NUL in a path segment (read)",
            "GET /a%00",
            lambda: call(t.http, "GET", f"{t.read}/a%00"),
        ),
        (
            "NUL in a path segment (write, before auth)",
            "POST /data/x%00y/t1",
            lambda: call(t.http, "POST", f"{t.write}/data/x%00y/t1", data="{}", headers=JSON),
        ),
        (
            "NUL in _id",
            'POST {"_id": "a\\u0000b"}',
            lambda: t.post("records", {"_id": "a\0b", "_timestamp": stamp}),
        ),
        (
            "NUL in a string value",
            'POST {"channel": "a\\u0000b"}',
            lambda: t.post("records", {"_timestamp": stamp, "channel": "a\0b"}),
        ),
        ("NUL in a key", 'POST {"a\\u0000b": 1}', lambda: t.post("records", {"a\0b": 1})),
        (
            "NUL in a filter_by value",
            "GET ?filter_by=channel:a%00b",
            lambda: t.get("records", "filter_by=channel:a%00b"),
        ),
        (
            "NUL in a PATCH record id",
            "PATCH /data/probe/records/a%00b",
            lambda: call(
                t.http,
                "PATCH",
                f"{t.write}/data/{GROUP}/records/a%00b",
                data='{"xx": 1}',
                headers=t.auth("records"),
            ),
        ),
        (
            "NUL in a DELETE record id",
            "DELETE /data/probe/records/a%00b",
            lambda: call(
                t.http, "DELETE", f"{t.write}/data/{GROUP}/records/a%00b", headers=t.auth("records")
            ),
        ),
        (
            "_timestamp overflowing with its offset",
            '_timestamp "9999-12-31T23:59:59-01:00"',
            lambda: t.post("records", {"_timestamp": "9999-12-31T23:59:59-01:00"}),
        ),
        (
            "_timestamp overflowing with its offset",
            '_timestamp "0001-01-01T00:00:00+01:00"',
            lambda: t.post("records", {"_timestamp": "0001-01-01T00:00:00+01:00"}),
        ),
        (
            "overflowing _start_at on /transform",
            'POST /transform {"_start_at": "9999-12-31T23:59:59-01:00"}',
            lambda: call(
                t.http,
                "POST",
                f"{t.write}/data/{GROUP}/records/transform",
                data=json.dumps({"_start_at": "9999-12-31T23:59:59-01:00"}),
                headers=t.auth("records"),
            ),
        ),
    ]
    for period in ("year", "hour", "day", "month"):
        query = f"period={period}&duration=1000000000"
        cases.append(("huge duration", f"GET ?{query}", partial(t.get, "records", query)))
    cases += [
        (
            "huge duration",
            "GET ?period=quarter&duration=9999999999999999999999999",
            lambda: t.get("records", "period=quarter&duration=9999999999999999999999999"),
        ),
        (
            "limit >= 2^63",
            "GET ?limit=18446744073709551616",
            lambda: t.get("records", "limit=18446744073709551616"),
        ),
        (
            "integer 2^64-1",
            'POST {"count": 18446744073709551615}',
            lambda: t.post("records", {"_timestamp": stamp, "count": 18446744073709551615}),
        ),
        (
            "integer above 2^64",
            'POST {"count": 18446744073709551617}',
            lambda: t.post("records", {"_timestamp": stamp, "count": 18446744073709551617}),
        ),
        ("PATCH key '.a'", 'PATCH {".a": 1}', lambda: t.patch("records", "q1", {".a": 1})),
        ("PATCH key 'a.'", 'PATCH {"a.": 1}', lambda: t.patch("records", "q1", {"a.": 1})),
        ("PATCH key ''", 'PATCH {"": 1}', lambda: t.patch("records", "q1", {"": 1})),
        (
            "PATCH nested 1,000 levels deep",
            'PATCH {"deep": [[[...]]]} (1,000 levels)',
            lambda: call(
                t.http,
                "PATCH",
                f"{t.write}/data/{GROUP}/records/q1",
                data='{"deep": ' + "[" * 999 + "]" * 999 + "}",
                headers=t.auth("records"),
            ),
        ),
        (
            "an _id of about 4 KB",
            'POST {"_id": "x" * 4000}',
            lambda: t.post("records", {"_id": "x" * 4000, "_timestamp": stamp}),
        ),
        (
            "a key with a trailing newline",
            'POST {"count\\n": 1}',
            lambda: t.post("records", {"_timestamp": stamp, "count\n": 1}),
        ),
    ]
    lines = []
    for finding, request, send in cases:
        reply = send()
        lines.append(Line(finding, request, reply, client_error(reply)))
    return lines


def sums(target: Target) -> list[Line]:
    """Means and sums that overflow a double: 200 with null on both engines (never a 5xx)."""
    lines = []
    for query, key in (
        ("group_by=kind&collect=mv:mean", "mv:mean"),
        ("group_by=kind&collect=sv:sum", "sv:sum"),
    ):
        reply = target.get("sums", query)
        rows = data_of(reply)
        value = rows[0].get(key, "missing") if rows else "missing"
        finding = "mean over 1e308, 1e308, 1.5" if "mean" in key else "sum of 1e308 + 1e308"
        lines.append(
            Line(
                finding,
                f"GET ?{query}",
                reply,
                reply.status == 200 and value is None,
                f"{key} = {value}",
            )
        )
    return lines


def oversized(target: Target) -> list[Line]:
    """Bodies over the cap: 413 JSON, plain (one 17 MB record; a 48 MiB list) and gzip."""
    lines = []
    record = {"_id": "huge", "_timestamp": "2014-01-06T00:00:00Z", "text": "x" * (17 << 20)}
    reply = target.post("big", record, timeout=60)
    lines.append(Line("a record over 16 MB", "POST 17 MB record", reply, status_is(413)(reply)))
    text = "y" * 10_000
    many = [
        {"_id": f"r{i}", "_timestamp": "2014-01-06T00:00:00Z", "text": text}
        for i in range(48 * 1024 * 1024 // 10_050)
    ]
    body = json.dumps(many).encode()
    reply = target.post("big", body, timeout=120)
    request = f"POST {len(body) / (1 << 20):.0f} MiB list of records"
    lines.append(Line("no cap on plain bodies", request, reply, status_is(413)(reply)))
    bomb = gzip.compress(b"[" + b" " * (64 << 20) + b"]", 9)
    headers = {**target.auth("big"), "Content-Encoding": "gzip"}
    reply = target.post("big", bomb, headers=headers, timeout=60)
    request = f"POST gzip bomb ({len(bomb) >> 10} KiB -> 64 MiB)"
    lines.append(Line("gzip bodies capped", request, reply, status_is(413)(reply)))
    return lines


def type_tags(target: Target) -> list[Line]:
    """PATCH a value that looks like a type tag; it reads back as sent and breaks no read."""
    patched = target.patch("records", "q2", {"note": {"$date": "garbage"}})
    lines = [
        Line(
            "PATCH a $date look-alike",
            'PATCH q2 {"note": {"$date": "garbage"}}',
            patched,
            patched.status == 200,
        )
    ]
    for query in ("limit=10", "filter_by=channel:b", "format=csv"):
        reply = target.get("records", query)
        passed = reply.status == 200
        if query == "filter_by=channel:b":
            notes = [row.get("note") for row in data_of(reply) if row.get("_id") == "q2"]
            passed = passed and notes == [{"$date": "garbage"}]
            note = f"note read back: {notes}"
        else:
            note = ""
        lines.append(Line("... then a raw read", f"GET ?{query}", reply, passed, note))
    return lines


def engines_agree(target: Target) -> list[Line]:
    """Generated ids can be patched; `a.b` means the same on both engines (refused)."""
    t = target
    lines = []
    t.post(
        "records", {"_timestamp": "2014-01-07T00:00:00Z", "channel": "gen", "marker": "generated"}
    )
    rows = data_of(t.get("records", "filter_by=marker:generated"))
    record_id = str(rows[0]["_id"]) if rows else "missing"
    reply = t.patch("records", record_id, {"patched": 1})
    after = [row.get("patched") for row in data_of(t.get("records", "filter_by=marker:generated"))]
    lines.append(
        Line(
            "PATCH by a generated id",
            f"PATCH /data/probe/records/{record_id}",
            reply,
            reply.status == 200 and after == [1],
            f"patched read back: {after}",
        )
    )
    reply = t.patch("records", "q1", {"a.b": 1})
    lines.append(
        Line(
            "PATCH key 'a.b' (engines disagreed)", 'PATCH q1 {"a.b": 1}', reply, client_error(reply)
        )
    )
    return lines


def drop_route(target: Target) -> list[Line]:
    """The drop route never drops the registry."""
    t = target
    reply = call(
        t.http,
        "DELETE",
        f"{t.write}/data-sets/backdrop.data_sets",
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
    )
    lines = [
        Line(
            "drop route on the registry",
            "DELETE /data-sets/backdrop.data_sets",
            reply,
            reply.status == 404,
        )
    ]
    after = t.get("records", "limit=1")
    lines.append(
        Line(
            "... then a read (registry intact)",
            "GET /data/probe/records?limit=1",
            after,
            after.status == 200,
        )
    )
    return lines


def nosniff(target: Target) -> list[Line]:
    t = target
    replies = {
        "GET /_status": call(t.http, "GET", f"{t.read}/_status"),
        "GET /nope/at/all": call(t.http, "GET", f"{t.read}/nope/at/all"),
        "GET ?period=fortnight": t.get("records", "period=fortnight"),
        "POST /_status": call(t.http, "POST", f"{t.write}/_status"),
    }
    return [
        Line(
            "X-Content-Type-Options: nosniff",
            request,
            reply,
            reply.headers.get("X-Content-Type-Options") == "nosniff",
        )
        for request, reply in replies.items()
    ]


AMPLIFYING = (
    "group_by=aa&group_by=bb&period=month&start_at=2014-01-01T00:00:00Z"
    "&end_at=2015-01-01T00:00:00Z&flatten=true",
    "group_by=aa&group_by=bb&period=week&start_at=2013-12-30T00:00:00Z"
    "&end_at=2014-12-29T00:00:00Z&flatten=true",
    "period=hour&start_at=1950-01-01T00:00:00Z&end_at=2050-01-01T00:00:00Z",
    "period=hour&duration=1000000",
)


def amplifying(target: Target) -> list[Line]:
    """Reads whose answers multiply: 400 saying how many rows, quickly, memory bounded."""
    lines = []
    before = peak_rss_kib(target.read_pid)
    for query in AMPLIFYING:
        reply = target.get("amp", query, timeout=SLOW_TIMEOUT, keep=2000)
        message = str((reply.json() or {}).get("message", "")) if reply.status == 400 else ""
        passed = reply.status == 400 and "rows" in message and reply.seconds < 10
        note = f"{reply.size / (1 << 20):.1f} MiB answer" if reply.status == 200 else ""
        lines.append(Line("amplifying read", f"GET ?{query}", reply, passed, note))
    after = peak_rss_kib(target.read_pid)
    grown = (after - before) / 1024
    lines.append(
        Line(
            "read worker memory bounded",
            "peak RSS (VmHWM) of the read workers, before -> after",
            None,
            grown < 100,
            f"{before / 1024:.0f} MiB -> {after / 1024:.0f} MiB",
        )
    )
    return lines


def concurrent_upserts(target: Target) -> list[Line]:
    """8 writers posting the same 500 `_id`s, each batch in its own shuffled order."""
    records = [
        {"_id": f"id{i}", "_timestamp": "2014-01-06T00:00:00Z", "kind": "dl", "nn": i}
        for i in range(500)
    ]

    def write(seed: int) -> list[Reply]:
        shuffled = list(records)
        replies = []
        for round_ in range(8):
            random.Random(seed * 100 + round_).shuffle(shuffled)
            replies.append(target.post("dl", shuffled, timeout=60))
        return replies

    with ThreadPoolExecutor(8) as pool:
        replies = [reply for batch in pool.map(write, range(8)) for reply in batch]
    failed = [reply for reply in replies if reply.status != 200]
    rows = data_of(target.get("dl", "group_by=kind"))
    count = rows[0].get("_count") if rows else None
    shown = Reply(
        failed[0].status if failed else 200,
        failed[0].body if failed else "",
        max(r.seconds for r in replies),
    )
    return [
        Line(
            "concurrent upserts of the same ids",
            "8 writers x 8 POSTs of the same 500 _ids, shuffled",
            shown,
            not failed and count == 500,
            f"{len(replies) - len(failed)}/{len(replies)} answered 200; count {count}",
        )
    ]


# -- faults: a database that is not there, a broker that never answers -------------------------


@contextlib.contextmanager
def silent_listener() -> Iterator[int]:
    """A port that accepts connections and never answers; yields the port."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    held: list[socket.socket] = []
    stopping = threading.Event()

    def accept() -> None:
        sock.settimeout(0.2)
        while not stopping.is_set():
            with contextlib.suppress(OSError):
                held.append(sock.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield int(sock.getsockname()[1])
    finally:
        stopping.set()
        thread.join(5)
        for conn in held:
            conn.close()
        sock.close()


def with_port(url: str, port: int) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)
    host = f"127.0.0.1:{port}"
    return urlunsplit(parts._replace(netloc=f"{netloc[0]}@{host}" if len(netloc) == 2 else host))


def fast_503(finding: str, request: str, reply: Reply) -> Line:
    """The issue's bound for a database that cannot be reached: a 503 within 2 s."""
    return Line(finding, request, reply, reply.status == 503 and reply.seconds < 2)


def at_once(send: Callable[[], Reply], status: int, seconds: float) -> tuple[Reply, bool]:
    """Send 8 requests at once: the slowest reply, and whether every one got `status` within
    `seconds`."""
    with ThreadPoolExecutor(8) as pool:
        replies = list(pool.map(lambda _: send(), range(8)))
    slowest = max(replies, key=lambda reply: reply.seconds)
    return slowest, all(reply.status == status for reply in replies) and slowest.seconds < seconds


def database_down(target: Target) -> list[Line]:
    """Apps whose database is not there: a 503 within 2 s, also 8 at once; readiness says so."""
    dead = with_port(target.database_url, processes.free_port())
    env = {**target.env, "DATABASE_URL": dead}
    lines = []
    with processes.app("read", env) as read, processes.app("write", env) as write:
        http = requests.Session()
        query = f"{read.url}/data/{GROUP}/records?limit=1"
        reply = call(http, "GET", query, timeout=20)
        lines.append(fast_503("database down: a read", "GET /data/probe/records?limit=1", reply))
        slowest, passed = at_once(
            lambda: call(requests.Session(), "GET", query, timeout=30), 503, 2
        )
        lines.append(
            Line("database down: 8 reads at once", "8 x GET (slowest shown)", slowest, passed)
        )
        reply = call(
            http,
            "POST",
            f"{write.url}/data/{GROUP}/records",
            data="{}",
            headers=target.auth("records"),
            timeout=20,
        )
        lines.append(fast_503("database down: a write", "POST /data/probe/records", reply))
        reply = call(http, "GET", f"{read.url}/_status/data-sets", timeout=20)
        lines.append(fast_503("database down: staleness", "GET /_status/data-sets", reply))
        reply = call(http, "GET", f"{read.url}/_status", timeout=20)
        lines.append(Line("database down: liveness", "GET /_status", reply, reply.status == 200))
        reply = call(http, "GET", f"{read.url}/_status/ready", timeout=20)
        ready = fast_503("database down: readiness", "GET /_status/ready", reply)
        ready.passed = ready.passed and "database" in reply.body
        lines.append(ready)
    return lines


def broker_silent(target: Target) -> list[Line]:
    """A broker that accepts connections and never answers holds no write up."""
    lines = []
    with silent_listener() as port:
        env = {**target.env, "BROKER_URL": f"redis://127.0.0.1:{port}/0"}
        with processes.app("write", env) as write:
            http = requests.Session()
            url = f"{write.url}/data/{GROUP}/records"
            body = json.dumps({"_timestamp": "2014-01-08T00:00:00Z", "channel": "broker"})

            def post() -> Reply:
                return call(
                    requests.Session(),
                    "POST",
                    url,
                    data=body,
                    headers=target.auth("records"),
                    timeout=15,
                )

            reply = post()
            lines.append(
                Line(
                    "broker never answers: a write",
                    "POST /data/probe/records",
                    reply,
                    reply.status == 200 and reply.seconds < 5,
                )
            )
            slowest, passed = at_once(post, 200, 5)
            lines.append(
                Line(
                    "broker never answers: 8 writes at once",
                    "8 x POST (slowest shown)",
                    slowest,
                    passed,
                )
            )
            reply = call(http, "GET", f"{write.url}/_status", timeout=10)
            lines.append(Line("... then liveness", "GET /_status", reply, reply.status == 200))
    return lines


FINDINGS: Sequence[Finding] = (  # the drop route last: before the issue, it drops the registry
    bad_input,
    sums,
    type_tags,
    engines_agree,
    nosniff,
    oversized,
    amplifying,
    concurrent_upserts,
    database_down,
    broker_silent,
    drop_route,
)


# -- set-up ----------------------------------------------------------------------------------


def backdrop_command(env: Mapping[str, str], *args: str) -> dict[str, Any]:
    """Run `backdrop ARGS` with this interpreter and `env`."""
    done = subprocess.run(
        [sys.executable, "-c", "from backdrop.cli import main; main()", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    document: dict[str, Any] = json.loads(done.stdout)
    return document


DATA_SETS = {  # data type -> extra `data-set create` options
    "records": ["--raw-queries-allowed"],
    "sums": ["--raw-queries-allowed"],
    "big": ["--raw-queries-allowed"],
    "amp": [],  # refuses raw queries: amplifying reads work on such data sets too
    "dl": [],
}


def seed(target: Target) -> None:
    """The records the findings read, patch and aggregate."""
    t = target
    base = {"_timestamp": "2014-01-06T00:00:00Z"}
    t.post(
        "records", [{**base, "_id": "q1", "channel": "a"}, {**base, "_id": "q2", "channel": "b"}]
    )
    t.post(
        "sums",
        [
            {**base, "kind": "k", "mv": 1e308, "sv": 1e308},
            {**base, "kind": "k", "mv": 1e308, "sv": 1e308},
            {**base, "kind": "k", "mv": 1.5},
        ],
    )
    amp = [
        {
            "_timestamp": f"2014-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:00:00Z",
            "aa": i,
            "bb": i,
        }
        for i in range(400)
    ]
    t.post("amp", amp, timeout=60)


def run(database_url: str, data_dir: Path) -> list[Line]:
    env = {
        "DATABASE_URL": database_url,
        "BACKDROP_DATA_DIR": str(data_dir),
        "STAGECRAFT_COLLECTION_ENDPOINT_TOKEN": ADMIN_TOKEN,
        "LOG_LEVEL": "WARNING",
    }
    tokens = {}
    for data_type, options in DATA_SETS.items():
        name = f"{GROUP}_{data_type}"
        created = backdrop_command(
            env,
            "data-set",
            "create",
            name,
            "--data-group",
            GROUP,
            "--data-type",
            data_type,
            *options,
        )
        tokens[data_type] = str(created["bearer_token"])
    with processes.app("read", env) as read, processes.app("write", env) as write:
        target = Target(read.url, write.url, read.pid, database_url, env, tokens)
        seed(target)
        lines = []
        for finding in FINDINGS:
            try:
                found = finding(target)
            except Exception as exc:  # a probe that broke still reports, and the rest run
                found = [Line(finding.__name__, "-", None, False, f"probe failed: {exc!r}")]
            for line in found:
                print(render(line), flush=True)
            lines += found
    return lines


def render(line: Line) -> str:
    reply = line.reply
    status = reply.shown if reply else "-"
    body = short(reply.body) if reply and reply.status is not None else ""
    note = f" [{line.note}]" if line.note else ""
    verdict = "PASS" if line.passed else "FAIL"
    return f"{verdict} | {line.finding} | {line.request[:110]} | {status} | {body}{note}"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", help="an empty database (default: a fresh embedded one)")
    args = parser.parse_args()
    import backdrop

    print(f"# code: {Path(backdrop.__file__).parent.parent}", flush=True)
    with tempfile.TemporaryDirectory(prefix="probe-") as tmp:
        data_dir = Path(tmp)
        if args.database_url:
            print(f"# database: {urlsplit(args.database_url).scheme}", flush=True)
            lines = run(args.database_url, data_dir)
        else:
            with processes.embedded_database(data_dir / "db") as url:
                print("# database: embedded (mongodb)", flush=True)
                lines = run(url, data_dir)
    failed = sum(not line.passed for line in lines)
    print(f"# {len(lines) - failed} passed, {failed} failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
