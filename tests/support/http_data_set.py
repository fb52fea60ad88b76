"""A data set as a client sees it: registered in the Stagecraft stand-in, written through the
write app with its bearer token, read through the read app. Shared by API tests and steps."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import requests

from tests.support.stagecraft import StagecraftState, stagecraft_config


def unique_name(prefix: str = "ds") -> str:
    """A data set name nobody else uses, so tests never see each other's data."""
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


@dataclass(frozen=True)
class HttpDataSet:
    """One registered data set and the URLs of the apps that serve it."""

    config: Mapping[str, Any]
    http: requests.Session
    read_url: str
    write_url: str

    @property
    def name(self) -> str:
        return str(self.config["name"])

    @property
    def path(self) -> str:
        """The canonical query path, `/data/<data_group>/<data_type>`."""
        return f"/data/{self.config['data_group']}/{self.config['data_type']}"

    def post(self, records: Sequence[Mapping[str, Any]] | Mapping[str, Any]) -> requests.Response:
        """POST records as a client does: JSON with the data set's bearer token."""
        return self.http.post(
            f"{self.write_url}{self.path}",
            data=json.dumps(records),
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {self.config['bearer_token']}",
            },
        )

    def get(
        self, query: str = "", *, legacy: bool = False, headers: Mapping[str, str] | None = None
    ) -> requests.Response:
        """GET the query string (sent as written: percent-encoding is the caller's) from the
        canonical path, or from the legacy `/<name>` path."""
        path = f"/{self.name}" if legacy else self.path
        url = f"{self.read_url}{path}{'?' + query if query else ''}"
        return self.http.get(url, headers=dict(headers or {}))

    def data(self, query: str = "", *, legacy: bool = False) -> list[Any]:
        """The `data` of a successful query."""
        response = self.get(query, legacy=legacy)
        assert response.status_code == 200, (response.status_code, response.text)
        data: list[Any] = response.json()["data"]
        return data


def register(
    stagecraft: StagecraftState,
    http: requests.Session,
    read_url: str,
    write_url: str,
    *,
    records: Sequence[Mapping[str, Any]] = (),
    **overrides: Any,
) -> HttpDataSet:
    """Register a fresh data set (group and type default to its unique name) and POST its
    records through the write app."""
    name = overrides.pop("name", None) or unique_name()
    config = stagecraft_config(name, capped_size=None, **overrides)
    stagecraft.put(config)
    data_set = HttpDataSet(config, http, read_url, write_url)
    if records:
        response = data_set.post(records)
        assert response.status_code == 200, (response.status_code, response.text)
    return data_set
