"""The explorer in headless Chromium: the list, the builder's chart and table against the API's
answer, values shown as text, and shared links."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import Watched, Web
from tests.support.http_data_set import HttpDataSet, unique_name

# Spec 9.1 scenario 21: testport's weekly counts from 2013-02-04 for 8 weeks.
WEEKLY = (
    "period=week&start_at=2013-02-04T00:00:00Z&end_at=2013-03-29T00:00:00Z"
    "&filter_by=authorityUrlSlug:testport"
)
WEEKLY_COUNTS = [10, 0, 0, 0, 16, 21, 1, 4]


@pytest.fixture(scope="module")
def licensing(web: Web) -> HttpDataSet:
    """420 licence applications (spec 9.1 scenarios 19-22), raw queries allowed."""
    name = unique_name("licensing")
    return web.new_data_set(
        "licensing_preview.json",
        name=name,
        data_group="licensing",
        data_type=name,
        raw_queries_allowed=True,
        schema=None,
    )


def explore(page: Page, web: Web, name: str, query: str = "") -> None:
    """Open the builder (with a query string) and wait until its script has drawn."""
    page.goto(f"{web.read_url}/explore/{name}{'?' + query if query else ''}")
    page.wait_for_selector("#explorer[data-ready=true]")


def js_text(value: Any) -> str:
    """A JSON value as the page's table shows it (JavaScript's String())."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list | dict):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return str(value)


def table(page: Page, selector: str) -> tuple[list[str], list[list[str]]]:
    head = page.locator(f"{selector} thead th").all_inner_texts()
    rows = page.eval_on_selector_all(
        f"{selector} tbody tr",
        "rows => rows.map(row => Array.from(row.cells, cell => cell.textContent))",
    )
    return head, rows


def chart(page: Page) -> tuple[int, int]:
    element = page.locator("#chart")
    return int(element.get_attribute("data-series") or -1), int(
        element.get_attribute("data-points") or -1
    )


def test_the_list_shows_a_data_set_just_created(
    page: Watched, web: Web, screenshot: Callable[[Page, str], Path]
) -> None:
    created = web.new_data_set(records=[{"_timestamp": "2014-01-06T00:00:00Z", "count": 1}])
    hidden = web.new_data_set(published=False)
    page.page.goto(f"{web.read_url}/explore")
    row = page.page.locator("#data-sets tbody tr", has_text=created.name)
    expect(row).to_have_count(1)
    expect(row.locator("td").nth(3)).to_have_text("2014-01-06T00:00:00+00:00")
    expect(row.locator(".status")).to_have_text("stale")  # newest data older than 31 days
    expect(page.page.locator("#data-sets tbody tr", has_text=hidden.name)).to_have_count(0)
    page.page.fill("#filter", created.name)
    expect(page.page.locator("#data-sets tbody tr:visible")).to_have_count(1)
    screenshot(page.page, "explorer-list")
    page.page.click(f"text={created.name}")
    expect(page.page.locator("h1")).to_have_text(created.name)


def test_a_period_query_charts_a_point_per_period_and_tabulates_the_api_answer(
    page: Watched, web: Web, licensing: HttpDataSet, screenshot: Callable[[Page, str], Path]
) -> None:
    explore(page.page, web, licensing.name, WEEKLY)
    answer = licensing.data(WEEKLY)
    assert [row["_count"] for row in answer] == WEEKLY_COUNTS
    assert chart(page.page) == (1, 8)
    head, rows = table(page.page, "#results")
    assert head == sorted(answer[0])
    assert rows == [[js_text(row[key]) for key in head] for row in answer]
    api_url = f"{web.read_url}{licensing.path}?{WEEKLY.replace(':', '%3A')}"
    expect(page.page.locator("#api-url")).to_have_text(api_url)
    expect(page.page.locator("#curl")).to_have_text(f"curl '{api_url}'")
    csv = page.page.locator("#csv-link").get_attribute("href")
    assert csv == f"{api_url}&format=csv"
    assert web.http.get(csv).text == licensing.get(WEEKLY + "&format=csv").text


