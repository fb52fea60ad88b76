"""`GET /` on both apps, the version in `/_status`, and the paths the legacy `/<name>` routes
never catch (issue 10)."""

from __future__ import annotations

import pytest
import requests

from backdrop import __version__

LINKS = {
    "docs": "/docs",
    "openapi": "/openapi.json",
    "status": "/_status",
    "ready": "/_status/ready",
    "metrics": "/metrics",
}


def test_index_names_the_app_its_version_and_links(
    http: requests.Session, each_app: tuple[str, str]
) -> None:
    app, base = each_app
    response = http.get(f"{base}/")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == f"backdrop-{app}"
    assert body["version"] == __version__
    assert body["links"] == LINKS
    for link in LINKS.values():
        assert http.get(f"{base}{link}").status_code in (200, 503), link  # ready: 503 if down


def test_status_keeps_the_spec_body_and_adds_the_version(
    http: requests.Session, each_app: tuple[str, str]
) -> None:
    _, base = each_app
    assert http.get(f"{base}/_status").json() == {
        "status": "ok",
        "message": "app is up",
        "version": __version__,
    }


@pytest.mark.parametrize("path", ["/metrics", "/docs", "/openapi.json", "/explore", "/upload"])
def test_the_legacy_read_route_never_catches_reserved_paths(
    http: requests.Session, read_url: str, path: str
) -> None:
    response = http.get(f"{read_url}{path}")
    if response.headers["Content-Type"] == "application/json":
        assert response.json().get("message") != "data_set not found"


@pytest.mark.parametrize("path", ["/metrics", "/docs", "/explore", "/upload"])
def test_the_deprecated_write_route_never_catches_reserved_paths(
    http: requests.Session, write_url: str, path: str
) -> None:
    response = http.post(f"{write_url}{path}", json=[], headers={"Authorization": "Bearer x"})
    assert response.status_code in (404, 405)
    assert response.json()["message"] != "Could not find data_set_config"
