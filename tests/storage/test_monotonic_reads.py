"""Storage.monotonic_reads: a view whose reads see the database move forward, never back, so
the response cache can pair an answer with its data version (core/answers.py); and
`answer` itself, which leaves an answer uncached when the version moved during the query."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from backdrop.core.answers import answer
from backdrop.core.data_set_config import DataSetConfig
from backdrop.core.data_sets import DataSets
from backdrop.core.query import Query
from backdrop.core.response_cache import ResponseCache
from backdrop.core.storage.base import Row, Storage
from tests.storage.builders import rec

COUNT = Query(group_by=("kind",))


def elsewhere(work: Callable[[], None]) -> None:
    """`work` on another thread, as another process would do it: outside the session (which
    MongoDB binds to the calling context)."""
    thread = threading.Thread(target=work)
    thread.start()
    thread.join(timeout=30)


def _counts(storage: Storage, data_set: str) -> dict[str, int]:
    return {row.group[0]: row.count for row in storage.run(data_set, COUNT)}


def test_reads_in_a_session_see_what_was_written_before_and_during_it(
    storage: Storage, data_set_name: str
) -> None:
    storage.save(data_set_name, [rec("2014-01-06", kind="a")])
    before = storage.data_version(data_set_name)
    with storage.monotonic_reads() as reads:
        assert reads.data_version(data_set_name) == before
        assert _counts(reads, data_set_name) == {"a": 1}
        elsewhere(lambda: storage.save(data_set_name, [rec("2014-01-07", kind="b")]))
        assert reads.data_version(data_set_name) != before
        assert _counts(reads, data_set_name) == {"a": 1, "b": 1}
        assert sorted(record["kind"] for record in reads.find(data_set_name, Query(limit=5))) == [
            "a",
            "b",
        ]


def _rendered(data: list[Any]) -> bytes:
    return repr(sorted((item["kind"], item["_count"]) for item in data)).encode()


def _writing_during_queries(storage: Storage, url: str, write: Callable[[], None]) -> Storage:
    """The same engine on the same database, calling `write` after each grouped query: a
    write that lands between the answer and the version read after it."""

    class WritingDuringQueries(type(storage)):  # type: ignore[misc]  # the engine under test
        def run(self, data_set: str, query: Query, *, max_rows: int | None = None) -> list[Row]:
            rows: list[Row] = super().run(data_set, query, max_rows=max_rows)
            write()
            return rows

    return WritingDuringQueries(url, timeout=5.0)


def test_an_answer_is_cached_under_the_version_it_was_computed_from(
    storage: Storage, data_set_name: str, database_url: str
) -> None:
    config = DataSetConfig(name=data_set_name, data_group=data_set_name, data_type=data_set_name)
    storage.save(data_set_name, [rec("2014-01-06", kind="a")])
    cache = ResponseCache(1 << 20)
    version = storage.data_version(data_set_name)
    key = (data_set_name, version, COUNT, "json")

    racing = _writing_during_queries(
        storage,
        database_url,
        lambda: elsewhere(lambda: storage.save(data_set_name, [rec("2014-01-07", kind="b")])),
    )
    try:
        body = answer(DataSets(racing), cache, config, COUNT, form="json", render=_rendered)
    finally:
        racing.close()
    assert body == b"[('a', 1)]"  # served: the data set as it was during the request
    assert cache.get(key) is None  # but not cached: the version moved meanwhile

    steady = DataSets(storage)
    body = answer(steady, cache, config, COUNT, form="json", render=_rendered)
    assert body == b"[('a', 1), ('b', 1)]"
    assert cache.get((data_set_name, storage.data_version(data_set_name), COUNT, "json")) == body
