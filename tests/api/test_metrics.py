"""Metrics of the apps (issue 10), read back from `/metrics` as Prometheus scrapes them and from
a real UDP socket as statsd receives them: route templates (never raw paths), records written
and rejected, batch sizes, the response cache, registry lookups, dispatches, and the original's
statsd names (spec 8.3)."""

from __future__ import annotations

import dataclasses
import socket
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from backdrop.core.config import Settings
from backdrop.core.errors import (
    StorageBusy,
    StorageError,
    StorageUnavailable,
    ValueNotStorable,
    ValueTooLarge,
)
from backdrop.core.metrics import Metrics, database_error_kind
from backdrop.core.storage.base import Storage
from backdrop.core.storage.postgres.errors import Conflict, MissingTable, UnusableName
from backdrop.read.app import create_app as create_read_app
from backdrop.write.app import create_app as create_write_app
from tests.support.builtin_registry import BuiltinApps, builtin_apps
from tests.support.builtin_registry import register as register_locally
from tests.support.http_data_set import HttpDataSet, register, unique_name
from tests.support.outbox import empty_outbox
from tests.support.processes import free_port
from tests.support.servers import LiveServer
from tests.support.spreadsheets import xls, xlsx
from tests.support.stagecraft import StagecraftState, stagecraft_config
from tests.support.statsd import received, statsd_listener
from tests.support.tokens import ADMIN_TOKEN

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(http: requests.Session, url: str) -> Samples:
    """Every sample of `url/metrics`, keyed by name and sorted labels."""
    response = http.get(f"{url}/metrics")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.fixture(scope="module")
def statsd_socket() -> Iterator[socket.socket]:
    """A real UDP socket standing in for the statsd daemon."""
    with statsd_listener() as sock:
        yield sock


@pytest.fixture(scope="module")
def metered(
    settings: Settings, storage: Storage, statsd_socket: socket.socket
) -> Iterator[tuple[str, str]]:
    """Read and write apps of their own (fresh counts), sending statsd to `statsd_socket`; a
    small response cache (64 KiB) so evictions happen."""
    metered_settings = dataclasses.replace(
        settings,
        statsd_host="127.0.0.1",
        statsd_port=statsd_socket.getsockname()[1],
        response_cache_bytes=64 * 1024,
    )
    read = LiveServer(create_read_app(metered_settings, storage=storage))
    write = LiveServer(create_write_app(metered_settings, storage=storage))
    with read, write:
        yield read.url, write.url


@pytest.fixture
def metered_data_set(
    stagecraft_server: tuple[StagecraftState, str], http: requests.Session, metered: tuple[str, str]
) -> HttpDataSet:
    return register(stagecraft_server[0], http, *metered, raw_queries_allowed=True)


def test_requests_are_counted_by_route_template(
    http: requests.Session, metered: tuple[str, str], metered_data_set: HttpDataSet
) -> None:
    read_url, _ = metered
    route = "/data/<data_group>/<data_type>"
    before = scrape(http, read_url)
    for _ in range(3):
        assert metered_data_set.get("group_by=kind").status_code == 200
    assert metered_data_set.get("colour=red").status_code == 400
    assert http.get(f"{read_url}/no/such/{metered_data_set.name}").status_code == 404
    after = scrape(http, read_url)
    counted = "backdrop_http_requests_total"
    ok = {"route": route, "method": "GET", "status": "200"}
    assert value(after, counted, **ok) - value(before, counted, **ok) == 3
    bad = {"route": route, "method": "GET", "status": "400"}
    assert value(after, counted, **bad) - value(before, counted, **bad) == 1
    unmatched = {"route": "unmatched", "method": "GET", "status": "404"}
    assert value(after, counted, **unmatched) - value(before, counted, **unmatched) == 1
    durations = "backdrop_http_request_duration_seconds_count"
    timed = {"route": route, "method": "GET"}
    assert value(after, durations, **timed) - value(before, durations, **timed) == 4
    assert not any(metered_data_set.name in dict(labels).get("route", "") for _, labels in after)


