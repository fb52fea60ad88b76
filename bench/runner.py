"""One benchmark run: load, query, hammer, measure memory; every figure next to its raw twin."""

from __future__ import annotations

import contextlib
import json
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import requests

from backdrop.core.config import Settings
from backdrop.core.data_set_config import DataSetConfig
from backdrop.core.records import prepare_records
from backdrop.core.registry.local import LocalRegistry
from backdrop.core.storage import open_storage
from bench.measure import (
    KeptAlive,
    interleaved,
    peak_rss_kib,
    post,
    post_batches,
    throughput,
    timed,
)
from bench.queries import QUERIES, BenchQuery
from bench.twins import MongoTwin, Twin
from bench.workload import Workload, generate
from tests.support import processes

# The original Backdrop on this platform (issue 6): records/s, ms, requests/s.
ORIGINAL = {"load": 2986.0, "q1": 17.3, "q2": 516.0, "q3": 37.0, "q4": 307.0, "q5": 785.0,
            "q6": 8.0, "q7": 346.0, "q8": 69.0, "q9": 39.0, "concurrency": 27.0}  # fmt: skip
BATCH = 1000
NO_CACHE = {"Cache-Control": "no-cache"}


@dataclass(frozen=True, slots=True)
class Options:
    engine: str
    database_url: str | None
    records: int
    repeats: int = 7
    warmup: int = 2
    clients: int = 8
    concurrency_seconds: float = 10.0
    seed: int = 20141127
    reuse: bool = False  # keep the data set an earlier run loaded into `database_url`


def _data_set(settings: Settings, name: str, records: int, reuse: bool) -> str | None:
    """The run's raw-queryable data set in the built-in registry: kept if `reuse` and it holds
    `records` records already (returns None: nothing to load), else made afresh (its token)."""
    storage = open_storage(settings)
    try:
        registry = LocalRegistry(storage)
        if registry.by_name(name) is not None:
            if reuse and storage.count_records(name) == records:
                return None
            registry.delete(name)
        storage.drop_data_set(name)
        config = DataSetConfig(name, "bench", name, raw_queries_allowed=True)
        return registry.create(config)[1]
    finally:
        storage.close()


@contextlib.contextmanager
def _database(options: Options, scratch: Path) -> Iterator[str]:
    if options.database_url:
        yield options.database_url
    else:
        with processes.embedded_database(scratch, options.engine) as url:
            yield url


def _twin(engine: str, url: str, data_set: str) -> Twin:
    if engine == "mongodb":
        return MongoTwin(url, data_set)
    from bench.sql_twin import PostgresTwin

    twin: Twin = PostgresTwin(url, data_set)
    return twin


def _load(workload: Workload, write_url: str, name: str, token: str, twin: Twin
          ) -> dict[str, Any]:  # fmt: skip
    """Half the records with 1 client, each batch followed by the raw twin upserting the same
    batch (so both meet the same conditions), then the other half with 4 clients: records/s.
    Batches are made as they are sent (the first half) or encoded before the clock starts
    (the second), so ten million records never sit in memory as dicts."""
    half = len(workload) // BATCH // 2 * BATCH
    url = f"{write_url}/data/bench/{name}"
    config = DataSetConfig(name, "bench", name)
    ours = raw = 0.0
    twin.start_load()
    try:
        with requests.Session() as session:
            for batch in workload.batches(BATCH, stop=half):
                body = orjson.dumps(batch)
                started = time.perf_counter()
                post(session, url, token, body)
                ours += time.perf_counter() - started
                prepared = prepare_records(batch, config)
                started = time.perf_counter()
                twin.upsert(prepared)
                raw += time.perf_counter() - started
    finally:
        twin.end_load()
    rest = [orjson.dumps(batch) for batch in workload.batches(BATCH, start=half)]
    four = post_batches(url, token, rest, clients=4)
    return {
        "records_per_s_1_client": half / ours,
        "raw_records_per_s": half / raw,
        "records_per_s_4_clients": (len(workload) - half) / four,
    }


def _query(options: Options, read_url: str, name: str, query: BenchQuery, workload: Workload,
           twin: Twin) -> dict[str, Any]:  # fmt: skip
    """Ours uncached, the statement the engine runs for it (where there is one) and the raw
    twin, their runs taking turns so that all see the same machine (a shared, noisy one);
    then ours cached."""
    path = f"/data/bench/{name}"
    raw = twin.query(query)
    statement = twin.statement(query)
    client = KeptAlive(read_url)
    try:
        data = orjson.loads(client.get(path, query.params, NO_CACHE))["data"]
        query.check(workload, data)

        def ours(headers: dict[str, str]) -> Callable[[], object]:
            return lambda: client.get(path, query.params, headers)

        calls = [ours(NO_CACHE), raw, *([statement.run] if statement else [])]
        uncached, raw_timing, *engine = interleaved(
            calls, warmup=options.warmup, repeats=options.repeats
        )
        cached = timed(ours({}), warmup=options.warmup, repeats=options.repeats)
    finally:
        client.close()
    return {
        "description": query.description,
        "records_counted": records_counted(data),
        "ours_ms": uncached.median_ms,
        "ours_p95_ms": uncached.p95_ms,
        "ours_cached_ms": cached.median_ms,
        "engine_statement_ms": engine[0].median_ms if engine else None,
        "engine_statement": statement.text if statement else None,
        "raw_ms": raw_timing.median_ms,
        "raw_p95_ms": raw_timing.p95_ms,
        "ratio": uncached.median_ms / raw_timing.median_ms,
        "goal_met": uncached.median_ms <= max(1.5 * raw_timing.median_ms, raw_timing.median_ms + 5),
        "original_ms": ORIGINAL[query.name],
    }


