"""Facts of the PostgreSQL engine that the shared suite cannot state in terms of the interface:
the server's deadlock counter, a deadlock forced with a second connection, the SQLSTATE each
error kind comes from, and what the seam logs. Runs against the session's PostgreSQL database."""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Generator, Iterator
from datetime import UTC, datetime
from functools import partial
from typing import Any

import psycopg
import pytest

from backdrop.core.errors import StorageBusy, StorageUnavailable, ValueNotStorable, ValueTooLarge
from backdrop.core.periods import Period
from backdrop.core.query import Query
from backdrop.core.storage.base import Record
from backdrop.core.storage.postgres.connections import Retry
from backdrop.core.storage.postgres.migrate import migrate, migrations
from backdrop.core.storage.postgres.storage import PostgresStorage
from backdrop.core.storage.postgres.tables import table_name
from tests.storage.test_concurrency import all_at_once, shuffled_batches
from tests.support.postgres_activity import deadlocks, wait_until_blocked
from tests.support.servers import throwaway_postgres


@pytest.fixture(scope="module")
def postgres(postgres_url: str) -> Iterator[PostgresStorage]:
    storage = PostgresStorage(postgres_url, timeout=5.0)
    yield storage
    storage.close()


@pytest.fixture(scope="module")
def quiet_url() -> Iterator[str]:
    """A database of its own, where no other test keeps connections open: its deadlock count
    can be read once the test's connections are gone."""
    with throwaway_postgres() as url:
        yield url


def test_writers_of_the_same_ids_never_deadlock(quiet_url: str, data_set_name: str) -> None:
    """8 writers x the same 500 ids in shuffled orders, several rounds: no deadlock at all
    (rows are locked in `_id` order), not merely deadlocks retried away."""
    before = deadlocks(quiet_url)
    storage = PostgresStorage(quiet_url, timeout=5.0, retry=Retry(attempts=1))
    try:
        for round_number in range(3):
            name = f"{data_set_name}_{round_number}"
            storage.create_data_set(name, None)
            all_at_once(partial(storage.save, name), shuffled_batches())
            assert storage.count_records(name) == 500
    finally:
        storage.close()
    assert deadlocks(quiet_url) == before


def test_raw_reads_keep_the_posted_order(postgres: PostgresStorage, data_set_name: str) -> None:
    """Rows are written in `_id` order, yet numbered in the order they were posted."""
    posted = [f"id{number:03d}" for number in (5, 1, 9, 3, 7, 0, 8, 2, 6, 4)]
    postgres.save(data_set_name, [{"_id": record_id} for record_id in posted])
    postgres.save(data_set_name, [{"_id": "z"}, {"_id": "id005", "again": True}, {"_id": "a"}])
    found = [record["_id"] for record in postgres.find(data_set_name, Query())]
    assert found == [*posted, "z", "a"]


class Blocker:
    """A second connection holding row locks on a data set's table, as a concurrent writer
    would; it waits long before checking for deadlocks, so the engine's connection is the one
    that detects them (and is rolled back)."""

    def __init__(self, url: str, data_set: str) -> None:
        self._conn = psycopg.connect(url)
        self._conn.execute("SET deadlock_timeout = '10s'")
        self._table = psycopg.sql.Identifier("backdrop", table_name(data_set))

    def lock(self, record_id: str) -> None:
        self._conn.execute(
            psycopg.sql.SQL("UPDATE {} SET record = record WHERE id = %s").format(self._table),
            [record_id],
        )

    def commit(self) -> None:
        self._conn.commit()

    def close(self) -> None:
        self._conn.close()


def deadlocked_save(
    url: str, storage: PostgresStorage, data_set: str, batch: list[Record], held: tuple[str, str]
) -> Exception | None:
    """Save `batch` while another transaction holds the record `held[0]` and, once the save
    waits for it, asks for `held[1]`, which the save has locked: a real deadlock, detected by
    the engine's connection after PostgreSQL's default deadlock_timeout of 1 s. What the save
    raised, or None."""
    blocker = Blocker(url, data_set)
    outcome: list[Exception | None] = []

    def save() -> None:
        try:
            storage.save(data_set, batch)
            outcome.append(None)
        except Exception as exc:  # handed to the test thread
            outcome.append(exc)

    try:
        blocker.lock(held[0])
        writer = threading.Thread(target=save)
        writer.start()
        wait_until_blocked(url)
        blocker.lock(held[1])  # returns once the engine's transaction was rolled back
        blocker.commit()
        writer.join(timeout=30)
    finally:
        blocker.close()
    return outcome[0]