def test_methods_outside_http_are_one_label(
    http: requests.Session, metered: tuple[str, str]
) -> None:
    read_url, _ = metered
    http.request("BREW", f"{read_url}/_status")
    samples = scrape(http, read_url)
    assert (
        value(
            samples, "backdrop_http_requests_total", route="unmatched", method="other", status="405"
        )
        >= 1
    )


def test_records_written_rejected_and_batch_sizes(
    http: requests.Session, metered: tuple[str, str], metered_data_set: HttpDataSet
) -> None:
    _, write_url = metered
    before = scrape(http, write_url)
    records = [{"_timestamp": f"2014-01-0{day}T00:00:00Z", "kind": "a"} for day in range(1, 6)]
    assert metered_data_set.post(records).status_code == 200
    assert metered_data_set.post([{"_timestamp": "nope"}, {"bad-key": 1}, {}]).status_code == 400
    after = scrape(http, write_url)
    assert (
        value(after, "backdrop_records_written_total")
        - value(before, "backdrop_records_written_total")
        == 5
    )
    assert (
        value(after, "backdrop_records_rejected_total")
        - value(before, "backdrop_records_rejected_total")
        == 3
    )
    assert (
        value(after, "backdrop_write_batch_size_records_count")
        - value(before, "backdrop_write_batch_size_records_count")
        == 1
    )
    # a batch of 5 lands in the le=10 bucket, not in le=1
    bucket = "backdrop_write_batch_size_records_bucket"
    assert value(after, bucket, le="10.0") - value(before, bucket, le="10.0") == 1
    assert value(after, bucket, le="1.0") - value(before, bucket, le="1.0") == 0
    published = value(after, "backdrop_transform_dispatches_total", outcome="published")
    assert (
        published - value(before, "backdrop_transform_dispatches_total", outcome="published") == 1
    )
    assert ("backdrop_transform_dispatches_pending", ()) in after


def test_response_cache_hits_misses_and_evictions(
    http: requests.Session, metered: tuple[str, str], metered_data_set: HttpDataSet
) -> None:
    read_url, _ = metered
    big = [{"_timestamp": "2014-01-01T00:00:00Z", "kind": "k" * 3000, "nn": i} for i in range(4)]
    assert metered_data_set.post(big).status_code == 200
    before = scrape(http, read_url)
    assert metered_data_set.get("limit=4").status_code == 200  # computed: a miss
    assert metered_data_set.get("limit=4").status_code == 200  # served from the cache: a hit
    for limit in range(1, 8):  # 3-12 KiB answers into a 64 KiB cache: the oldest are dropped
        metered_data_set.get(f"limit={limit}&sort_by=nn:descending")
    after = scrape(http, read_url)
    hits = "backdrop_response_cache_hits_total"
    misses = "backdrop_response_cache_misses_total"
    assert value(after, hits) - value(before, hits) == 1
    assert value(after, misses) - value(before, misses) == 8
    evicted = "backdrop_response_cache_evictions_total"
    assert value(after, evicted) - value(before, evicted) >= 1


def test_registry_lookups_by_outcome(
    http: requests.Session,
    metered: tuple[str, str],
    metered_data_set: HttpDataSet,
    stagecraft: StagecraftState,
) -> None:
    read_url, _ = metered
    name = "backdrop_registry_lookups_total"
    labels = {"source": "stagecraft", "operation": "by_group_and_type"}
    before = scrape(http, read_url)
    metered_data_set.get("group_by=kind")
    http.get(f"{read_url}/data/no-such/group")
    stagecraft.failures.extend([500])
    assert metered_data_set.get("group_by=kind").status_code == 503
    after = scrape(http, read_url)
    for outcome in ("found", "not_found", "error"):
        change = value(after, name, outcome=outcome, **labels) - value(
            before, name, outcome=outcome, **labels
        )
        assert change == 1, outcome
    timed = "backdrop_registry_lookup_duration_seconds_count"
    assert value(after, timed, **labels) - value(before, timed, **labels) == 3


