"""`/docs` in a real browser (issue 10): Swagger UI renders each app's OpenAPI document, every
operation appears, the guide is there, nothing is fetched from another origin and the page's
policy blocks nothing it needs (the `page` fixture fails on any console error)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.support.browser import Watched, Web

METHODS = {"get", "put", "post", "delete", "options", "patch"}


@pytest.mark.parametrize("app", ["read", "write"])
def test_docs_renders_every_operation(
    web: Web, page: Watched, app: str, screenshot: Callable[[Page, str], Path]
) -> None:
    base = web.read_url if app == "read" else web.write_url
    document = web.http.get(f"{base}/openapi.json").json()
    operations = sum(
        1 for item in document["paths"].values() for method in item if method in METHODS
    )
    requested: list[str] = []
    page.page.on("request", lambda request: requested.append(request.url))
    page.page.goto(f"{base}/docs")
    page.page.wait_for_selector(".swagger-ui .opblock", timeout=30_000)
    assert page.page.locator(".swagger-ui .opblock").count() == operations
    assert document["info"]["title"] in page.page.locator(".swagger-ui .title").inner_text()
    guide = page.page.locator("#guide").inner_text()
    assert ("query language" if app == "read" else "Writing records") in guide
    assert requested
    assert all(url.startswith(base) for url in requested), requested
    screenshot(page.page, f"docs-{app}")
