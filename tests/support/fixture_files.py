"""The JSON fixture files of tests/fixtures/, the one folder both the pytest suites and the
behave steps read them from."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def fixture_text(name: str) -> str:
    """A fixture file's text, as a client would send it."""
    return (FIXTURES / name).read_text(encoding="utf-8")


def fixture_records(name: str) -> list[dict[str, Any]]:
    """The records of a JSON fixture file."""
    records: list[dict[str, Any]] = json.loads(fixture_text(name))
    return records
