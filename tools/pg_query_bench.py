#!/usr/bin/env python3
"""Time the query set of issue 6 (q1-q9) on PostgreSQL: through the storage engine plus
shaping (`DataSets.query`, what a read request does minus HTTP), next to the very same SQL run
directly with psql (`\\timing`). Loads seeded licensing-style records first, through
`prepare_records` + `Storage.save` in batches of 1,000, into a throw-away database.

    .venv/bin/python -m tools.pg_query_bench --records 1000000
"""

from __future__ import annotations

import contextlib
import json
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import click
import orjson
import psycopg

from backdrop.core.data_set_config import DataSetConfig
from backdrop.core.data_sets import DataSets
from backdrop.core.records import prepare_records
from backdrop.core.storage.postgres.storage import PostgresStorage
from backdrop.web.rendering import dumps
from bench.measure import timed
from bench.queries import QUERIES
from bench.sql_twin import bench_query, statement_text
from bench.workload import generate
from tests.support.servers import throwaway_postgres

NAME = "licensing"
_TIME = re.compile(r"^Time: ([0-9.]+) ms", re.MULTILINE)


def psql_median_ms(url: str, text: str, warmup: int, repeats: int) -> float:
    # The session settings the engine's pooled connections use (storage.py `_configure`).
    settings = "SET TIME ZONE 'UTC';\nSET work_mem = '64MB';\n"
    script = (
        settings + "\\timing on\n\\o /dev/null\n" + (text.rstrip(";") + ";\n") * (warmup + repeats)
    )
    out = subprocess.run(
        ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", url],
        input=script, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    times = [float(found) for found in _TIME.findall(out)]
    return statistics.median(times[warmup:])


def load(storage: PostgresStorage, records: int, seed: int) -> float:
    workload = generate(records, seed)
    config = DataSetConfig(NAME, "bench", NAME, raw_queries_allowed=True)
    storage.create_data_set(NAME, None)
    started = time.perf_counter()
    with click.progressbar(length=records, label="Loading", file=sys.stderr) as bar:
        for batch in workload.batches(1000):
            storage.save(NAME, prepare_records(batch, config))
            bar.update(len(batch))
    return records / (time.perf_counter() - started)


@contextlib.contextmanager
def database(url: str | None) -> Iterator[str]:
    if url:
        yield url
    else:
        with throwaway_postgres() as fresh:
            yield fresh


@click.command()
@click.option("--records", type=int, default=1_000_000, show_default=True)
@click.option("--repeats", type=int, default=9, show_default=True)
@click.option("--warmup", type=int, default=2, show_default=True)
@click.option("--seed", type=int, default=20141127, show_default=True)
@click.option("--database-url", help="Use (and load, if empty) this database instead of a new one.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path))
def main(
    records: int, repeats: int, warmup: int, seed: int, database_url: str | None,
    json_path: Path | None,
) -> None:  # fmt: skip
    """Load, then time q1-q9 through the engine and with psql; prints a Markdown table."""
    results: dict[str, Any] = {"records": records, "queries": {}}
    with database(database_url) as url:
        storage = PostgresStorage(url, timeout=10.0)
        try:
            if storage.count_records(NAME) != records:
                storage.drop_data_set(NAME)
                results["load_records_per_s"] = load(storage, records, seed)
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute("VACUUM ANALYZE backdrop.r_licensing")
                workload = generate(records, seed)
                data_sets = DataSets(storage)
                config = DataSetConfig(NAME, "bench", NAME, raw_queries_allowed=True)
                for bench in QUERIES:
                    query = bench_query(bench)
                    answer = orjson.loads(dumps(data_sets.query(config, query)))
                    bench.check(workload, answer)
                    text = statement_text(conn, NAME, query)
                    ours = timed(
                        partial(data_sets.query, config, query), warmup=warmup, repeats=repeats
                    ).median_ms
                    raw = psql_median_ms(url, text, warmup, repeats)
                    results["queries"][bench.name] = {
                        "description": bench.description, "engine_ms": ours, "psql_ms": raw,
                        "ratio": ours / raw, "sql": text,
                    }  # fmt: skip
        finally:
            storage.close()
    lines = [
        f"PostgreSQL, {records:,} records"
        + (f", loaded at {results['load_records_per_s']:,.0f} records/s through Storage.save"
           if "load_records_per_s" in results else ""),
        "",
        "| query | engine + shaping (median ms) | same SQL in psql (median ms) | ratio |",
        "|---|---:|---:|---:|",
    ]  # fmt: skip
    for name, found in results["queries"].items():
        lines.append(
            f"| {name} {found['description']} | {found['engine_ms']:.1f} | "
            f"{found['psql_ms']:.1f} | {found['ratio']:.2f} |"
        )
    click.echo("\n".join(lines))
    if json_path is not None:
        json_path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
