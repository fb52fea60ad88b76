"""The web face in a real browser: headless Chromium (Debian's, installed by
tools/test_browser.sh) driven by Playwright, one browser and one pair of live apps per session.

The pages do not depend on the storage engine (they call the read and write APIs, which the
API suites run on both engines), so these tests run once, on PostgreSQL.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

from backdrop.core.config import Settings
from backdrop.core.storage import open_storage
from backdrop.read.app import create_app as create_read_app
from backdrop.write.app import create_app as create_write_app
from tests.support.browser import Watched, Web, chromium_path
from tests.support.servers import LiveServer
from tests.support.stagecraft import StagecraftState

SCREENSHOTS_VARIABLE = "BACKDROP_SCREENSHOTS"


@pytest.fixture(scope="session")
def web(
    postgres_url: str,
    stagecraft_server: tuple[StagecraftState, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Web]:
    state, stagecraft_url = stagecraft_server
    settings = Settings(
        database_engine="postgres",
        database_url=postgres_url,
        stagecraft_url=stagecraft_url,
        data_dir=tmp_path_factory.mktemp("web_data"),
    )
    storage = open_storage(settings)
    with (
        LiveServer(create_read_app(settings, storage=storage)) as read,
        LiveServer(create_write_app(settings, storage=storage)) as write,
        requests.Session() as http,
    ):
        yield Web(read.url, write.url, state, storage, http)
    storage.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path(), headless=True)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Watched]:
    """A fresh browser context per test. Console errors (a CSP violation, a script error) and
    any dialog (`alert`) fail the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    watched = Watched(opened, [], [])

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            watched.problems.append(message.text)

    def on_dialog(dialog: Any) -> None:
        watched.dialogs.append(dialog.message)
        dialog.dismiss()

    opened.on("console", on_console)
    opened.on("pageerror", lambda error: watched.problems.append(str(error)))
    opened.on("dialog", on_dialog)
    yield watched
    context.close()
    assert watched.dialogs == []
    assert watched.problems == []


@pytest.fixture(scope="session")
def screenshot(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Page, str], Path]:
    """Save a page's screenshot as NAME.png, in $BACKDROP_SCREENSHOTS (the README's pictures:
    `BACKDROP_SCREENSHOTS=docs/images pytest tests/browser`) or a temporary folder."""
    folder = Path(os.environ.get(SCREENSHOTS_VARIABLE) or tmp_path_factory.mktemp("screens"))

    def take(page: Page, name: str) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
