"""The OpenAPI documents (issue 10): valid OpenAPI 3.1, and complete: every route of each app's
URL map, every method it answers, is in its document, so a route added without documenting it
fails here. Plus what /docs serves: its page, its own assets (no CDN), its policy."""

from __future__ import annotations

import html
import json
import re
import shlex
from collections.abc import Callable

import pytest
import requests
from flask import Flask
from openapi_spec_validator import validate

from backdrop.core.config import Settings
from backdrop.core.storage.base import Storage
from backdrop.read.app import create_app as create_read_app
from backdrop.write.app import create_app as create_write_app
from tests.support.http_data_set import HttpDataSet, register
from tests.support.stagecraft import StagecraftState

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


def test_the_read_document_declares_csv_and_gzip_as_the_app_answers_them(
    http: requests.Session, read_url: str, new_data_set: Callable[..., HttpDataSet]
) -> None:
    """Issue 10: `Accept: text/csv` and `Accept-Encoding: gzip` are reflected in the document,
    and each content type and encoding it declares is what the app answers."""
    document = http.get(f"{read_url}/openapi.json").json()
    assert "`Accept-Encoding: gzip`" in document["info"]["description"]
    records = [
        {"_timestamp": "2014-01-06T00:00:00Z", "channel": f"channel-{i:03}"} for i in range(99)
    ]
    data_set = new_data_set(records=records, raw_queries_allowed=True)
    for path, query in (
        ("/data/{data_group}/{data_type}", data_set.path),
        ("/{data_set_name}", f"/{data_set.name}"),
    ):
        operation = document["paths"][path]["get"]
        answer = operation["responses"]["200"]
        assert set(answer["content"]) == {"application/json", "text/csv"}, path
        assert "`Accept: text/csv`" in next(
            p["description"] for p in operation["parameters"] if p["name"] == "format"
        )
        assert "Accept-Encoding" in answer["headers"]["Vary"]["description"]
        encoding = answer["headers"]["Content-Encoding"]["schema"]["const"]
        for content_type in answer["content"]:
            response = http.get(
                f"{read_url}{query}?group_by=channel",
                headers={"Accept": content_type, "Accept-Encoding": encoding},
            )
            assert response.status_code == 200
            assert response.headers["Content-Type"].split(";")[0] == content_type
            assert response.headers["Content-Encoding"] == encoding
            assert "Accept-Encoding" in response.headers["Vary"]


def test_the_write_document_says_answers_are_compressed(
    http: requests.Session, write_url: str
) -> None:
    document = http.get(f"{write_url}/openapi.json").json()
    assert "`Accept-Encoding: gzip`" in document["info"]["description"]
    response = http.get(f"{write_url}/openapi.json", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"


def test_every_example_of_the_query_guide_runs(
    http: requests.Session,
    read_url: str,
    write_url: str,
    stagecraft_server: tuple[StagecraftState, str],
) -> None:
    """Each `curl` line of the read app's /docs guide, run as written (its URL and headers)
    against the walk-through's data set holding two weeks of records: 200 with rows."""
    state, _ = stagecraft_server
    days = [f"2014-01-{day:02}T00:00:00Z" for day in range(6, 20)]
    records = [
        {"_timestamp": day, "channel": channel, "count": 3}
        for day in days
        for channel in ("online", "paper")
    ]
    walk_through = register(
        state,
        http,
        read_url,
        write_url,
        records=records,
        data_group="carers-allowance",
        data_type="volumetrics",
    )
    try:
        page = http.get(f"{read_url}/docs").text
        examples = [
            shlex.split(html.unescape(code))
            for code in re.findall(r"<pre><code>(.*?)</code></pre>", page, re.DOTALL)
        ]
        assert len(examples) == 3
        for words in examples:
            assert words[0] == "curl"
            headers = dict(
                words[i + 1].split(": ", 1) for i, word in enumerate(words) if word == "-H"
            )
            [url] = [word for word in words if word.startswith(read_url)]
            response = http.get(url, headers=headers)
            assert response.status_code == 200, (url, response.text)
            if headers.get("Accept") == "text/csv":  # the last four weeks (of now: empty)
                assert response.headers["Content-Type"].startswith("text/csv")
                lines = response.text.splitlines()
                assert "count:sum" in lines[0].split(",")
                assert len(lines) == 1 + 4
            else:  # 2014's records: summed counts
                sums = re.findall(r'"count:sum": ?([0-9.]+)', json.dumps(response.json()))
                assert max(float(total) for total in sums) > 0, url
    finally:
        state.remove(walk_through.name)
