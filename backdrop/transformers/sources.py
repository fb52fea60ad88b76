"""Where the worker finds transforms, source configs, output data sets and dashboards:
Stagecraft (spec 4.2, 6.2-6.3) or the built-in registry.

Both are read afresh for every task (no cache), like the apps' config lookups.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from backdrop.core.data_set_config import DataSetConfig
from backdrop.core.errors import RequestInvalid
from backdrop.core.registry.local import LocalRegistry
from backdrop.core.registry.stagecraft import StagecraftClient
from backdrop.core.registry.transforms import LocalTransforms
from backdrop.core.services import Services
from backdrop.transformers.lookups import JsonObject


class TransformSource(Protocol):
    """The worker's view of the config service."""

    def source_config(self, name: str) -> dict[str, Any] | None:
        """A data set's config as Stagecraft serialises it (what `run_transform` receives)."""
        ...

    def transforms(self, name: str) -> list[dict[str, Any]]:
        """The transforms whose input is that data set (spec 6.2)."""
        ...

    def output_config(
        self, source_config: Mapping[str, Any], transform: Mapping[str, Any]
    ) -> DataSetConfig:
        """The transform's output data set, created when missing (spec 6.3 step 5)."""
        ...

    def dashboards(self, data_set_name: str) -> list[JsonObject]: ...

    def service_dashboards(self, service_id: str) -> list[JsonObject]: ...


def output_route(source_config: Mapping[str, Any], transform: Mapping[str, Any]) -> tuple[str, str]:
    """(group, type) of the output: `output.data-group` or the source's group (spec 6.3)."""
    output = transform.get("output") or {}
    group = output.get("data-group") or source_config["data_group"]
    return str(group), str(output["data-type"])


def new_output_fields(source_config: Mapping[str, Any]) -> dict[str, Any]:
    """What a created output data set inherits from its source (spec 6.3 step 5)."""
    fields = {
        key: source_config.get(key)
        for key in ("bearer_token", "realtime", "published", "max_age_expected")
    }
    if source_config.get("capped_size"):
        fields["capped_size"] = source_config["capped_size"]
    return fields


class StagecraftSource:
    """Stagecraft over HTTP, with the worker's `STAGECRAFT_OAUTH_TOKEN`."""

    def __init__(self, client: StagecraftClient) -> None:
        self._client = client

    def source_config(self, name: str) -> dict[str, Any] | None:
        found = self._client.get(f"/data-sets/{name}")
        return dict(found) if found else None

    def transforms(self, name: str) -> list[dict[str, Any]]:
        return list(self._client.get(f"/data-sets/{name}/transform") or [])

    def output_config(
        self, source_config: Mapping[str, Any], transform: Mapping[str, Any]
    ) -> DataSetConfig:
        group, data_type = output_route(source_config, transform)
        found = self._client.by_group_and_type(group, data_type)
        if found is not None:
            return found
        body = {"data_type": data_type, "data_group": group, **new_output_fields(source_config)}
        return DataSetConfig.from_stagecraft(self._client.post("/data-sets", body))

    def dashboards(self, data_set_name: str) -> list[JsonObject]:
        return list(self._client.get(f"/data-sets/{data_set_name}/dashboard") or [])

    def service_dashboards(self, service_id: str) -> list[JsonObject]:
        path = f"/transactions-explorer-service/{service_id}/dashboard"
        return list(self._client.get(path) or [])


class RegistrySource:
    """The built-in registry: configs and transforms in the database, no dashboards."""

    def __init__(self, registry: LocalRegistry, transforms: LocalTransforms) -> None:
        self._registry = registry
        self._transforms = transforms

    def source_config(self, name: str) -> dict[str, Any] | None:
        config = self._registry.by_name(name)
        return config.to_document() if config else None

    def transforms(self, name: str) -> list[dict[str, Any]]:
        config = self._registry.by_name(name)
        return self._transforms.for_data_set(config) if config else []

    def output_config(
        self, source_config: Mapping[str, Any], transform: Mapping[str, Any]
    ) -> DataSetConfig:
        """The output data set; a missing one is registered with a fresh bearer token (not
        shown anywhere: `backdrop data-set rotate-token` gives one to write by hand)."""
        group, data_type = output_route(source_config, transform)
        found = self._registry.by_group_and_type(group, data_type)
        if found is not None:
            return found
        inherited = new_output_fields(source_config)
        config = DataSetConfig(
            name=f"{group}_{data_type}".replace("-", "_").lower(),
            data_group=group,
            data_type=data_type,
            raw_queries_allowed=True,  # Stagecraft's default for new data sets
            realtime=bool(inherited["realtime"]),
            published=inherited["published"] is not False,
            max_age_expected=inherited["max_age_expected"],
            capped_size=inherited.get("capped_size"),
        )
        try:
            created, _token = self._registry.create(config)
        except RequestInvalid:  # another worker created it first
            raced = self._registry.by_group_and_type(group, data_type)
            if raced is None:
                raise
            return raced
        return created

    def dashboards(self, data_set_name: str) -> list[JsonObject]:
        """The built-in registry keeps no dashboards: `latest_dataset_value` writes nothing."""
        return []

    def service_dashboards(self, service_id: str) -> list[JsonObject]:
        return []


def open_source(services: Services) -> TransformSource:
    """Stagecraft when the services talk to it, else the built-in registry in their storage."""
    if isinstance(services.configs.source, StagecraftClient):
        return StagecraftSource(services.configs.source)
    return RegistrySource(LocalRegistry(services.storage), LocalTransforms(services.storage))
