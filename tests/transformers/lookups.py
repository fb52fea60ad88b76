"""A `Lookups` made of plain lists, for transform unit tests (no Stagecraft, no database)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass
class StaticLookups:
    """Answers from dicts; records the reads it was asked for."""

    dashboards_by_data_set: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    dashboards_by_service: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    newest: dict[str, Any] | None = None
    reads: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)

    def dashboards(self, data_set_name: str) -> list[Mapping[str, Any]]:
        return list(self.dashboards_by_data_set.get(data_set_name, []))

    def service_dashboards(self, service_id: str) -> list[Mapping[str, Any]]:
        return list(self.dashboards_by_service.get(service_id, []))

    def first_row(
        self, data_group: str, data_type: str, parameters: Mapping[str, str]
    ) -> Mapping[str, Any] | None:
        self.reads.append((data_group, data_type, dict(parameters)))
        return self.newest
