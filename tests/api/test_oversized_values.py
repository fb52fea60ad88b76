"""Values no engine can store are a 4xx, never a 500 (issue 9): an integer past 64 bits in a
POST or a PATCH is refused with a message naming it, and nothing of the request is stored."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import requests

from backdrop.core.storage.base import Storage

RANGE = "is outside the range of 64-bit integers"


def test_an_integer_past_64_bits_is_refused(
    http: requests.Session,
    write_url: str,
    storage: Storage,
    name: str,
    make_data_set: Callable[..., dict[str, Any]],
) -> None:
    make_data_set(name)
    url = f"{write_url}/data/{name}/{name}"
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {name}-bearer-token"}
    stamp = "2014-01-01T00:00:00Z"
    records = [{"_id": "a", "_timestamp": stamp}, {"_timestamp": stamp, "count": 2**64 - 1}]
    refused = http.post(url, data=json.dumps(records), headers=headers)
    assert refused.status_code == 400
    assert refused.json() == {
        "messages": [f"count {RANGE} (-9223372036854775808 to 9223372036854775807)"]
    }
    assert storage.count_records(name) == 0

    assert http.post(url, data=json.dumps(records[:1]), headers=headers).status_code == 200
    patched = http.patch(f"{url}/a", data=json.dumps({"count": 2**64 - 1}), headers=headers)
    assert patched.status_code == 400, patched.text
    assert RANGE in patched.text