def values(storage: PostgresStorage, data_set: str) -> list[tuple[str, Any]]:
    return sorted((record["_id"], record.get("v")) for record in storage.find(data_set, Query()))


def test_a_deadlocked_write_runs_again_and_succeeds(quiet_url: str, data_set_name: str) -> None:
    """The save locks a, then waits for b; the other transaction holds b and asks for a."""
    before = deadlocks(quiet_url)
    storage = PostgresStorage(quiet_url, timeout=5.0)
    try:
        storage.save(data_set_name, [{"_id": "a", "v": 1}, {"_id": "b", "v": 1}])
        batch = [{"_id": "b", "v": 2}, {"_id": "a", "v": 2}]
        assert deadlocked_save(quiet_url, storage, data_set_name, batch, ("b", "a")) is None
        assert values(storage, data_set_name) == [("a", 2), ("b", 2)]
    finally:
        storage.close()
    assert deadlocks(quiet_url) == before + 1


def test_a_cap_trim_that_deadlocks_runs_again_and_succeeds(
    quiet_url: str, data_set_name: str
) -> None:
    """The save updates a, then its trim of the capped data set waits for the oldest record,
    which the other transaction holds before asking for a."""
    before = deadlocks(quiet_url)
    storage = PostgresStorage(quiet_url, timeout=5.0)
    try:
        storage.save(data_set_name, [{"_id": name, "v": 1} for name in ("oldest", "a", "c", "d")])
        with psycopg.connect(quiet_url) as conn:  # capped at what it holds now
            conn.execute(
                psycopg.sql.SQL(
                    "UPDATE backdrop.data_sets SET capped_size ="
                    " (SELECT sum(pg_column_size(r.*)) FROM {} AS r) WHERE name = %s"
                ).format(psycopg.sql.Identifier("backdrop", table_name(data_set_name))),
                [data_set_name],
            )
        batch = [{"_id": "a", "v": 2, "pad": "x" * 20}]
        assert deadlocked_save(quiet_url, storage, data_set_name, batch, ("oldest", "a")) is None
        assert values(storage, data_set_name) == [("a", 2), ("c", 1), ("d", 1)]
    finally:
        storage.close()
    assert deadlocks(quiet_url) == before + 1


def test_a_write_that_keeps_deadlocking_is_busy_and_stores_nothing(
    quiet_url: str, data_set_name: str
) -> None:
    storage = PostgresStorage(quiet_url, timeout=5.0, retry=Retry(attempts=1))
    try:
        storage.save(data_set_name, [{"_id": "a", "v": 1}, {"_id": "b", "v": 1}])
        batch = [{"_id": "b", "v": 2}, {"_id": "a", "v": 2}]
        error = deadlocked_save(quiet_url, storage, data_set_name, batch, ("b", "a"))
        assert isinstance(error, StorageBusy)
        assert isinstance(error.__cause__, psycopg.errors.DeadlockDetected)
        assert values(storage, data_set_name) == [("a", 1), ("b", 1)]
    finally:
        storage.close()


def test_an_id_too_large_for_the_index_is_value_too_large(
    postgres: PostgresStorage, data_set_name: str
) -> None:
    postgres.save(data_set_name, [{"_id": "kept"}])
    with pytest.raises(ValueTooLarge) as raised:
        postgres.save(data_set_name, [{"_id": "new"}, {"_id": secrets.token_hex(4000)}])
    assert isinstance(raised.value.__cause__, psycopg.errors.ProgramLimitExceeded)
    assert postgres.count_records(data_set_name) == 1


@pytest.mark.parametrize(
    ("record", "cause"),
    [
        ({"_id": "a", "text": "nul \0 inside"}, psycopg.errors.UntranslatableCharacter),
        ({"_id": "nul\0id"}, psycopg.errors.CharacterNotInRepertoire),
        ({"_id": "a", "text": "lone \ud800"}, UnicodeEncodeError),
        ({"_id": "a", "deep": [{"text": "\ud800"}]}, UnicodeEncodeError),
        ({"_id": "lone\udfff"}, UnicodeEncodeError),
    ],
)
def test_text_postgresql_cannot_hold_is_value_not_storable(
    postgres: PostgresStorage, data_set_name: str, record: dict[str, Any], cause: type[Exception]
) -> None:
    postgres.save(data_set_name, [{"_id": "kept"}])
    with pytest.raises(ValueNotStorable) as raised:
        postgres.save(data_set_name, [{"_id": "new"}, record])
    assert type(raised.value) is ValueNotStorable
    assert isinstance(raised.value.__cause__, cause)
    assert postgres.count_records(data_set_name) == 1


