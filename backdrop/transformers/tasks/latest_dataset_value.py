"""`backdrop.transformers.tasks.latest_dataset_value.compute`: the newest value of a data set,
once per published dashboard that shows it (spec 6.5).

The original also ran the "is latest" check here and ignored its answer; it has no effect, so
it is not run. Empty input gives no output (the original failed on it).
"""

from __future__ import annotations

from collections.abc import Mapping

from backdrop.core.errors import TransformInvalid
from backdrop.transformers.ids import encode_id
from backdrop.transformers.lookups import Lookups
from backdrop.transformers.rows import Config, Record, Rows

# The field holding the value, by the source data set's data type.
VALUE_FIELDS: Mapping[str, str] = {
    "completion-rate": "rate",
    "digital-takeup": "rate",
    "user-satisfaction-score": "score",
}


def compute(rows: Rows, transform: Config, source_config: Config, lookups: Lookups) -> list[Record]:
    """One record per published dashboard of the source data set, keyed by its slug."""
    if not rows:
        return []
    data_type = str(source_config["data_type"])
    value_field = VALUE_FIELDS.get(data_type)
    if value_field is None:
        raise TransformInvalid(f'latest_dataset_value has no value field for "{data_type}"')
    latest = max(rows, key=lambda row: row["_timestamp"])
    value = latest.get(value_field)
    output_field = data_type.replace("-", "_")
    return [
        {
            "_id": encode_id(dashboard["slug"], output_field),
            "dashboard_slug": dashboard["slug"],
            output_field: value,
            "_timestamp": latest["_timestamp"],
            "service_id": dashboard["slug"],
        }
        for dashboard in lookups.dashboards(str(source_config["name"]))
        if dashboard.get("published") and value is not None
    ]
