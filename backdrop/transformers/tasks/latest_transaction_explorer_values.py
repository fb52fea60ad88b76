"""`backdrop.transformers.tasks.latest_transaction_explorer_values.compute`: the newest
Transactions Explorer metrics of each service, once per dashboard of that service (spec 6.5).

A record is written only when the output data set holds nothing newer for it ("is latest").
"""

from __future__ import annotations

from collections.abc import Mapping

from backdrop.core.errors import TransformInvalid
from backdrop.core.timeutils import now
from backdrop.transformers.ids import encode_id
from backdrop.transformers.lookups import JsonObject, Lookups, is_latest
from backdrop.transformers.rows import Config, Record, Row, Rows, group_rows

# (metric, the row type whose rows never provide it)
METRICS: tuple[tuple[str, str | None], ...] = (
    ("cost_per_transaction", "quarterly"),
    ("digital_cost_per_transaction", None),
    ("digital_takeup", None),
    ("number_of_digital_transactions", "quarterly"),
    ("number_of_transactions", "quarterly"),
    ("total_cost", "quarterly"),
)
COPIED_FIELDS = ("end_at", "period", "service_id", "type")
QUARTERLY = "quarterly"
SEASONALLY_ADJUSTED = "seasonally-adjusted"


def compute(rows: Rows, transform: Config, source_config: Config, lookups: Lookups) -> list[Record]:
    """Per metric and dashboard, the newest usable row's value (null when that row is not of
    the newest date for its type), timestamped with the newest date of its type."""
    if not rows:
        return []
    newest_first = sorted(rows, key=lambda row: row["_timestamp"], reverse=True)
    latest = {
        kind: _newest_of_type(newest_first, kind) for kind in (QUARTERLY, SEASONALLY_ADJUSTED)
    }
    services = group_rows(newest_first, lambda row: row.get("service_id"))
    pairs = [
        (dashboard, service_rows)
        for service_id, service_rows in services.items()
        for dashboard in lookups.service_dashboards(str(service_id))
    ]
    output_set = _output(transform, source_config)
    moment = now()
    output = []
    for metric, ignored in METRICS:
        for dashboard, service_rows in pairs:
            row = next((r for r in service_rows if r.get("type") != ignored), None)
            if row is None:
                continue
            datum = _datum(metric, row, dashboard, latest)
            extra = {"filter_by": f"_id:{datum['_id']}"}
            if is_latest(lookups, output_set, transform, datum, moment, extra):
                output.append(datum)
    return output


def _newest_of_type(newest_first: Rows, kind: str) -> str:
    for row in newest_first:
        if row.get("type") == kind:
            return str(row["_timestamp"])
    raise TransformInvalid(f'latest_transaction_explorer_values needs rows of type "{kind}"')


def _datum(metric: str, row: Row, dashboard: JsonObject, latest: Mapping[str, str]) -> Record:
    kind = SEASONALLY_ADJUSTED if row.get("type") == SEASONALLY_ADJUSTED else QUARTERLY
    current = metric in row and row["_timestamp"] == latest[kind]
    slug = str(dashboard["slug"])
    datum: Record = {metric: row[metric] if current else None}
    datum.update({field: row[field] for field in COPIED_FIELDS if field in row})
    datum.update(dashboard_slug=slug, _timestamp=latest[kind], _id=encode_id(slug, metric))
    return datum


def _output(transform: Config, source_config: Config) -> tuple[str, str]:
    output = transform.get("output") or {}
    group = output.get("data-group") or source_config.get("data_group")
    return str(group), str(output.get("data-type"))
