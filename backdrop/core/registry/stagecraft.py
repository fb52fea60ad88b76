"""Stagecraft's config API (spec 4.2), on one pooled keep-alive session per process.

No cache: every lookup is a fresh request, so a change in Stagecraft counts at once; the pooled
session keeps each one cheap. 502/503 answers are retried with exponential back-off (5 tries);
anything else that is not a 2xx or an expected 404 raises ConfigUnavailable.
"""

from __future__ import annotations

import logging
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from backdrop.core.data_set_config import DataSetConfig
from backdrop.core.errors import ConfigUnavailable
from backdrop.core.logs import current_request_id

logger = logging.getLogger(__name__)

USER_AGENT = "Performance Platform Client 1.0.0 (backdrop)"
_TIMEOUT = (3.05, 15.0)  # connect, read (seconds)


class StagecraftClient:
    """A `ConfigSource` (and transform/dashboard lookup) backed by Stagecraft over HTTP."""

    def __init__(self, base_url: str, token: str | None, *, backoff_factor: float = 0.1) -> None:
        self._base_url = base_url.rstrip("/")
        self._token = token
        self._session = requests.Session()
        retry = Retry(
            total=4,
            connect=0,
            read=0,
            status_forcelist=(502, 503),
            backoff_factor=backoff_factor,
            allowed_methods=None,
            raise_on_status=False,
        )
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=32, max_retries=retry)
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)

    def close(self) -> None:
        self._session.close()

    # -- ConfigSource ------------------------------------------------------------------------

    def by_group_and_type(self, data_group: str, data_type: str) -> DataSetConfig | None:
        found = self.get("/data-sets", params={"data-group": data_group, "data-type": data_type})
        if not found:
            return None
        return DataSetConfig.from_stagecraft(found[0])

    def by_name(self, name: str) -> DataSetConfig | None:
        found = self.get(f"/data-sets/{name}")
        return DataSetConfig.from_stagecraft(found) if found else None

    def ping(self) -> None:
        """A lookup Stagecraft answers with a 404: it is up when it answers at all."""
        self.get("/data-sets/_backdrop_readiness_probe")

    def all(self) -> list[DataSetConfig]:
        return [DataSetConfig.from_stagecraft(item) for item in self.get("/data-sets") or []]

    # -- HTTP --------------------------------------------------------------------------------

    def get(self, path: str, params: dict[str, str] | None = None) -> Any:
        """GET a JSON document; None for a 404."""
        return self._send("GET", path, params=params)

    def post(self, path: str, body: Any) -> Any:
        """POST a JSON document and return the JSON answer."""
        return self._send("POST", path, json=body)

    def _send(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
            "Request-Id": current_request_id() or "",
        }
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        url = self._base_url + path
        try:
            response = self._session.request(
                method, url, headers=headers, timeout=_TIMEOUT, **kwargs
            )
        except requests.RequestException as exc:
            logger.warning("stagecraft unreachable", extra={"path": path})
            raise ConfigUnavailable("Stagecraft is unavailable") from exc
        if response.status_code == 404:
            return None
        if not response.ok:
            logger.warning(
                "stagecraft error", extra={"path": path, "stagecraft_status": response.status_code}
            )
            raise ConfigUnavailable(f"Stagecraft answered {response.status_code}")
        try:
            return response.json()
        except ValueError as exc:
            raise ConfigUnavailable("Stagecraft answered with invalid JSON") from exc
