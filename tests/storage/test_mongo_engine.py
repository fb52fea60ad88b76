"""Facts of the MongoDB engine alone (the conformance suite holds the shared behaviour): driver
failures mapped by kind at its seam, a batch all-or-nothing in a transaction, the bounded
retry of conflicting transactions, and the standalone fallback. On the real embedded server."""

from __future__ import annotations

import logging
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from pymongo import MongoClient
from pymongo.write_concern import WriteConcern

from backdrop.core.errors import StorageBusy, ValueNotStorable, ValueTooLarge
from backdrop.core.query import Query
from backdrop.core.storage.base import Dispatch, Document
from backdrop.core.storage.mongo import transactions
from backdrop.core.storage.mongo.storage import MongoStorage
from backdrop.core.storage.mongo.transactions import Transactions
from tests.support.processes import free_port, stop, wait_for_mongodb
from tests.support.servers import db_command

MOMENT = datetime(2014, 1, 1, tzinfo=UTC)
OVER_16_MB = "x" * (17 << 20)
SECRET = "do-not-log-this-value"


@pytest.fixture(scope="module")
def mongo(mongodb_url: str) -> Iterator[MongoStorage]:
    storage = MongoStorage(mongodb_url, timeout=1.5)
    yield storage
    storage.close()


@pytest.fixture(scope="module")
def raw(mongodb_url: str) -> Iterator[MongoClient[Document]]:
    client: MongoClient[Document] = MongoClient(mongodb_url)
    with client:
        yield client


def test_a_batch_with_a_record_over_16_mb_stores_nothing(
    mongo: MongoStorage, data_set_name: str
) -> None:
    mongo.create_data_set(data_set_name, None)
    dispatch = Dispatch(f"d-{data_set_name}", data_set_name, MOMENT, MOMENT)
    waiting = mongo.count_dispatches()
    with pytest.raises(ValueTooLarge):
        mongo.save(
            data_set_name, [{"_id": "small"}, {"_id": "big", "v": OVER_16_MB}], dispatch=dispatch
        )
    assert mongo.count_records(data_set_name) == 0
    assert mongo.count_dispatches() == waiting


def test_a_patch_past_16_mb_is_too_large_and_changes_nothing(
    mongo: MongoStorage, data_set_name: str
) -> None:
    mongo.save(data_set_name, [{"_id": "a", "v": "x" * (9 << 20)}])
    with pytest.raises(ValueTooLarge):
        mongo.patch_record(data_set_name, "a", {"w": "y" * (9 << 20)})
    [record] = list(mongo.find(data_set_name, Query()))
    assert "w" not in record


@pytest.mark.parametrize(
    "record", [{"_id": "a", "v": 2**64}, {"_id": "a", "v\0": 1}], ids=["int-past-64-bits", "nul"]
)
def test_values_bson_cannot_encode_are_not_storable(
    mongo: MongoStorage, data_set_name: str, record: dict[str, object]
) -> None:
    with pytest.raises(ValueNotStorable):
        mongo.save(data_set_name, [{"_id": "first"}, record])
    assert mongo.count_records(data_set_name) == 0


def test_the_seam_logs_the_kind_and_code_never_the_data(
    mongo: MongoStorage, data_set_name: str, caplog: pytest.LogCaptureFixture
) -> None:
    mongo.save(data_set_name, [{"_id": "a", "v": "x" * (9 << 20)}])
    with caplog.at_level(logging.WARNING), pytest.raises(ValueTooLarge):
        mongo.patch_record(data_set_name, "a", {"w": SECRET + "y" * (9 << 20)})
    [line] = [r for r in caplog.records if r.getMessage() == "mongodb call failed"]
    assert (line.operation, line.error, line.code, line.outcome) == (  # type: ignore[attr-defined]
        "patch_record",
        "WriteError",
        10334,
        "ValueTooLarge",
    )
    assert SECRET not in caplog.text


def test_internal_names_refuse_record_writes(mongo: MongoStorage) -> None:
    with pytest.raises(ValueNotStorable):
        mongo.empty_data_set("backdrop.data_sets")
    with pytest.raises(ValueNotStorable):
        mongo.save("system.views", [{"_id": "a"}])


