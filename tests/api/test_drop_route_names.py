"""`DELETE /data-sets/<name>` drops data sets and nothing else (issue 9): the registry's own
collections or tables, the database's, and names no data set can have are 404, and the built-in
registry (configs and tokens) is intact afterwards. Served with the built-in registry, so the
registry lives in the same database."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
import requests

from backdrop.core.config import Settings
from backdrop.core.data_set import DataSetConfig
from backdrop.core.registry.local import LocalRegistry
from backdrop.core.storage.base import Storage
from backdrop.write.app import create_app as create_write_app
from tests.conftest import ADMIN_TOKEN
from tests.support.servers import LiveServer

ODD_NAMES = (
    "backdrop.data_sets",
    "backdrop.data_versions",
    "backdrop.outbox",
    "backdrop.documents",
    "system.views",
    "system.indexes",
    "a$b",
    "%00",
    "a%00b",
    "x" * 300,
    "backdrop%2Edata_sets",
)


@pytest.fixture(scope="module")
def registry_write_url(settings: Settings, storage: Storage) -> Iterator[str]:
    """The write app over the built-in registry (no Stagecraft)."""
    local = dataclasses.replace(settings, stagecraft_url=None)
    with LiveServer(create_write_app(local, storage=storage)) as server:
        yield server.url


def test_odd_names_are_404_and_the_registry_stays(
    http: requests.Session, registry_write_url: str, storage: Storage, name: str
) -> None:
    registry = LocalRegistry(storage)
    _, token = registry.create(DataSetConfig(name=name, data_group=name, data_type=name))
    config = registry.by_name(name)
    record_url = f"{registry_write_url}/data/{name}/{name}"
    owner = {"Authorization": f"Bearer {token}"}
    posted = http.post(record_url, json=[{"_id": "a", "count": 1}], headers=owner)
    assert posted.status_code == 200, posted.text
    try:
        statuses = {
            odd: http.delete(
                f"{registry_write_url}/data-sets/{odd}",
                headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
            ).status_code
            for odd in ODD_NAMES
        }
        assert statuses == dict.fromkeys(ODD_NAMES, 404)
        assert registry.by_name(name) == config
        assert storage.count_records(name) == 1
        assert http.post(record_url, json=[{"_id": "b"}], headers=owner).status_code == 200
        assert storage.count_records(name) == 2
    finally:
        registry.delete(name)
        storage.drop_data_set(name)
