"""The PostgreSQL engine's statements: every grouped one returns the columns its layout says
(the decoder reads them by it), and their plans, where the plan decides what a query costs: a
count per period reads only the index (it costs by the records in its range), a limited read in
insertion order walks the records in order and stops at the limit, and groups of a document
field are hashed. Plans, not times: speed is measured by the benchmark (tools/benchmark.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
from psycopg import sql

from backdrop.core.periods import Period
from backdrop.core.query import Collect, Query
from backdrop.core.storage.postgres.aggregate import Grouped, fast_statement, precise_statement
from backdrop.core.storage.postgres.layout import Keys
from backdrop.core.storage.postgres.sql import Clause, find_statement
from backdrop.core.storage.postgres.storage import PostgresStorage
from backdrop.core.storage.postgres.tables import table, table_name

START = datetime(2014, 1, 6, tzinfo=UTC)


@pytest.fixture(scope="module")
def hourly(postgres_url: str) -> Iterator[str]:
    """20,000 hourly records, each `authority` one of 250 and `n` a number, vacuumed as at rest."""
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
                    "n": n,
                }
                for n in range(20_000)
            ],
        )
    finally:
        storage.close()
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(sql.SQL("VACUUM ANALYZE {}").format(table(name)))
    yield name


def plan(url: str, statement: Clause | Grouped) -> list[dict[str, Any]]:
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
        for node in plan(postgres_url, fast_statement(table(hourly), query, keys=Keys.JSON))
        if "Scan" in node["Node Type"]
    ]
    index = f"i_{table_name(hourly)}"
    # The records with a stored bucket from the index alone; those without one (none here)
    # through the index that holds only them, with their JSONB.
    assert scans == [("Index Only Scan", f"{index}_ts"), ("Index Scan", f"{index}_nb")]


def test_a_limited_filtered_read_walks_the_records_in_order(postgres_url: str, hourly: str) -> None:
    """However rare the planner takes the value to be (it cannot tell for JSONB)."""
    query = Query(filter_by=(("authority", "a7"),), limit=5)
    nodes = plan(postgres_url, find_statement(table(hourly), query))
    assert [node["Node Type"] for node in nodes] == ["Limit", "Index Scan"]
    assert nodes[1]["Index Name"] == f"i_{table_name(hourly)}_seq"


@pytest.mark.parametrize(
    "query",
    [
        Query(group_by=("authority",)),
        Query(start_at=START, end_at=START + timedelta(days=3), period=Period.DAY),
        Query(period=Period.WEEK, group_by=("authority", "n"), collect=(Collect("n", "sum"),)),
        Query(
            period=Period.DAY,
            group_by=("authority",),
            collect=(Collect("n", "mean"), Collect("authority"), Collect("n", "count")),
        ),
        Query(group_by=("authority",), collect=(Collect("n", "set"), Collect("n", "sum"))),
    ],
)
def test_every_grouped_statement_returns_the_columns_its_layout_reads(
    postgres_url: str, hourly: str, query: Query
) -> None:
    statements = [
        fast_statement(table(hourly), query, keys=Keys.TEXT),
        fast_statement(table(hourly), query, keys=Keys.JSON),
        precise_statement(table(hourly), query),
        precise_statement(table(hourly), query, doubles=False),
    ]
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        for statement in statements:
            cursor = conn.execute(statement.text, statement.params)
            assert cursor.description is not None
            assert len(cursor.description) == statement.layout.width
            assert cursor.fetchall()


def test_groups_of_a_document_field_are_estimated_as_few(postgres_url: str, hourly: str) -> None:
    """Not one per record (every document differs), which made large answers sort on disk."""
    query = Query(group_by=("authority",), collect=(Collect("n", "sum"),))
    nodes = plan(postgres_url, fast_statement(table(hourly), query, keys=Keys.TEXT))
    [grouping] = [node for node in nodes if node["Node Type"] == "Aggregate"]
    assert (grouping["Strategy"], grouping["Plan Rows"]) == ("Hashed", 10_000)
