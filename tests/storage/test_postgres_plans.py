"""How the PostgreSQL engine's statements are planned, where the plan decides what a query costs:
a count per period reads only the index (it costs by the records in its range), and a limited
read in insertion order walks the records in order and stops at the limit. Plans, not times:
speed is measured by the benchmark (tools/benchmark.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
from psycopg import sql

from backdrop.core.periods import Period
from backdrop.core.query import Query
from backdrop.core.storage.postgres import PostgresStorage
from backdrop.core.storage.postgres.aggregate import fast_statement
from backdrop.core.storage.postgres.sql import Clause, find_statement
from backdrop.core.storage.postgres.tables import table, table_name

START = datetime(2014, 1, 6, tzinfo=UTC)


@pytest.fixture(scope="module")
def hourly(postgres_url: str) -> Iterator[str]:
    """A data set of 2,000 hourly records, each `authority` in one of 250, vacuumed as at rest."""
    name = "plans_hourly"
    storage = PostgresStorage(postgres_url, timeout=5.0)
    try:
        storage.save(
            name,
            [
                {
                    "_id": f"r{n:04d}",
                    "_timestamp": START + timedelta(hours=n),
                    "authority": f"a{n % 250}",
                }
                for n in range(2000)
            ],
        )
    finally:
        storage.close()
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(sql.SQL("VACUUM ANALYZE {}").format(table(name)))
    yield name


def plan(url: str, statement: Clause) -> list[dict[str, Any]]:
    """The plan's nodes, outermost first."""
    with psycopg.connect(url, autocommit=True) as conn:
        explained = sql.SQL("EXPLAIN (FORMAT JSON) {}").format(statement.text)
        found = conn.execute(explained, statement.params).fetchone()
    assert found is not None
    nodes, pending = [], [found[0][0]["Plan"]]
    while pending:
        node = pending.pop(0)
        nodes.append(node)
        pending += node.get("Plans", [])
    return nodes


def test_a_count_per_period_reads_only_the_timestamp_index(postgres_url: str, hourly: str) -> None:
    query = Query(start_at=START, end_at=START + timedelta(days=2), period=Period.DAY)
    scans = [
        (node["Node Type"], node.get("Index Name"))
        for node in plan(postgres_url, fast_statement(table(hourly), query, text_keys=False))
        if "Scan" in node["Node Type"]
    ]
    index = f"i_{table_name(hourly)}_ts"
    # The records with a stored bucket from the index alone; those without one (none here),
    # found through the index, with their JSONB.
    assert scans == [("Index Only Scan", index), ("Index Scan", index)]


def test_a_limited_filtered_read_walks_the_records_in_order(postgres_url: str, hourly: str) -> None:
    """However rare the planner takes the value to be (it cannot tell for JSONB)."""
    query = Query(filter_by=(("authority", "a7"),), limit=5)
    nodes = plan(postgres_url, find_statement(table(hourly), query))
    assert [node["Node Type"] for node in nodes] == ["Limit", "Index Scan"]
    assert nodes[1]["Index Name"] == f"i_{table_name(hourly)}_seq"