def test_a_conflict_that_outlasts_the_retries_is_busy(
    mongo: MongoStorage,
    raw: MongoClient[Document],
    data_set_name: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Another transaction holds the record: every attempt conflicts (the write lock it takes
    after the first does not help), so once the retries' time is up the write fails as
    StorageBusy, and stores nothing of its batch. The lock is no registry document."""
    monkeypatch.setattr(transactions, "BUSY_SECONDS", 1.0)
    mongo.save(data_set_name, [{"_id": "a", "v": 1}])
    with raw.start_session() as holder:
        holder.start_transaction()
        raw.get_default_database()[data_set_name].update_one(
            {"_id": "a"}, {"$set": {"v": 2}}, session=holder
        )
        try:
            with pytest.raises(StorageBusy):
                mongo.save(data_set_name, [{"_id": "b", "v": 1}, {"_id": "a", "v": 3}])
        finally:
            holder.abort_transaction()
    assert sorted((r["_id"], r["v"]) for r in mongo.find(data_set_name, Query())) == [("a", 1)]
    mongo.save(
        data_set_name, [{"_id": "b", "v": 1}, {"_id": "a", "v": 3}]
    )  # once it is gone: stored
    assert sorted((r["_id"], r["v"]) for r in mongo.find(data_set_name, Query())) == [
        ("a", 3),
        ("b", 1),
    ]
    assert (
        raw.get_default_database()["backdrop.write_locks"].count_documents({"_id": data_set_name})
        == 1
    )
    assert "write_locks" not in {kind for kind, _, _ in mongo.all_documents()}


@pytest.fixture(scope="module")
def standalone_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The embedded server announcing itself as a standalone (no transactions)."""
    port = free_port()
    command = [*db_command(port, tmp_path_factory.mktemp("standalone")), "--standalone"]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    try:
        url = f"mongodb://127.0.0.1:{port}/backdrop_test?directConnection=true&retryWrites=false"
        wait_for_mongodb(url, proc)
        yield url
    finally:
        stop(proc)


def test_transactions_are_used_where_the_server_has_them(
    standalone_url: str, raw: MongoClient[Document]
) -> None:
    """The embedded server is a single-node replica set; `--standalone` hides that, as a
    standalone mongod has no transactions; unacknowledged writes cannot be in one."""
    journaled = WriteConcern(j=True)
    locks = raw.get_default_database()["backdrop.write_locks"]
    assert Transactions(raw, journaled, locks).supported()
    assert not Transactions(raw, WriteConcern(w=0), locks).supported()
    standalone: MongoClient[Document] = MongoClient(standalone_url)
    with standalone:
        assert not Transactions(standalone, journaled, locks).supported()


def test_a_standalone_server_is_written_without_transactions(standalone_url: str) -> None:
    storage = MongoStorage(standalone_url, timeout=1.5)
    try:
        dispatch = Dispatch("d-standalone", "plain", MOMENT, MOMENT)
        storage.create_data_set("plain", None)
        storage.save("plain", [{"_id": "a"}, {"v": 1}], dispatch=dispatch)
        assert storage.count_records("plain") == 2
        assert [d.id for d in storage.claim_dispatches(5, 1.0)] == ["d-standalone"]
    finally:
        storage.close()


@pytest.mark.parametrize("text", ["nul\0inside", "lone \ud800 surrogate"], ids=["nul", "surrogate"])
def test_lookups_of_text_bson_cannot_hold_find_nothing(
    mongo: MongoStorage, data_set_name: str, text: str
) -> None:
    """Names and ids MongoDB cannot hold name nothing stored: reads find nothing instead of
    failing in the driver; writes under such a data set name are refused."""
    mongo.save(data_set_name, [{"_id": "a", "channel": "b"}])
    assert mongo.get_document(text, "a") is None
    assert mongo.get_document("data_sets", text) is None
    assert mongo.find_documents(text) == []
    assert mongo.find_documents("data_sets", {"data_group": text}) == []
    assert not mongo.delete_document(text, "a")
    assert mongo.count_records(text) == 0
    assert list(mongo.find(text, Query())) == []
    assert mongo.run(text, Query(group_by=("channel",))) == []
    assert not mongo.patch_record(data_set_name, text, {"channel": "c"})
    assert not mongo.delete_record(data_set_name, text)
    assert list(mongo.find(data_set_name, Query(filter_by=(("channel", text),)))) == []
    assert list(mongo.find(data_set_name, Query(filter_by_prefix=(("channel", text),)))) == []
    with pytest.raises(ValueNotStorable):
        mongo.save(text, [{"_id": "a"}])
    with pytest.raises(ValueNotStorable):
        mongo.put_document(text, "a", {})


def test_a_prefix_with_nul_matches_literally(mongo: MongoStorage, data_set_name: str) -> None:
    mongo.save(data_set_name, [{"_id": "a", "path": "x\0y.z"}, {"_id": "b", "path": "x\0yz"}])
    query = Query(filter_by_prefix=(("path", "x\0y."),))
    assert [record["_id"] for record in mongo.find(data_set_name, query)] == ["a"]


def test_64_bit_integers_read_back_as_int(mongo: MongoStorage, data_set_name: str) -> None:
    mongo.save(data_set_name, [{"_id": "a", "big": 2**62, "nested": [-(2**63)]}])
    [record] = list(mongo.find(data_set_name, Query()))
    assert (type(record["big"]), type(record["nested"][0])) == (int, int)