def test_statsd_gets_the_original_names(
    http: requests.Session,
    metered: tuple[str, str],
    metered_data_set: HttpDataSet,
    statsd_socket: socket.socket,
) -> None:
    read_url, write_url = metered
    received(statsd_socket)
    http.get(f"{read_url}/_status")
    http.get(f"{read_url}/_status/data-sets")
    http.get(f"{write_url}/_status")
    http.put(
        f"{write_url}{metered_data_set.path}", json=[], headers={"Authorization": "Bearer wrong"}
    )
    names = {line.split(":", 1)[0]: line.rsplit("|", 1)[1] for line in received(statsd_socket)}
    assert names == {
        "pp.apps.backdrop.unknown.read.route.heath_check.status": "ms",
        "pp.apps.backdrop.unknown.read.route.heath_check.data_set": "ms",
        "pp.apps.backdrop.unknown.write.route.health_check.status": "ms",
        f"pp.apps.backdrop.{metered_data_set.name}.write_api.bad_token": "c",
        "pp.apps.backdrop.unknown.write.route.data.empty.data_set": "ms",
    }


def test_statsd_times_the_record_and_drop_routes_by_the_original_names(
    http: requests.Session,
    metered: tuple[str, str],
    metered_data_set: HttpDataSet,
    statsd_socket: socket.socket,
) -> None:
    _, write_url = metered
    token = {"Authorization": f"Bearer {metered_data_set.config['bearer_token']}"}
    assert (
        metered_data_set.post([{"_id": "one", "_timestamp": "2014-01-01T00:00:00Z"}]).status_code
        == 200
    )
    received(statsd_socket)
    record = f"{write_url}{metered_data_set.path}/one"
    assert http.patch(record, json={"kind": "a"}, headers=token).status_code == 200
    assert http.delete(record, headers=token).status_code == 200
    dropped = http.delete(
        f"{write_url}/data-sets/{metered_data_set.name}",
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
    )
    assert dropped.status_code == 200, dropped.text
    names = [
        line.split(":", 1)[0] + "|" + line.rsplit("|", 1)[1] for line in received(statsd_socket)
    ]
    assert names == [
        "pp.apps.backdrop.unknown.write.route.data.patch.data_set|ms",
        "pp.apps.backdrop.unknown.write.route.data.delete.data_set|ms",
        "pp.apps.backdrop.unknown.write.route.delete_data_set|ms",
    ]


def test_a_500_on_the_write_app_counts_write_error(
    http: requests.Session,
    metered: tuple[str, str],
    stagecraft: StagecraftState,
    statsd_socket: socket.socket,
) -> None:
    """A config the registry serves that core cannot read: a real 500 (a server-side fault)."""
    _, write_url = metered
    config = stagecraft_config(unique_name(), capped_size="not a number")
    stagecraft.put(config)
    received(statsd_socket)
    try:
        response = http.post(
            f"{write_url}/data/{config['data_group']}/{config['data_type']}",
            json=[{"_timestamp": "2014-01-01T00:00:00Z"}],
            headers={"Authorization": f"Bearer {config['bearer_token']}"},
        )
    finally:
        stagecraft.remove(config["name"])
    assert response.status_code == 500
    assert received(statsd_socket) == ["pp.apps.backdrop.unknown.write.error:1|c"]


@pytest.fixture
def broker_down(settings: Settings, storage: Storage) -> Iterator[str]:
    """A write app (fresh counts) whose broker is a Redis port nobody listens on; the outbox
    emptied before and after, so the pending gauge counts this test's dispatches only."""
    down = dataclasses.replace(settings, broker_url=f"redis://127.0.0.1:{free_port()}/0")
    empty_outbox(storage)
    try:
        with LiveServer(create_write_app(down, storage=storage)) as write:
            yield write.url
    finally:
        empty_outbox(storage)


