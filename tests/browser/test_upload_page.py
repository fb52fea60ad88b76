"""The upload page in headless Chromium: a CSV and an `.xlsx` sent through it are stored and
readable; refusals show each error with its row; the token is never logged."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import FilePayload, Page, expect

from tests.support.browser import Watched, Web
from tests.support.http_data_set import HttpDataSet
from tests.support.spreadsheets import xlsx

CSV = b"_timestamp,name,size\n2014-01-06T00:00:00Z,rex,big\n2014-01-07T00:00:00Z,raptor,small\n"


def upload(page: Page, web: Web, data_set: HttpDataSet, name: str, content: bytes) -> None:
    """Fill in the form as a person would and send the file."""
    page.goto(f"{web.write_url}/upload")
    page.fill("input[name=data_group]", str(data_set.config["data_group"]))
    page.fill("input[name=data_type]", str(data_set.config["data_type"]))
    page.fill("input[name=token]", str(data_set.config["bearer_token"]))
    payload: FilePayload = {"name": name, "mimeType": "", "buffer": content}
    page.set_input_files("input[name=file]", files=[payload])
    page.click("button[type=submit]")
    page.wait_for_selector("#result[data-outcome]")


@pytest.mark.parametrize(
    ("filename", "content"),
    [("dinosaurs.csv", CSV),
     ("dinosaurs.xlsx", xlsx([["_timestamp", "name", "size"],
                              ["2014-01-06T00:00:00Z", "rex", "big"],
                              ["2014-01-07T00:00:00Z", "raptor", "small"]]))],
)  # fmt: skip
def test_an_uploaded_file_is_stored_and_readable(
    page: Watched,
    web: Web,
    filename: str,
    content: bytes,
    screenshot: Callable[[Page, str], Path],
    caplog: pytest.LogCaptureFixture,
) -> None:
    data_set = web.new_data_set(raw_queries_allowed=True)
    with caplog.at_level(logging.DEBUG):
        upload(page.page, web, data_set, filename, content)
    expect(page.page.locator("#result-title")).to_have_text("Your upload was ok")
    expect(page.page.locator("#result-message")).to_have_text(
        f"2 records written to {data_set.config['data_group']}/{data_set.config['data_type']}."
    )
    records = data_set.data("sort_by=_timestamp:ascending")
    assert [(r["_timestamp"], r["name"], r["size"]) for r in records] == [
        ("2014-01-06T00:00:00+00:00", "rex", "big"),
        ("2014-01-07T00:00:00+00:00", "raptor", "small"),
    ]
    token = str(data_set.config["bearer_token"])
    assert caplog.records
    assert all(token not in record.getMessage() for record in caplog.records)
    assert all(token not in str(record.__dict__) for record in caplog.records)
    if filename.endswith(".csv"):
        screenshot(page.page, "upload")


def test_refusals_show_each_error_with_its_row(page: Watched, web: Web) -> None:
    data_set = web.new_data_set()
    content = b"_timestamp,name\n2014-01-06T00:00:00Z,rex\nlater,raptor\n"
    upload(page.page, web, data_set, "bad.csv", content)
    expect(page.page.locator("#result-title")).to_have_text("There was an error with your upload")
    expect(page.page.locator("#result-errors li")).to_have_text(
        [
            "Row 3: 'later' is not a 'date-time'",
            "Row 3: the _timestamp must be a date in the format yyyy-MM-ddT00:00:00Z",
            "Row 3: _timestamp is not a valid datetime object",
        ]
    )
    assert data_set.data("period=day&duration=1&end_at=2014-01-07T00:00:00Z")[0]["_count"] == 0
    page.problems.clear()  # the browser logs the 400 itself


def test_file_checks_show_the_spec_message(page: Watched, web: Web) -> None:
    data_set = web.new_data_set()
    upload(page.page, web, data_set, "picture.png", b"\x89PNG")
    expect(page.page.locator("#result-message")).to_have_text(
        "Invalid file upload picture.png - strange content type of image/png"
    )
    page.problems.clear()


def test_a_wrong_token_is_refused(page: Watched, web: Web) -> None:
    data_set = web.new_data_set()
    config = {**data_set.config, "bearer_token": "not-the-token"}
    upload(page.page, web, HttpDataSet(config, web.http, web.read_url, web.write_url), "a.csv", CSV)
    expect(page.page.locator("#result-message")).to_have_text(
        f"Unauthorized: Invalid bearer token 'not-the-token' for '{data_set.name}'"
    )
    page.problems.clear()
