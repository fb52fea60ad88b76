"""`python -m bench.growth`: the growth of every figure between two runs, and of the records
each query counts."""

from __future__ import annotations

from typing import Any

from bench.growth import growth


def run(records: int, q6_counted: int, q6_ms: float, rss: float) -> dict[str, Any]:
    query = {"ours_ms": q6_ms, "ours_cached_ms": 2.0, "engine_statement_ms": q6_ms / 2,
             "raw_ms": q6_ms / 4, "records_counted": q6_counted}  # fmt: skip
    return {
        "records": records,
        "load": {
            "records_per_s_1_client": 40_000.0,
            "records_per_s_4_clients": 60_000.0,
            "raw_records_per_s": 80_000.0,
        },
        "queries": {"q6": query, "q8": {**query, "records_counted": None}},
        "concurrency": {"q3_requests_per_s": 800.0},
        "peak_rss_mib": rss,
    }


def test_each_figure_grows_by_its_own_factor() -> None:
    table = growth(run(1_000_000, 4_000, 6.0, 60.0), run(10_000_000, 40_000, 15.0, 90.0))
    lines = table.splitlines()
    assert lines[0] == "| figure | 1,000,000 records | 10,000,000 records | growth |"
    assert "| records | 1,000,000 | 10,000,000 | 10.00x |" in lines
    assert "| q6 records counted | 4,000 | 40,000 | 10.00x |" in lines
    assert "| q6 ours, no-cache | 6.0 ms | 15.0 ms | 2.50x |" in lines
    assert "| q6 engine's statement | 3.0 ms | 7.5 ms | 2.50x |" in lines
    assert "| q6 raw | 1.5 ms | 3.8 ms | 2.50x |" in lines
    assert "| load over HTTP, 1 client | 40,000.0 rec/s | 40,000.0 rec/s | 1.00x |" in lines
    assert "| read worker peak RSS | 60.0 MiB | 90.0 MiB | 1.50x |" in lines
    assert not any(line.startswith("| q8 records counted") for line in lines)


def test_a_run_without_load_figures_leaves_them_blank() -> None:
    reused = {**run(10_000_000, 40_000, 15.0, 90.0), "load": None}
    table = growth(run(1_000_000, 4_000, 6.0, 60.0), reused)
    assert "| load over HTTP, 4 clients | | | |" in table.splitlines()