def test_a_dispatch_the_broker_does_not_take_is_counted_failed_and_pending(
    http: requests.Session,
    stagecraft_server: tuple[StagecraftState, str],
    read_url: str,
    broker_down: str,
) -> None:
    data_set = register(stagecraft_server[0], http, read_url, broker_down)
    for day in (1, 2):
        assert data_set.post([{"_timestamp": f"2014-01-0{day}T00:00:00Z"}]).status_code == 200
    samples = scrape(http, broker_down)
    assert value(samples, "backdrop_transform_dispatches_total", outcome="failed") == 2
    assert value(samples, "backdrop_transform_dispatches_total", outcome="published") == 0
    assert value(samples, "backdrop_transform_dispatches_pending") == 2


@pytest.fixture(scope="module")
def own_builtin_apps(settings: Settings, storage: Storage) -> Iterator[BuiltinApps]:
    """Read and write apps of this module's own (fresh counts) over the built-in registry in the
    database."""
    with builtin_apps(settings, storage) as apps:
        yield apps


def test_lookups_in_the_built_in_registry_are_counted_as_local(
    http: requests.Session, own_builtin_apps: BuiltinApps, storage: Storage
) -> None:
    target = register_locally(storage)
    name = "backdrop_registry_lookups_total"
    read_before = scrape(http, own_builtin_apps.read_url)
    write_before = scrape(http, own_builtin_apps.write_url)
    assert http.get(f"{own_builtin_apps.read_url}{target.path}").status_code == 200
    assert http.get(f"{own_builtin_apps.read_url}/data/no/such").status_code == 404
    assert http.get(f"{own_builtin_apps.read_url}/{target.config.name}").status_code == 200
    assert http.get(f"{own_builtin_apps.read_url}/_status/data-sets").status_code == 200
    posted = http.post(f"{own_builtin_apps.write_url}{target.path}", json={}, headers=target.auth)
    assert posted.status_code == 200
    read_after = scrape(http, own_builtin_apps.read_url)
    write_after = scrape(http, own_builtin_apps.write_url)

    def change(after: Samples, before: Samples, operation: str, outcome: str) -> float:
        labels = {"source": "local", "operation": operation, "outcome": outcome}
        return value(after, name, **labels) - value(before, name, **labels)

    assert change(read_after, read_before, "by_group_and_type", "found") == 1
    assert change(read_after, read_before, "by_group_and_type", "not_found") == 1
    assert change(read_after, read_before, "by_name", "found") == 1
    assert change(read_after, read_before, "all", "found") == 1
    assert change(write_after, write_before, "by_group_and_type", "found") == 1
    assert not any(dict(labels).get("source") == "stagecraft" for _, labels in read_after)


def test_metrics_are_off_the_legacy_route(http: requests.Session, read_url: str) -> None:
    response = http.get(f"{read_url}/metrics")
    assert response.status_code == 200
    assert "backdrop_http_requests_total" in response.text


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (ValueTooLarge("x"), "too_large"),
        (ValueNotStorable("x"), "not_storable"),
        (StorageUnavailable("x"), "unavailable"),
        (StorageBusy("x"), "busy"),
        (StorageError("x"), "other"),
        (Conflict("x"), "busy"),  # the engines' own kinds take their parent's label
        (UnusableName("x"), "not_storable"),
        (MissingTable("x"), "other"),
    ],
)
def test_database_errors_are_labelled_by_their_most_specific_kind(
    error: StorageError, kind: str
) -> None:
    assert database_error_kind(error) == kind


def test_a_database_that_is_down_is_counted_where_it_becomes_an_answer(
    http: requests.Session, tmp_path: Path
) -> None:
    down = Settings(
        database_engine="postgres",
        database_url=f"postgresql://backdrop@127.0.0.1:{free_port()}/backdrop",
        data_dir=tmp_path,
        database_timeout=0.5,
    )
    with LiveServer(create_read_app(down)) as read:
        assert http.get(f"{read.url}/_status/ready").status_code == 503
        samples = scrape(http, read.url)
    # the database check and the config check (the built-in registry lives in that database)
    assert value(samples, "backdrop_database_errors_total", kind="unavailable") == 2


