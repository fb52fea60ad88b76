"""The read app's response cache never serves a stale answer: every change to a data set, by
any route, moves its data version on (issue 6)."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.support.bodies import spec_body
from tests.support.stagecraft import RegisterDataSet
from tests.support.tokens import ADMIN_TOKEN

GROUPED = {"group_by": "kind", "collect": "value:sum"}


@pytest.fixture
def populated_data_set(
    data_set_name: str, register_data_set: RegisterDataSet, http: requests.Session, write_url: str
) -> str:
    register_data_set(data_set_name, raw_queries_allowed=True)
    _post(http, write_url, data_set_name, [_record("a", 1), _record("b", 2)])
    return data_set_name


def _record(record_id: str, value: int) -> dict[str, Any]:
    return {"_id": record_id, "_timestamp": "2014-01-06T00:00:00Z", "kind": "x", "value": value}


def _auth(name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {name}-bearer-token"}


def _post(http: requests.Session, write_url: str, name: str, body: object) -> None:
    response = http.post(f"{write_url}/data/{name}/{name}", json=body, headers=_auth(name))
    assert response.status_code == 200, response.text


def _total(http: requests.Session, read_url: str, name: str) -> Any:
    response = http.get(f"{read_url}/data/{name}/{name}", params=GROUPED)
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    return data[0]["value:sum"] if data else None


def test_a_post_is_seen_by_the_next_read(
    http: requests.Session, read_url: str, write_url: str, populated_data_set: str
) -> None:
    assert _total(http, read_url, populated_data_set) == 3
    assert _total(http, read_url, populated_data_set) == 3  # now cached
    _post(http, write_url, populated_data_set, [_record("c", 10)])
    assert _total(http, read_url, populated_data_set) == 13


def test_put_empty_patch_and_delete_are_seen(
    http: requests.Session, read_url: str, write_url: str, populated_data_set: str
) -> None:
    base = f"{write_url}/data/{populated_data_set}/{populated_data_set}"
    assert _total(http, read_url, populated_data_set) == 3
    assert (
        http.patch(f"{base}/a", json={"value": 5}, headers=_auth(populated_data_set)).status_code
        == 200
    )
    assert _total(http, read_url, populated_data_set) == 7
    assert http.delete(f"{base}/b", headers=_auth(populated_data_set)).status_code == 200
    assert _total(http, read_url, populated_data_set) == 5
    assert http.put(base, json=[], headers=_auth(populated_data_set)).status_code == 200
    assert _total(http, read_url, populated_data_set) is None


def test_a_dropped_and_recreated_data_set_is_not_answered_from_the_cache(
    http: requests.Session, read_url: str, write_url: str, populated_data_set: str
) -> None:
    assert _total(http, read_url, populated_data_set) == 3
    dropped = http.delete(
        f"{write_url}/data-sets/{populated_data_set}",
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
    )
    assert dropped.status_code == 200, dropped.text
    assert _total(http, read_url, populated_data_set) is None
    _post(http, write_url, populated_data_set, [_record("a", 1), _record("b", 2)])
    assert _total(http, read_url, populated_data_set) == 3


def test_a_data_set_removed_from_the_config_source_is_gone_at_once(
    http: requests.Session, read_url: str, populated_data_set: str, stagecraft: Any
) -> None:
    assert _total(http, read_url, populated_data_set) == 3
    stagecraft.remove(populated_data_set)
    response = http.get(
        f"{read_url}/data/{populated_data_set}/{populated_data_set}", params=GROUPED
    )
    assert response.status_code == 404
    assert spec_body(response.json()) == {"status": "error", "message": "data_set not found"}


def test_config_changes_count_at_once_even_when_cached(
    http: requests.Session,
    read_url: str,
    populated_data_set: str,
    register_data_set: RegisterDataSet,
) -> None:
    url = f"{read_url}/data/{populated_data_set}/{populated_data_set}"
    assert "warning" not in http.get(url, params=GROUPED).json()
    register_data_set(populated_data_set, raw_queries_allowed=True, published=False)
    unpublished = http.get(url, params=GROUPED)
    assert unpublished.json()["warning"].startswith("Warning: This data-set is unpublished")
    assert unpublished.headers["Cache-Control"] == "no-cache"
    register_data_set(populated_data_set, raw_queries_allowed=False)
    assert http.get(url).status_code == 400  # raw queries no longer allowed


def test_no_cache_request_header_recomputes_and_gives_the_same_bytes(
    http: requests.Session, read_url: str, populated_data_set: str
) -> None:
    url = f"{read_url}/data/{populated_data_set}/{populated_data_set}"
    cached = http.get(url, params=GROUPED)
    fresh = http.get(url, params=GROUPED, headers={"Cache-Control": "no-cache"})
    assert fresh.content == cached.content
    assert fresh.headers["ETag"] == cached.headers["ETag"]
