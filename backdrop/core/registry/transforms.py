"""Transforms of the built-in registry: Stagecraft-shaped transform documents kept in the
database, managed by `backdrop transform …` (used when `STAGECRAFT_URL` is unset).

A transform applies to a data set when its input data type matches and its input data group
is absent or matches (spec 6.2: a group-less transform applies to every data set of that type).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from backdrop.core.data_set_config import DataSetConfig
from backdrop.core.errors import RequestInvalid
from backdrop.core.storage.base import Storage

TRANSFORMS = "transforms"


class LocalTransforms:
    """Create, list, delete and look up transform documents in `storage`."""

    def __init__(self, storage: Storage) -> None:
        self._storage = storage

    def create(
        self,
        *,
        function: str,
        input_type: str,
        output_type: str,
        input_group: str | None = None,
        output_group: str | None = None,
        query_parameters: Mapping[str, Any] | None = None,
        options: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Register a transform; returns it as Stagecraft serialises one (spec 6.2)."""
        if not (function and input_type and output_type):
            raise RequestInvalid("A transform needs a function, an input type and an output type")
        transform: dict[str, Any] = {
            "id": str(uuid.uuid4()),
            "type": {"id": function, "function": function},
            "input": {"data-type": input_type},
            "query-parameters": dict(query_parameters or {}),
            "options": dict(options or {}),
            "output": {"data-type": output_type},
        }
        if input_group:
            transform["input"]["data-group"] = input_group
        if output_group:
            transform["output"]["data-group"] = output_group
        document = {
            "transform": transform,
            "input_data_type": input_type,
            "input_data_group": input_group,
        }
        self._storage.put_document(TRANSFORMS, transform["id"], document)
        return transform

    def all(self) -> list[dict[str, Any]]:
        """Every registered transform."""
        return [document["transform"] for document in self._storage.find_documents(TRANSFORMS)]

    def for_data_set(self, config: DataSetConfig) -> list[dict[str, Any]]:
        """The transforms whose input is this data set."""
        found = self._storage.find_documents(TRANSFORMS, {"input_data_type": config.data_type})
        return [
            document["transform"]
            for document in found
            if document.get("input_data_group") in (None, config.data_group)
        ]

    def delete(self, transform_id: str) -> None:
        if not self._storage.delete_document(TRANSFORMS, transform_id):
            raise RequestInvalid(f'No transform with id "{transform_id}"')
