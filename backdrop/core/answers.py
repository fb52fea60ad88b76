"""A query's rendered answer, from the response cache while the data set is unchanged.

The cache key holds the data set's data version, and the version must be the one the answer
was computed from: a version newer than its answer would serve old data until the next write,
and one older could serve an answer newer than the replica a later request reads. Reading the
version, the answer and the version again in one monotonic session (`DataSets.monotonic`)
proves the pairing on any engine and any replica: reads in the session never go back in time
and every change to a data set changes its version, so an unchanged version means no change
happened between the two reads, the answer's included. A changed one leaves the answer
uncached (it is still served: it is the data set as it was at some moment of the request).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from backdrop.core.data_set_config import DataSetConfig
from backdrop.core.data_sets import DataSets
from backdrop.core.query import Query
from backdrop.core.response_cache import ResponseCache

Render = Callable[[list[Any]], bytes]


def answer(
    data_sets: DataSets,
    cache: ResponseCache,
    config: DataSetConfig,
    query: Query,
    *,
    form: str,
    render: Render,
    fresh: bool = False,
) -> bytes:
    """The answer to `query` rendered by `render` as `form` (part of the cache key); with
    `fresh` (the client's `Cache-Control: no-cache`) computed again, and cached for others."""
    with data_sets.monotonic() as reads:
        version = reads.version(config)
        key = (config.name, version, query, form)
        body = None if fresh else cache.get(key)
        if body is not None:
            return body
        data = reads.query(config, query)
        unchanged = reads.version(config) == version
    body = render(data)
    if unchanged:
        cache.put(key, body)
    return body
