"""A sum over JSON null is refused on every PostgreSQL, whether its JSONB-to-numeric cast
refuses null by itself (16 and older: the fast statement sums without a guard) or makes it NULL
(17 and newer, as the embedded server: the fast statement turns null into a refused string)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from backdrop.core.errors import QueryInvalid
from backdrop.core.query import Collect, Query
from backdrop.core.storage.postgres.aggregate import casts_null, fast_statement
from backdrop.core.storage.postgres.layout import Keys
from backdrop.core.storage.postgres.storage import PostgresStorage
from backdrop.core.storage.postgres.tables import table
from tests.storage.builders import rec
from tests.storage.test_queries import answer, expect
from tests.support import processes

SUMMED = Query(group_by=("g",), collect=(Collect("v", "sum"),))


def test_only_a_server_whose_cast_makes_null_null_gets_the_guard() -> None:
    assert (casts_null(160013), casts_null(170000), casts_null(180006)) == (False, True, True)
    guarded = fast_statement(table("t"), SUMMED, keys=Keys.TEXT, guard_nulls=True)
    plain = fast_statement(table("t"), SUMMED, keys=Keys.TEXT, guard_nulls=False)
    assert "'null'" in guarded.text.as_string()
    assert "'null'" not in plain.text.as_string()
    assert 'sum(("c0")::numeric)::text' in plain.text.as_string()


@pytest.fixture(scope="module")
def postgres_18(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresStorage]:
    """The embedded server (PostgreSQL 18: its cast makes JSON null NULL), for this module."""
    with processes.embedded_database(tmp_path_factory.mktemp("pg18"), "postgres") as url:
        storage = PostgresStorage(url, timeout=5.0)
        try:
            yield storage
        finally:
            storage.close()


@pytest.mark.parametrize("server", ["embedded_18", "suite"])
@pytest.mark.parametrize(("kind", "value"), [("null", None), ("string", "7")])
def test_a_sum_over_a_non_number_is_refused(
    server: str, kind: str, value: object, postgres_18: PostgresStorage, postgres_url: str
) -> None:
    storage = postgres_18 if server == "embedded_18" else PostgresStorage(postgres_url, timeout=5.0)
    name = f"sum_over_{kind}_{server}"
    try:
        storage.save(name, [rec(g="a", v=1), rec(g="a", v=value)])
        with pytest.raises(QueryInvalid, match="invalid collect function"):
            answer(storage, name, SUMMED)
        storage.save(name, [rec(g="b", v=2), rec(g="b", v=3)])  # integers alone: summed
        only_b = Query(group_by=("g",), collect=SUMMED.collect, filter_by=(("g", "b"),))
        assert answer(storage, name, only_b) == expect([{"g": "b", "_count": 2, "v:sum": 5}])
    finally:
        storage.drop_data_set(name)
        if storage is not postgres_18:
            storage.close()