def test_the_seam_logs_the_cause_without_record_data(
    postgres: PostgresStorage, data_set_name: str, caplog: pytest.LogCaptureFixture
) -> None:
    secret = secrets.token_hex(4000)
    postgres.save(data_set_name, [{"_id": "kept"}])
    with caplog.at_level(logging.WARNING), pytest.raises(ValueTooLarge):
        postgres.save(data_set_name, [{"_id": secret, "note": "private"}])
    [line] = [r for r in caplog.records if r.name.startswith("backdrop.core.storage.postgres")]
    assert line.getMessage() == "database error"
    facts = {key: getattr(line, key, None) for key in ("sqlstate", "error", "kind")}
    assert facts == {"sqlstate": "54000", "error": "ProgramLimitExceeded", "kind": "ValueTooLarge"}
    assert line.schema_name == "backdrop"  # type: ignore[attr-defined]  # an extra field
    logged = " ".join(f"{key}={value}" for key, value in vars(line).items())
    assert secret[:64] not in logged and "private" not in logged


def test_a_date_tag_stored_by_an_earlier_version_reads_back_as_it_was_written(
    postgres_url: str, postgres: PostgresStorage, data_set_name: str
) -> None:
    """Before tags were escaped, a client's `{"$date": "garbage"}` was stored as it is: it
    must not break reads (it used to raise ValueError on every raw read)."""
    postgres.save(data_set_name, [{"_id": "q2", "channel": "b"}])
    with psycopg.connect(postgres_url) as conn:
        conn.execute(
            psycopg.sql.SQL("UPDATE {} SET record = record || %s::jsonb").format(
                psycopg.sql.Identifier("backdrop", table_name(data_set_name))
            ),
            ['{"note": {"$date": "garbage"}}'],
        )
    [record] = postgres.find(data_set_name, Query())
    assert record["note"] == {"$date": "garbage"}


def test_migration_3_repairs_names_that_clashed() -> None:
    """A database at schema version 2 where `visits_ts` and `visits_seq_seq` came first: the
    table of `visits` silently lacked its `_timestamp` index (its name was taken), and
    `visits_seq` could not be created at all. Once migrated, every data set has its table and
    indexes, and the records keep their order."""
    with throwaway_postgres() as url:
        with psycopg.connect(url, autocommit=True) as conn:
            assert migrate(conn, migrations()[:2]) == ["001_initial", "002_outbox"]
            for name in ("visits_ts", "visits_seq_seq", "visits"):
                conn.execute(
                    "INSERT INTO backdrop.data_sets (name, table_name) VALUES (%s, %s)",
                    [name, table_name(name)],
                )
                conn.execute("SELECT backdrop.create_records_table(%s)", [table_name(name)])
            conn.execute(
                "INSERT INTO backdrop.r_visits (id, record) VALUES ('b', '{}'), ('a', '{}')"
            )
            assert indexes(conn, "r_visits") == ["r_visits_pkey", "r_visits_seq"]
        storage = PostgresStorage(url, timeout=5.0)
        try:
            assert storage.migrate() == ["003_object_names", "004_grouped_reads"]
            for name in ("visits_ts", "visits_seq_seq", "visits", "visits_seq"):
                storage.save(name, [{"_id": "c", "_timestamp": datetime(2014, 1, 6, tzinfo=UTC)}])
            assert [r["_id"] for r in storage.find("visits", Query())] == ["b", "a", "c"]
            assert [r["_id"] for r in storage.find("visits_seq", Query())] == ["c"]
            with psycopg.connect(url) as conn:
                found = {name: indexes(conn, table_name(name)) for name in ("visits", "visits_ts")}
                sequence = conn.execute(
                    "SELECT pg_get_serial_sequence('backdrop.r_visits', 'seq')"
                ).fetchone()
        finally:
            storage.close()
    assert found == {
        name: [f"i_{table_name(name)}_{end}" for end in ("nb", "pkey", "seq", "ts")]
        for name in ("visits", "visits_ts")
    }
    assert sequence == ("backdrop.s_r_visits",)