def test_a_grouped_period_query_draws_a_line_per_group(
    page: Watched, web: Web, licensing: HttpDataSet, screenshot: Callable[[Page, str], Path]
) -> None:
    query = (
        "period=week&start_at=2013-01-28T00:00:00Z&end_at=2013-04-01T00:00:00Z"
        "&group_by=licenceUrlSlug&filter_by=authorityUrlSlug:testport"
    )
    explore(page.page, web, licensing.name, query)
    answer = licensing.data(query)
    assert chart(page.page) == (len(answer), 9)
    head, rows = table(page.page, "#results")
    flat = [{"licenceUrlSlug": group["licenceUrlSlug"], **entry} for group in answer
            for entry in group["values"]]  # fmt: skip
    assert head == sorted(flat[0])
    assert rows == [[js_text(row.get(key)) for key in head] for row in flat]
    expect(page.page.locator("#chart-caption")).to_have_text(
        "_count per period, one line per group"
    )
    screenshot(page.page, "explorer")


def test_grouped_totals_are_bars(page: Watched, web: Web, licensing: HttpDataSet) -> None:
    query = (
        "group_by=licenceUrlSlug&filter_by=authorityUrlSlug:testport&sort_by=_count:descending"
        "&collect=authorityName&collect=isPaymentRequired:sum"
    )
    explore(page.page, web, licensing.name, query)
    answer = licensing.data(query)
    assert chart(page.page) == (1, len(answer))
    expect(page.page.locator("#chart-caption")).to_have_text("isPaymentRequired:sum per group")
    head, rows = table(page.page, "#results")
    assert rows == [[js_text(row[key]) for key in head] for row in answer]
    assert rows[0][head.index("licenceUrlSlug")] == "fake-licence-3"


def test_a_refused_query_shows_the_apis_message(
    page: Watched, web: Web, licensing: HttpDataSet
) -> None:
    explore(page.page, web, licensing.name, "period=fortnight&duration=2")
    expect(page.page.locator("#query-error")).to_have_text(
        "'period' must be one of ['hour', 'day', 'week', 'month', 'quarter', 'year']"
    )
    expect(page.page.locator("#answer")).to_be_hidden()
    page.problems.clear()  # the 400 itself is logged by the browser, rightly


def test_raw_allowed_data_sets_show_their_latest_records(
    page: Watched, web: Web, licensing: HttpDataSet
) -> None:
    explore(page.page, web, licensing.name)
    head, rows = table(page.page, "#latest-records")
    latest = licensing.data("sort_by=_timestamp:descending&limit=20")
    assert len(rows) == 20
    assert "_updated_at" not in head
    assert [row[head.index("_id")] for row in rows] == [record["_id"] for record in latest]


def test_markup_in_records_is_shown_as_text(page: Watched, web: Web) -> None:
    nasty = "<script>alert(1)</script>"
    image = '<img src=x onerror="alert(2)">'
    data_set = web.new_data_set(
        raw_queries_allowed=True,
        schema=None,
        records=[{"name": nasty, "kind": image}, {"name": "plain", "kind": image}],
    )
    explore(page.page, web, data_set.name, "group_by=name&collect=kind")
    cells = page.page.locator("#results tbody td").all_text_contents()
    assert nasty in cells
    assert f'["{image.replace(chr(34), chr(92) + chr(34))}"]' in cells
    latest = page.page.locator("#latest-records tbody td").all_text_contents()
    assert nasty in latest
    assert image in latest
    assert page.page.locator("#main img, #main script").count() == 0
    assert page.dialogs == []


