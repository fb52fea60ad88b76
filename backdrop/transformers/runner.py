"""One transform run (spec 6.3), in-process through core: read the source with the read API's
query semantics, compute, add `additionalFields`, write the output through the write API's
record pipeline. No HTTP round trip to our own apps."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from backdrop.core.data_set_config import DataSetConfig
from backdrop.core.encoding import as_json
from backdrop.core.errors import DataSetNotFound
from backdrop.core.query_parser import parse_query
from backdrop.core.services import Services
from backdrop.core.storage.base import Dispatch
from backdrop.transformers.ids import encode_id
from backdrop.transformers.lookups import JsonObject
from backdrop.transformers.query_parameters import as_query_args, query_parameters
from backdrop.transformers.rows import Record
from backdrop.transformers.sources import TransformSource
from backdrop.transformers.tasks import transform_function


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a run wrote: the output data set, how many records, and the dispatch of the
    output's own transforms, stored in the outbox with the records (None without timestamps)."""

    output: DataSetConfig
    written: int
    dispatch: Dispatch | None


def run_transform(
    services: Services,
    source: TransformSource,
    source_config: Mapping[str, Any],
    transform: Mapping[str, Any],
    earliest: datetime,
    latest: datetime,
    now: datetime,
) -> Outcome:
    """Compute one transform over [earliest, latest] and store its output.

    Raises UnknownTransform, QueryInvalid (the read fails validation), RecordsInvalid (the
    output fails the output data set's checks), TransformInvalid, or the config source's and
    storage's errors.
    """
    config = DataSetConfig.from_stagecraft(source_config)
    compute = transform_function(str((transform.get("type") or {}).get("function")))
    parameters = query_parameters(transform, earliest, latest, now)
    rows = read(services, config, parameters, raw_queries_allowed=config.raw_queries_allowed)
    lookups = WorkerLookups(services, source)
    records = compute(rows, transform, source_config, lookups)
    additional = (transform.get("options") or {}).get("additionalFields")
    if additional:
        records = [merge_additional_fields(record, additional) for record in records]
    output = source.output_config(source_config, transform)
    appended = services.data_sets.append(output, records, transforms=True)
    return Outcome(output, len(appended.records), appended.dispatch)


def read(
    services: Services,
    config: DataSetConfig,
    parameters: Mapping[str, Any],
    *,
    raw_queries_allowed: bool,
) -> list[JsonObject]:
    """What `GET /data/<group>/<type>?<parameters>` would answer under `data`, as JSON values."""
    if not config.queryable:
        raise DataSetNotFound(f'"{config.name}" is not queryable')
    query = parse_query(as_query_args(parameters), raw_queries_allowed=raw_queries_allowed)
    rows: list[JsonObject] = as_json(services.data_sets.query(config, query))
    return rows


def merge_additional_fields(record: Record, fields: Mapping[str, Any]) -> Record:
    """The record with `fields` added (its own values win) and a new `_id` naming them
    (spec 6.3 step 4): no `_id` and `{"foo": "bar"}` give `X2ZvbzpiYXI=`."""
    pairs = "_".join(f"{key}:{_py2_text(value)}" for key, value in fields.items())
    merged = {**fields, **record}
    merged["_id"] = encode_id(_py2_text(record.get("_id", "")), pairs)
    return merged


class WorkerLookups:
    """`Lookups` over the config source and storage, for transforms that need them."""

    def __init__(self, services: Services, source: TransformSource) -> None:
        self._services = services
        self._source = source

    def dashboards(self, data_set_name: str) -> list[JsonObject]:
        return self._source.dashboards(data_set_name)

    def service_dashboards(self, service_id: str) -> list[JsonObject]:
        return self._source.service_dashboards(service_id)

    def first_row(
        self, data_group: str, data_type: str, parameters: Mapping[str, str]
    ) -> JsonObject | None:
        """An internal read (not a client's), so the data set's raw-query ban does not apply."""
        config = self._services.configs.by_group_and_type(data_group, data_type)
        if config is None:
            return None
        limited = dict(parameters) if "period" in parameters else {**parameters, "limit": "1"}
        rows = read(self._services, config, limited, raw_queries_allowed=True)
        return rows[0] if rows else None


def _py2_text(value: Any) -> str:
    """`'{}'.format(value)` as Python 2 wrote it for JSON values (`None`, `True`)."""
    if value is None or isinstance(value, bool):
        return repr(value)
    return str(value)