def test_migration_4_prepares_every_table_for_grouped_reads() -> None:
    """A data set made at schema version 3 keeps its records and answers as before; like a new
    data set's, its `_timestamp` index now holds the period keys, the records without a stored
    bucket have an index, and groups of a document field are estimated as few."""
    monday = datetime(2014, 1, 6, tzinfo=UTC)
    with throwaway_postgres() as url:
        with psycopg.connect(url, autocommit=True) as conn:
            migrate(conn, migrations()[:3])
            conn.execute(
                "INSERT INTO backdrop.data_sets (name, table_name) VALUES ('old', 'r_old')"
            )
            conn.execute("SELECT backdrop.create_records_table('r_old')")
            conn.execute(
                "INSERT INTO backdrop.r_old (id, _timestamp, _week_start_at, record)"
                " VALUES ('a', %s, %s, '{}')",
                [datetime(2014, 1, 7, tzinfo=UTC), monday],
            )
        storage = PostgresStorage(url, timeout=5.0)
        try:
            assert storage.migrate() == ["004_grouped_reads"]
            storage.save("new", [{"_id": "b", "_timestamp": datetime(2014, 1, 8, tzinfo=UTC)}])
            for name in ("old", "new"):
                rows = storage.run(name, Query(period=Period.WEEK))
                assert [(row.period_start, row.count) for row in rows] == [(monday, 1)]
            with psycopg.connect(url) as conn:
                found = {name: period_indexes(conn, table_name(name)) for name in ("old", "new")}
                estimates = {name: record_estimate(conn, table_name(name)) for name in found}
        finally:
            storage.close()
    keys = "_hour_start_at, _day_start_at, _week_start_at, _month_start_at, _quarter_start_at"
    unbucketed = " OR ".join(f"({key} IS NULL)" for key in (*keys.split(", "), "_year_start_at"))
    expected = [
        f"btree (_timestamp) WHERE ((_timestamp IS NOT NULL) AND ({unbucketed}))",
        f"btree (_timestamp) INCLUDE ({keys}, _year_start_at)",
    ]
    assert found == {"old": expected, "new": expected}
    assert estimates == {"old": ["n_distinct=10000"], "new": ["n_distinct=10000"]}


def record_estimate(conn: psycopg.Connection[Any], table: str) -> list[str]:
    row = conn.execute(
        "SELECT attoptions FROM pg_attribute WHERE attrelid = %s::regclass AND attname = 'record'",
        [f"backdrop.{table}"],
    ).fetchone()
    assert row is not None
    return [option for option in row[0] if option.startswith("n_distinct=")]


def period_indexes(conn: psycopg.Connection[Any], table: str) -> list[str]:
    """How the indexes on `_timestamp` are made (`i_<table>_nb`, then `_ts`)."""
    rows = conn.execute(
        "SELECT indexdef FROM pg_indexes WHERE schemaname = 'backdrop' AND indexname = ANY(%s)"
        " ORDER BY indexname",
        [[f"i_{table}_nb", f"i_{table}_ts"]],
    ).fetchall()
    return [str(row[0]).partition(" USING ")[2] for row in rows]


def indexes(conn: psycopg.Connection[Any], table: str) -> list[str]:
    rows = conn.execute(
        "SELECT indexname FROM pg_indexes WHERE schemaname = 'backdrop' AND tablename = %s"
        " ORDER BY 1",
        [table],
    )
    return [str(row[0]) for row in rows]


def unfinished_read(storage: PostgresStorage, name: str) -> Generator[Record, None, None]:
    """A read begun and not finished: it holds a pooled connection until it is closed."""
    reader = storage.find(name, Query())
    assert isinstance(reader, Generator)
    assert next(reader)["_id"] == "a"
    return reader


def test_a_busy_pool_is_unavailable_in_time_but_leaves_the_breaker_closed(
    postgres_url: str, data_set_name: str
) -> None:
    """Every connection lent out (here: two raw reads a caller has not finished) while the
    database answers: a third call gives up after the timeout, as unavailable, and the next
    call once a connection is back is served, not refused by an open breaker."""
    storage = PostgresStorage(postgres_url, timeout=0.5, max_connections=2)
    try:
        storage.save(data_set_name, [{"_id": "a"}, {"_id": "b"}])
        readers = [unfinished_read(storage, data_set_name) for _ in range(2)]
        started = time.monotonic()
        with pytest.raises(StorageUnavailable):
            storage.count_records(data_set_name)
        assert time.monotonic() - started < 1.5
        readers[0].close()
        assert storage.count_records(data_set_name) == 2
        readers[1].close()
    finally:
        storage.close()