def test_statsd_names_of_errors_and_of_the_worker(statsd_socket: socket.socket) -> None:
    """The counters no request of the tests above reaches: `write.error` (a 500) and the
    worker's (no data set in its names, its own prefix)."""
    port = statsd_socket.getsockname()[1]
    write = Metrics.build(Settings(statsd_host="127.0.0.1", statsd_port=port), "write")
    worker = Metrics.build(Settings(statsd_host="127.0.0.1", statsd_port=port), "worker")
    received(statsd_socket)
    write.server_error("some_data_set")
    write.server_error(None)
    worker.transform_queued(2)
    worker.task_run("run_transform", "succeeded", 0.25)
    worker.task_run("run_transform", "failed", 0.5)
    worker.task_run("entrypoint", "succeeded", 0.1)  # not a statsd stat of the original
    assert received(statsd_socket) == [
        "pp.apps.backdrop.some_data_set.write.error:1|c",
        "pp.apps.backdrop.unknown.write.error:1|c",
        "pp.apps.backdrop.transformers.worker.dispatch:1|c",
        "pp.apps.backdrop.transformers.worker.dispatch:1|c",
        "pp.apps.backdrop.transformers.worker.run_transform:250.000000|ms",
        "pp.apps.backdrop.transformers.worker.run_transform.success:1|c",
        "pp.apps.backdrop.transformers.worker.run_transform:500.000000|ms",
        "pp.apps.backdrop.transformers.worker.run_transform.error:1|c",
    ]


def test_the_statsd_prefix_comes_from_govuk_statsd_prefix(statsd_socket: socket.socket) -> None:
    port = statsd_socket.getsockname()[1]
    settings = Settings.from_env(
        {"STATSD_HOST": "127.0.0.1", "STATSD_PORT": str(port), "GOVUK_STATSD_PREFIX": "pp.test"}
    )
    received(statsd_socket)
    Metrics.build(settings, "write").bad_token("ds_one")
    assert received(statsd_socket) == ["pp.test.ds_one.write_api.bad_token:1|c"]
    assert Metrics.build(Settings.from_env({}), "write").statsd is None  # off when unset


@pytest.mark.parametrize("workbook", [xlsx, xls], ids=["xlsx", "xls"])
def test_an_excel_upload_sends_the_originals_parse_excel_timers(
    http: requests.Session,
    metered_data_set: HttpDataSet,
    statsd_socket: socket.socket,
    workbook: Callable[..., bytes],
) -> None:
    """spec 8.3 `parse_excel.*`: the workbook opened once, one sheet read, its 3 rows of 2 cells
    each timed (the original sent them without a data set: `unknown.`). The records written
    are counted in Prometheus's `backdrop_records_written_total` too."""
    rows = [["_timestamp", "nn"], ["2014-01-01T00:00:00Z", 1], ["2014-01-02T00:00:00Z", 2]]
    received(statsd_socket)
    written = value(scrape(http, metered_data_set.write_url), "backdrop_records_written_total")
    response = http.post(
        f"{metered_data_set.write_url}{metered_data_set.path}/upload",
        files={"file": (f"book.{workbook.__name__}", workbook(rows))},
        headers={"Authorization": f"Bearer {metered_data_set.config['bearer_token']}"},
    )
    assert response.status_code == 200, response.text
    lines = received(statsd_socket)
    after = value(scrape(http, metered_data_set.write_url), "backdrop_records_written_total")
    assert after - written == 2  # an upload's records count as written
    assert all(line.endswith("|ms") for line in lines)  # timers, every one sent (no sampling)
    prefix = "pp.apps.backdrop.unknown.parse_excel."
    assert Counter(line.split(":", 1)[0] for line in lines) == {
        f"{prefix}parse_excel": 1,
        f"{prefix}_extract_rows": 1,
        f"{prefix}_extract_values": 3,
        f"{prefix}_extract_cell_value": 6,
    }
