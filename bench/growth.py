"""`python -m bench.growth SMALL.json LARGE.json`: how each figure of two benchmark runs (`--json`)
grows from the smaller data set to the larger, next to how the records each query counts grow:
a query bounded by a time range should grow with the records in its range, not the data set."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

QUERY_FIGURES = (
    ("ours_ms", "ours, no-cache"),
    ("ours_cached_ms", "ours, cached"),
    ("engine_statement_ms", "engine's statement"),
    ("raw_ms", "raw"),
)


def _row(label: str, small: float | None, large: float | None, unit: str) -> str:
    if small is None or large is None:
        return f"| {label} | | | |"
    return f"| {label} | {small:,.1f} {unit} | {large:,.1f} {unit} | {large / small:.2f}x |"


def growth(small: dict[str, Any], large: dict[str, Any]) -> str:
    """The table: records, load rates, each query's figures, throughput and memory."""
    lines = [
        f"| figure | {small['records']:,} records | {large['records']:,} records | growth |",
        "|---|---:|---:|---:|",
        f"| records | {small['records']:,} | {large['records']:,} | "
        f"{large['records'] / small['records']:.2f}x |",
    ]
    loads = (small.get("load") or {}, large.get("load") or {})
    for key, label in (
        ("records_per_s_1_client", "load over HTTP, 1 client"),
        ("records_per_s_4_clients", "load over HTTP, 4 clients"),
        ("raw_records_per_s", "load, raw batched upsert"),
    ):
        lines.append(_row(label, loads[0].get(key), loads[1].get(key), "rec/s"))
    for name, before in small["queries"].items():
        after = large["queries"][name]
        counted = before.get("records_counted"), after.get("records_counted")
        if None not in counted:
            lines.append(
                f"| {name} records counted | {counted[0]:,} | {counted[1]:,} | "
                f"{counted[1] / counted[0]:.2f}x |"
            )
        for key, label in QUERY_FIGURES:
            lines.append(_row(f"{name} {label}", before.get(key), after.get(key), "ms"))
    lines.append(
        _row(
            "q3 concurrent",
            small["concurrency"]["q3_requests_per_s"],
            large["concurrency"]["q3_requests_per_s"],
            "req/s",
        )
    )
    lines.append(_row("read worker peak RSS", small["peak_rss_mib"], large["peak_rss_mib"], "MiB"))
    return "\n".join(lines)


@click.command()
@click.argument("small", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("large", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def main(small: Path, large: Path) -> None:
    """Print how the figures of run SMALL grow in run LARGE (both `python -m bench --json`)."""
    click.echo(growth(json.loads(small.read_text()), json.loads(large.read_text())))


if __name__ == "__main__":
    main()
