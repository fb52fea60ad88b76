"""The explorer and upload pages over plain HTTP on each engine: what they list, their headers
(safe by construction), and that no page carries a token."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
import requests

from backdrop.web.pages import CONTENT_SECURITY_POLICY
from tests.support.http_data_set import HttpDataSet

NewDataSet = Callable[..., HttpDataSet]
RECORD = {"_timestamp": "2014-01-06T00:00:00Z", "name": "rex", "size": "big"}


def test_the_list_has_published_queryable_data_sets_only(
    http: requests.Session, read_url: str, new_data_set: NewDataSet
) -> None:
    shown = new_data_set(records=[RECORD])
    unpublished = new_data_set(published=False)
    hidden = new_data_set(queryable=False)
    page = http.get(f"{read_url}/explore")
    assert page.status_code == 200
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert f'href="/explore/{shown.name}"' in page.text
    assert unpublished.name not in page.text
    assert hidden.name not in page.text


def test_the_list_tells_stale_from_fresh_as_the_status_page_does(
    http: requests.Session, read_url: str, new_data_set: NewDataSet
) -> None:
    old = new_data_set(records=[RECORD])
    unmonitored = new_data_set(records=[RECORD], max_age_expected=None)
    empty = new_data_set()
    page = http.get(f"{read_url}/explore").text
    stale_names = {
        item["name"] for item in http.get(f"{read_url}/_status/data-sets").json()["data_sets"]
    }
    assert old.name in stale_names
    assert _status_of(page, old.name) == "stale"
    assert _status_of(page, unmonitored.name) == "not monitored"
    assert _status_of(page, empty.name) == "no records"


def _status_of(page: str, name: str) -> str:
    row = re.search(rf'<tr data-search="{name} .*?</tr>', page, re.DOTALL)
    assert row is not None, name
    status = re.search(r'<span class="status [a-z]+">([^<]+)</span>', row.group(0))
    assert status is not None
    return status.group(1)


def test_the_builder_suggests_the_fields_of_a_sample(
    http: requests.Session, read_url: str, new_data_set: NewDataSet
) -> None:
    data_set = new_data_set(records=[RECORD, {**RECORD, "colour": "green"}])
    page = http.get(f"{read_url}/explore/{data_set.name}").text
    fields = re.search(r'<datalist id="fields">(.*?)</datalist>', page)
    assert fields is not None
    assert re.findall(r'<option value="([^"]+)">', fields.group(1)) == ["colour", "name", "size"]
    assert f'data-api-path="{data_set.path}"' in page


def test_the_builder_keeps_the_query_in_its_fields(
    http: requests.Session, read_url: str, new_data_set: NewDataSet
) -> None:
    data_set = new_data_set()
    query = "period=week&duration=4&group_by=name&group_by=size&collect=count%3Asum&flatten=true"
    page = http.get(f"{read_url}/explore/{data_set.name}?{query}").text
    assert '<option value="week" selected>' in page
    assert 'name="duration" min="1" value="4"' in page
    assert re.findall(r'name="group_by" value="([^"]*)"', page) == ["name", "size", ""]
    assert re.findall(r'name="collect" value="([^"]*)"', page) == ["count:sum", ""]
    assert 'name="flatten" value="true" checked' in page


@pytest.mark.parametrize("overrides", [{"queryable": False}, {}], ids=["not queryable", "unknown"])
def test_an_unknown_or_hidden_data_set_has_no_builder(
    http: requests.Session, read_url: str, new_data_set: NewDataSet, overrides: dict[str, bool]
) -> None:
    name = new_data_set(**overrides).name if overrides else "no_such_data_set"
    response = http.get(f"{read_url}/explore/{name}")
    assert response.status_code == 404
    assert response.json() == {"status": "error", "message": "data_set not found"}


def test_values_are_escaped_in_the_page(
    http: requests.Session, read_url: str, new_data_set: NewDataSet
) -> None:
    data_set = new_data_set(records=[{**RECORD, "note": "x"}])
    page = http.get(
        f"{read_url}/explore/{data_set.name}?group_by=%3Cscript%3Ealert(1)%3C/script%3E"
    ).text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.parametrize("path", ["/explore", "/explore/{name}", "/explore/{name}?period=week"])
def test_read_pages_are_safe_and_carry_no_token(
    http: requests.Session, read_url: str, new_data_set: NewDataSet, path: str
) -> None:
    data_set = new_data_set(records=[RECORD])
    response = http.get(read_url + path.format(name=data_set.name))
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert str(data_set.config["bearer_token"]) not in response.text
    assert "token" not in response.text.lower()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", response.text, re.DOTALL)
    assert scripts
    assert all('src="/static/' in attributes and body == "" for attributes, body in scripts)


def test_the_chart_library_and_scripts_are_served_by_the_app(
    http: requests.Session, read_url: str, write_url: str
) -> None:
    library = http.get(f"{read_url}/static/vendor/uplot/uPlot.iife.min.js")
    assert library.status_code == 200
    assert library.text.startswith("/*! https://github.com/leeoniya/uPlot (v1.6.32) */")
    assert "javascript" in library.headers["Content-Type"]
    for url in (f"{read_url}/static/explore.js", f"{write_url}/static/upload.js",
                f"{read_url}/assets/backdrop.css", f"{write_url}/assets/backdrop.css"):  # fmt: skip
        assert http.get(url).status_code == 200, url


def test_the_upload_page_asks_for_the_token_in_a_password_field(
    http: requests.Session, write_url: str
) -> None:
    response = http.get(f"{write_url}/upload?data_group=carers&data_type=%3Cb%3E")
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert '<input type="password" name="token" required autocomplete="off"' in response.text
    assert 'name="data_group" value="carers"' in response.text
    assert 'name="data_type" value="&lt;b&gt;"' in response.text
    assert "smaller than 1,000,000 bytes" in response.text
