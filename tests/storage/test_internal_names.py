"""The drop route's storage side (pinned 6): `drop_data_set` drops only data sets, never the
registry, the data versions, the outbox or any of the database's own collections or tables,
whatever name it is given."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from backdrop.core.storage.base import Dispatch, Storage

INTERNAL = (
    "backdrop.data_sets",
    "backdrop.data_versions",
    "backdrop.outbox",
    "backdrop.documents",
    "backdrop.schema_migrations",
    "system.views",
    "system.indexes",
    "system.profile",
)


@pytest.mark.parametrize("internal", INTERNAL)
def test_internal_names_are_no_data_sets(storage: Storage, data_set: str, internal: str) -> None:
    config = {"name": data_set, "bearer_token": "secret"}
    storage.put_document("data_sets", data_set, config)
    storage.save(data_set, [{"_id": "a"}])
    version = storage.data_version(data_set)
    moment = datetime(2014, 1, 1, tzinfo=UTC)
    dispatch = Dispatch(f"dispatch-{data_set}", data_set, moment, moment)
    storage.add_dispatch(dispatch)
    waiting = storage.count_dispatches()
    try:
        assert not storage.data_set_exists(internal)
        assert not storage.drop_data_set(internal)
        assert internal not in storage.data_sets()
        assert storage.get_document("data_sets", data_set) == config
        assert storage.data_version(data_set) == version
        assert storage.count_dispatches() == waiting
        assert storage.count_records(data_set) == 1
    finally:
        storage.finish_dispatch(dispatch.id)
        storage.delete_document("data_sets", data_set)
