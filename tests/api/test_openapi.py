"""The OpenAPI documents (issue 10): valid OpenAPI 3.1, and complete: every route of each app's
URL map, every method it answers, is in its document, so a route added without documenting it
fails here. Plus what /docs serves: its page, its own assets (no CDN), its policy."""

from __future__ import annotations

import re

import pytest
import requests
from flask import Flask
from openapi_spec_validator import validate

from backdrop.core.config import Settings
from backdrop.core.storage.base import Storage
from backdrop.read.app import create_app as create_read_app
from backdrop.write.app import create_app as create_write_app

METHODS = {"get", "put", "post", "delete", "options", "patch"}


def openapi_path(rule: str) -> str:
    """`/data/<data_group>/<data_set:name>` -> `/data/{data_group}/{name}`."""
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule)


def routes(app: Flask) -> set[tuple[str, str]]:
    """(path, method) of every route; OPTIONS only where a view answers it itself."""
    found = set()
    for rule in app.url_map.iter_rules():
        for method in rule.methods or ():
            lowered = method.lower()
            if lowered == "options" and getattr(rule, "provide_automatic_options", False):
                continue
            if lowered in METHODS:
                found.add((openapi_path(rule.rule), lowered))
    return found


@pytest.fixture(params=["read", "write"])
def app(request: pytest.FixtureRequest, settings: Settings, storage: Storage) -> Flask:
    factory = create_read_app if request.param == "read" else create_write_app
    return factory(settings, storage=storage)


def test_the_document_is_valid_openapi_3_1(app: Flask) -> None:
    document = app.test_client().get("/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    validate(document)


def test_every_route_is_documented_and_nothing_else(app: Flask) -> None:
    document = app.test_client().get("/openapi.json").get_json()
    documented = {
        (path, method)
        for path, item in document["paths"].items()
        for method in item
        if method in METHODS
    }
    assert routes(app) - documented == set(), "routes missing from the document"
    assert documented - routes(app) == set(), "documented operations no route serves"


def test_every_operation_documents_its_responses(app: Flask) -> None:
    document = app.test_client().get("/openapi.json").get_json()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            assert operation["responses"], (path, method)
            for status, response in operation["responses"].items():
                if status != "200" or method == "options":
                    continue
                assert "content" in response, (path, method, status)


def test_docs_page_and_its_assets_come_from_the_app(
    http: requests.Session, each_app: tuple[str, str]
) -> None:
    app_name, base = each_app
    page = http.get(f"{base}/docs")
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assets = [source for source in sources if source.startswith("/docs/assets/")]
    assert {"/docs/assets/swagger-ui-bundle.js", "/docs/assets/docs.js"} <= set(assets)
    assert not [source for source in sources if source.startswith(("http:", "https:", "//"))]
    for asset in assets:
        response = http.get(f"{base}{asset}")
        assert response.status_code == 200, asset
        assert len(response.content) > 0
    assert http.get(f"{base}/docs/assets/swagger-editor-bundle.js").status_code == 404
    assert http.get(f"{base}/docs/assets/..%2Fdocs.py").status_code == 404
    guide = "/data/carers-allowance/volumetrics?period=week" if app_name == "read" else "Bearer"
    assert guide in page.text
