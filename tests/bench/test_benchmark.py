"""The benchmark runs as documented (`python -m bench` from the checkout, a development package
the wheel leaves out) and produces every figure: a small run on a throw-away PostgreSQL database,
its answers checked by the benchmark itself, its progress shown on stderr. No figure is judged
here: speed targets belong to the benchmark's table, not to tests."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.queries import QUERIES
from tests.support.servers import throwaway_postgres

CHECKOUT = Path(__file__).resolve().parents[2]


def run_bench(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bench", *args],
        cwd=CHECKOUT,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


def test_help_lists_the_options() -> None:
    done = run_bench("--help")
    assert done.returncode == 0, done.stderr
    for option in ("--engine", "--database-url", "--records", "--repeats", "--clients",
                   "--seconds", "--json"):  # fmt: skip
        assert option in done.stdout


def test_tools_benchmark_runs_it_from_any_directory(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(CHECKOUT / "tools" / "benchmark.py"), "--help"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "--records" in done.stdout


def test_a_small_run_measures_every_query_and_a_rerun_reuses_the_records(tmp_path: Path) -> None:
    first, again = tmp_path / "first.json", tmp_path / "again.json"
    small = ("--engine", "postgres", "--records", "2000", "--clients", "1", "--seconds", "0.2")
    with throwaway_postgres() as url:
        done = run_bench(*small, "--database-url", url, "--json", str(first))
        assert done.returncode == 0, done.stderr[-2000:]
        rerun = run_bench(*small, "--database-url", url, "--json", str(again), "--reuse")
        assert rerun.returncode == 0, rerun.stderr[-2000:]
    results = json.loads(first.read_text())
    assert (results["engine"], results["records"]) == ("postgres", 2000)
    assert sorted(results["queries"]) == [query.name for query in QUERIES]
    for figures in results["queries"].values():
        assert figures["ours_ms"] > 0
        assert figures["ours_cached_ms"] > 0
        assert figures["engine_statement_ms"] > 0
        assert figures["engine_statement"].startswith(("SELECT", "WITH"))
        assert figures["raw_ms"] > 0
    assert results["queries"]["q2"]["records_counted"] == 2000  # its range holds every record
    assert results["queries"]["q1"]["records_counted"] is None  # raw records: no _count
    assert results["load"]["records_per_s_1_client"] > 0
    assert results["load"]["records_per_s_4_clients"] > 0
    assert results["concurrency"]["q3_requests_per_s"] > 0
    assert results["peak_rss_mib"] > 0
    assert "| q9 Spotlight" in done.stdout  # the table
    assert "benchmark: timing q9" in done.stderr  # the progress display

    reused = json.loads(again.read_text())
    assert reused["load"] is None
    assert "loading" not in rerun.stderr
    assert reused["queries"]["q2"]["records_counted"] == 2000


@pytest.mark.parametrize("engine", ["postgres", "mongodb"])
def test_with_no_database_url_it_runs_on_a_fresh_embedded_server(
    engine: str, tmp_path: Path
) -> None:
    """Both engines measured alike with nothing installed: the engine's own embedded server,
    started for the run and removed with it."""
    path = tmp_path / "run.json"
    done = run_bench("--engine", engine, "--records", "2000", "--clients", "1", "--seconds",
                     "0.2", "--json", str(path))  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    results = json.loads(path.read_text())
    assert (results["engine"], results["records"]) == (engine, 2000)
    assert results["queries"]["q2"]["records_counted"] == 2000
    assert results["raw"] == (
        "plain SQL" if engine == "postgres" else "the same pipeline in pymongo"
    )
    statement = results["queries"]["q3"]["engine_statement"]
    assert (statement is not None) == (engine == "postgres")
