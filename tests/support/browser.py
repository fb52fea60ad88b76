"""What the browser tests hold: where Chromium is, the live apps they drive (`Web`), and a page
watched for console errors and dialogs (`Watched`)."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from playwright.sync_api import Page

from backdrop.core.storage.base import Storage
from tests.support.fixture_files import fixture_records
from tests.support.http_data_set import HttpDataSet, register
from tests.support.stagecraft import StagecraftState

CHROMIUM_VARIABLE = "BACKDROP_TEST_CHROMIUM"


def chromium_path() -> str:
    """$BACKDROP_TEST_CHROMIUM, else Debian's `chromium` on the PATH."""
    found = os.environ.get(CHROMIUM_VARIABLE) or shutil.which("chromium")
    if not found:
        pytest.fail("no chromium: run tools/test_browser.sh (./run_tests.sh does) to install it")
    return found


@dataclass(frozen=True)
class Web:
    """The live read and write apps, and the Stagecraft stand-in behind them."""

    read_url: str
    write_url: str
    stagecraft: StagecraftState
    storage: Storage
    http: requests.Session

    def new_data_set(self, fixture: str | None = None, **overrides: Any) -> HttpDataSet:
        """A fresh published data set, with a fixture's records written through the API."""
        records = fixture_records(fixture) if fixture else overrides.pop("records", ())
        return register(
            self.stagecraft, self.http, self.read_url, self.write_url, records=records, **overrides
        )


@dataclass
class Watched:
    """A page, and what its console said that a correct page never says."""

    page: Page
    problems: list[str]
    dialogs: list[str]
