"""`backdrop db copy`: every data set and registry document, MongoDB -> PostgreSQL and back."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner

from backdrop.cli import main
from backdrop.core.config import Settings
from backdrop.core.query import Query
from backdrop.core.storage import engine_for_url, open_storage
from backdrop.core.storage.base import Storage
from tests.storage.builders import rec
from tests.support.servers import another_mongodb_database, throwaway_postgres


def opened(url: str) -> Storage:
    return open_storage(Settings(database_engine=engine_for_url(url).name, database_url=url))


def contents(storage: Storage) -> dict[str, Any]:
    return {
        "data_sets": storage.data_sets(),
        "records": {name: list(storage.find(name, Query())) for name in storage.data_sets()},
        "documents": list(storage.all_documents()),
    }


def copy(source: str, target: str, *extra: str) -> tuple[int, Any]:
    result = CliRunner().invoke(main, ["db", "copy", "--from", source, "--to", target, *extra])
    document = json.loads(result.stdout) if result.stdout.strip() else None
    return result.exit_code, document


@pytest.fixture
def urls(mongodb_url: str) -> Iterator[tuple[str, str, str]]:
    with (
        another_mongodb_database(mongodb_url) as first,
        throwaway_postgres() as postgres,
        another_mongodb_database(mongodb_url) as second,
    ):
        yield first, postgres, second


def test_copy_to_postgres_and_back_keeps_everything(urls: tuple[str, str, str]) -> None:
    first_url, postgres_url, second_url = urls
    source = opened(first_url)
    source.create_data_set("capped", 40960)
    source.save("capped", [rec("2014-01-06", _id="c", v=1)])
    source.save("big", [rec("2014-01-06", _id=f"{n:05d}", n=n, f=n / 4) for n in range(2100)])
    source.save("big", [{"untimed": True}])  # a generated id
    source.create_data_set("empty", None)
    source.put_document("data_sets", "big", {"name": "big", "data_group": "g", "schema": None})
    before = contents(source)
    source.close()

    code, summary = copy(first_url, postgres_url, "--batch-size", "500")
    assert code == 0
    assert summary == {
        "from": "mongodb", "to": "postgres", "data_sets": 3, "records": 2102,
        "documents": 1, "verified": True, "mismatches": [],
    }  # fmt: skip
    code, _ = copy(first_url, postgres_url)
    assert code == 1  # the target holds records now
    code, summary = copy(first_url, postgres_url, "--replace")
    assert code == 0 and summary["records"] == 2102
    code, summary = copy(postgres_url, second_url)
    assert code == 0 and summary["verified"]

    for url in (postgres_url, second_url):
        copied = opened(url)
        after = contents(copied)
        copied.close()
        assert after["data_sets"] == before["data_sets"]
        assert after["documents"] == before["documents"]
        for name, records in before["records"].items():
            # ObjectIds become their hex strings; everything else is as it was.
            assert after["records"][name] == [{**r, "_id": str(r["_id"])} for r in records]