def records_counted(data: list[dict[str, Any]]) -> int | None:
    """How many records an aggregate answer counts (its `_count`s, a group's in its `values`),
    for figures that should grow with the records a query reads; None for raw records."""
    rows = [value for row in data for value in row.get("values", [row])]
    if not rows or any("_count" not in row for row in rows):
        return None
    return sum(int(row["_count"]) for row in rows)


Progress = Callable[[int, int, str], None]
STEPS = 3 + len(QUERIES)  # the load, each query, the concurrency run, the memory reading


def run(options: Options, progress: Progress | None = None) -> dict[str, Any]:
    """Everything, in one run; returns the results (also printed by `report`). `progress` is
    told (steps done, STEPS, what runs now) as each step starts."""

    def step(done: int, label: str) -> None:
        if progress is not None:
            progress(done, STEPS, label)

    name = f"bench_{options.engine}_{options.records}"
    workload = generate(options.records, options.seed)
    with (
        tempfile.TemporaryDirectory(prefix="backdrop-bench-") as scratch,
        _database(options, Path(scratch)) as url,
    ):
        env = {
            "DATABASE_ENGINE": options.engine,
            "DATABASE_URL": url,
            "STAGECRAFT_URL": "",
            "BACKDROP_DATA_DIR": scratch,  # the apps' files go with the run, not into ./var
        }
        settings = Settings(database_engine=options.engine, database_url=url)
        token = _data_set(settings, name, options.records, options.reuse)
        twin = _twin(options.engine, url, name)
        try:
            with processes.app("write", env) as write, processes.app("read", env) as read:
                results: dict[str, Any] = {
                    "engine": options.engine,
                    "records": options.records,
                    "raw": twin.label,
                    "load": None,
                }
                if token is not None:
                    step(0, f"loading {options.records:,} records")
                    results["load"] = _load(workload, write.url, name, token, twin)
                results["queries"] = {}
                for index, query in enumerate(QUERIES, start=1):
                    step(index, f"timing {query.name}")
                    results["queries"][query.name] = _query(
                        options, read.url, name, query, workload, twin
                    )
                step(1 + len(QUERIES), f"q3 with {options.clients} clients")
                q3 = dict(QUERIES[2].params)
                results["concurrency"] = {
                    "clients": options.clients,
                    "q3_requests_per_s": throughput(
                        lambda s: s.get(f"{read.url}/data/bench/{name}", params=q3,
                                        timeout=60).raise_for_status(),
                        options.clients, options.concurrency_seconds,
                    ),
                }  # fmt: skip
                step(2 + len(QUERIES), "reading peak memory")
                results["peak_rss_mib"] = peak_rss_kib(read.pid) / 1024
                step(STEPS, "done")
        finally:
            twin.close()
    return results


def report(results: dict[str, Any]) -> str:
    """The results as tables: the load, then each query (ours uncached and cached, the
    statement the engine runs, the raw twin, the ratio against the goal), then throughput
    and memory."""
    load = results["load"]
    lines = [f"engine {results['engine']}, {results['records']:,} records", ""]
    if load is None:
        lines += ["(records loaded by an earlier run: no load figures)", ""]
    else:
        one = load["records_per_s_1_client"]
        lines += [
            "| load | records/s | ratio | goal | met |",
            "|---|---:|---:|---|---|",
            f"| over HTTP, batches of {BATCH}, 1 client | {one:,.0f} | "
            f"{one / load['raw_records_per_s']:.2f} of raw | ≥ 0.5 of raw, ≥ 10x original "
            f"({ORIGINAL['load'] * 10:,.0f}) | "
            f"{_yes(one >= 0.5 * load['raw_records_per_s'] and one >= 10 * ORIGINAL['load'])} |",
            f"| over HTTP, 4 clients | {load['records_per_s_4_clients']:,.0f} | | | |",
            f"| raw: batched upsert of the same batches, 1 client | "
            f"{load['raw_records_per_s']:,.0f} | | | |",
            "",
        ]
    lines += [
        "| query | records counted | ours, no-cache (p95) | ours, cached | engine's statement "
        f"| raw: {results['raw']} | ours / raw | ≤ 1.5x raw or raw + 5 ms |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name, query in results["queries"].items():
        counted = query.get("records_counted")
        statement = query.get("engine_statement_ms")
        lines.append(
            f"| {name} {query['description']} | {'' if counted is None else f'{counted:,}'} | "
            f"{query['ours_ms']:.1f} ms ({query['ours_p95_ms']:.1f}) | "
            f"{query['ours_cached_ms']:.1f} ms | "
            f"{'' if statement is None else f'{statement:.1f} ms'} | {query['raw_ms']:.1f} ms | "
            f"{query['ratio']:.2f} | {_yes(query['goal_met'])} |"
        )
    rate = results["concurrency"]["q3_requests_per_s"]
    lines += [
        "",
        f"q3 with {results['concurrency']['clients']} concurrent clients: {rate:,.0f} req/s "
        f"({rate / ORIGINAL['concurrency']:.1f}x original; goal ≥ 270: {_yes(rate >= 270)}); "
        f"read worker peak RSS: {results['peak_rss_mib']:.0f} MiB",
    ]
    return "\n".join(lines)


def _yes(flag: bool) -> str:
    return "yes" if flag else "**no**"


def write_json(results: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n", encoding="utf-8")