def test_the_builder_state_is_the_link(
    page: Watched, web: Web, licensing: HttpDataSet, browser: Any
) -> None:
    explore(page.page, web, licensing.name)
    form = page.page.locator("#builder")
    form.locator("select[name=period]").select_option("week")
    form.locator("input[name=start_at]").fill("2013-02-04T00:00:00Z")
    form.locator("input[name=end_at]").fill("2013-04-01T00:00:00Z")
    form.locator("input[name=filter_by]").first.fill("authorityUrlSlug:testport")
    form.locator("input[name=group_by]").first.fill("licenceUrlSlug")
    form.locator("input[name=flatten]").check()
    form.locator("button[type=submit]").click()
    page.page.wait_for_selector("#explorer[data-ready=true]")
    shared = page.page.url
    assert shared == (
        f"{web.read_url}/explore/{licensing.name}?period=week"
        f"&start_at={quote('2013-02-04T00:00:00Z')}&end_at={quote('2013-04-01T00:00:00Z')}"
        f"&group_by=licenceUrlSlug&flatten=true&filter_by={quote('authorityUrlSlug:testport')}"
    )
    drawn = chart(page.page), table(page.page, "#results")
    assert drawn[0] == (6, 8)
    other = browser.new_context()
    try:
        fresh = other.new_page()
        fresh.goto(shared)
        fresh.wait_for_selector("#explorer[data-ready=true]")
        assert (chart(fresh), table(fresh, "#results")) == drawn
        expect(fresh.locator("input[name=group_by]").first).to_have_value("licenceUrlSlug")
        expect(fresh.locator("input[name=flatten]")).to_be_checked()
    finally:
        other.close()


def test_prefix_filters_sorting_limits_and_inclusive_are_in_the_link_too(
    page: Watched, web: Web, licensing: HttpDataSet, browser: Any
) -> None:
    explore(page.page, web, licensing.name)
    form = page.page.locator("#builder")
    form.locator("input[name=start_at]").fill("2013-02-04T00:00:00Z")
    form.locator("input[name=end_at]").fill("2013-03-31T00:00:00Z")
    form.locator("input[name=inclusive]").check()
    form.locator("input[name=group_by]").first.fill("licenceUrlSlug")
    form.locator("input[name=filter_by_prefix]").first.fill("authorityUrlSlug:test")
    form.locator("input[name=sort_by]").fill("_count:descending")
    form.locator("input[name=limit]").fill("2")
    form.locator("button[type=submit]").click()
    page.page.wait_for_selector("#explorer[data-ready=true]")
    query = (
        f"start_at={quote('2013-02-04T00:00:00Z')}&end_at={quote('2013-03-31T00:00:00Z')}"
        f"&inclusive=true&group_by=licenceUrlSlug"
        f"&filter_by_prefix={quote('authorityUrlSlug:test')}"
        f"&sort_by={quote('_count:descending')}&limit=2"
    )
    shared = page.page.url
    assert shared == f"{web.read_url}/explore/{licensing.name}?{query}"
    answer = licensing.data(query)
    assert len(answer) == 2
    assert answer[0]["_count"] >= answer[1]["_count"]
    drawn = table(page.page, "#results")
    head, rows = drawn
    assert set(head) == set(answer[0])
    assert [dict(zip(head, row, strict=True)) for row in rows] == [
        {key: js_text(row.get(key)) for key in head} for row in answer
    ]
    other = browser.new_context()
    try:
        fresh = other.new_page()
        fresh.goto(shared)
        fresh.wait_for_selector("#explorer[data-ready=true]")
        assert table(fresh, "#results") == drawn
        expect(fresh.locator("input[name=filter_by_prefix]").first).to_have_value(
            "authorityUrlSlug:test"
        )
        expect(fresh.locator("input[name=sort_by]")).to_have_value("_count:descending")
        expect(fresh.locator("input[name=limit]")).to_have_value("2")
        expect(fresh.locator("input[name=inclusive]")).to_be_checked()
    finally:
        other.close()


def test_an_unpublished_data_set_shows_the_apis_warning_and_no_csv(page: Watched, web: Web) -> None:
    data_set = web.new_data_set(
        published=False, schema=None, records=[{"name": "rex"}, {"name": "raptor"}]
    )
    explore(page.page, web, data_set.name, "group_by=name")
    expect(page.page.locator("#warning")).to_have_text(
        "Warning: This data-set is unpublished. Data may be subject to change or be inaccurate."
    )
    expect(page.page.locator("#csv-link")).to_be_hidden()
    assert chart(page.page) == (1, 2)
