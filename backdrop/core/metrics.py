"""What Backdrop's processes count and time, for Prometheus and, under the original's names,
for statsd (spec 8.3).

One `Metrics` per process, built by its entry point from Settings and handed to whoever counts.
Its Prometheus instruments live in a registry of its own (no module-level state); under
gunicorn or the worker's pool, prometheus_client keeps the counts of every process in files
under `PROMETHEUS_MULTIPROC_DIR` and `exposition` adds them up. Labels stay bounded: route
templates (never raw paths), a fixed set of methods, outcomes and error kinds.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from types import MappingProxyType

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from statsd import StatsClient

from backdrop.core.config import Settings
from backdrop.core.errors import SettingsInvalid, StorageError

logger = logging.getLogger(__name__)

# The original's prefixes: the apps' (backdrop/__init__.py) and the worker's (dispatch.py).
STATSD_PREFIXES = MappingProxyType(
    {
        "read": "pp.apps.backdrop",
        "write": "pp.apps.backdrop",
        "worker": "pp.apps.backdrop.transformers.worker",
    }
)
# spec 8.3: route timers by Flask endpoint. The original timed them through its wrapper without
# a data set, so their names start `unknown.` after the prefix.
STATSD_TIMERS = MappingProxyType(
    {
        "read": {
            "status.status": "read.route.heath_check.status",  # sic
            "status.data_sets_status": "read.route.heath_check.data_set",
        },
        "write": {
            "status.status": "write.route.health_check.status",
            "records.delete_record": "write.route.data.delete.data_set",
            "records.patch_record": "write.route.data.patch.data_set",
            "records.empty_data_set": "write.route.data.empty.data_set",
            "admin.drop_data_set": "write.route.delete_data_set",
        },
    }
)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
BATCH_BUCKETS = (1, 10, 100, 1_000, 10_000, 100_000)
TASK_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)


def database_error_kind(error: StorageError) -> str:
    """The bounded label of a database error: too_large, not_storable, unavailable, busy, other
    (each kind's class names its own)."""
    return error.kind


class Statsd:
    """The original's statsd stats: `<prefix>.<data set or unknown>.<stat>` for the apps
    (its client wrapper put the data set first), `<prefix>.<stat>` for the worker."""

    def __init__(self, client: StatsClient, *, per_data_set: bool) -> None:
        self._client = client
        self._per_data_set = per_data_set

    def _name(self, stat: str, data_set: str | None) -> str:
        return f"{data_set or 'unknown'}.{stat}" if self._per_data_set else stat

    def timing(
        self, stat: str, seconds: float, data_set: str | None = None, *, rate: float = 1.0
    ) -> None:
        """`rate` < 1 sends that share of the timings, marked so statsd scales counts back."""
        self._client.timing(self._name(stat, data_set), seconds * 1000, rate)

    def incr(self, stat: str, data_set: str | None = None) -> None:
        self._client.incr(self._name(stat, data_set))


def _statsd(settings: Settings, component: str) -> Statsd | None:
    if not settings.statsd_host:
        return None
    prefix = settings.statsd_prefix or STATSD_PREFIXES.get(component, STATSD_PREFIXES["read"])
    try:
        client = StatsClient(settings.statsd_host, settings.statsd_port, prefix=prefix)
    except OSError as exc:  # the host does not resolve
        raise SettingsInvalid(f'STATSD_HOST "{settings.statsd_host}" cannot be resolved') from exc
    return Statsd(client, per_data_set=component != "worker")


class Metrics:
    """The instruments of one process (`component`: read, write, worker or cli)."""

    def __init__(
        self,
        component: str = "cli",
        *,
        statsd: Statsd | None = None,
        multiprocess_dir: Path | None = None,
    ) -> None:
        self.component = component
        self.statsd = statsd
        self._multiprocess_dir = multiprocess_dir
        self.registry = CollectorRegistry(auto_describe=True)
        counter = partial(Counter, registry=self.registry)
        histogram = partial(Histogram, registry=self.registry)
        self.requests = counter(
            "backdrop_http_requests",
            "HTTP requests answered, by route template, method and status.",
            ["route", "method", "status"],
        )
        self.request_seconds = histogram(
            "backdrop_http_request_duration_seconds",
            "Time to answer an HTTP request, by route template and method.",
            ["route", "method"],
            buckets=LATENCY_BUCKETS,
        )
        self.records_written = counter(
            "backdrop_records_written",
            "Records stored (posted, or written by transforms).",
        )
        self.records_rejected = counter(
            "backdrop_records_rejected",
            "Records refused by validation (every record of a refused batch).",
        )
        self.batch_size = histogram(
            "backdrop_write_batch_size_records",
            "Records per stored batch.",
            buckets=BATCH_BUCKETS,
        )
        self.cache_hits = counter(
            "backdrop_response_cache_hits",
            "Query answers served from the response cache.",
        )
        self.cache_misses = counter(
            "backdrop_response_cache_misses",
            "Query answers computed because the response cache had none.",
        )
        self.cache_evictions = counter(
            "backdrop_response_cache_evictions",
            "Answers the response cache dropped to make room.",
        )
        self.registry_lookups = counter(
            "backdrop_registry_lookups",
            "Data-set config lookups, by source (stagecraft, local), operation and outcome "
            "(found, not_found, error).",
            ["source", "operation", "outcome"],
        )
        self.registry_seconds = histogram(
            "backdrop_registry_lookup_duration_seconds",
            "Time of a data-set config lookup, by source and operation.",
            ["source", "operation"],
            buckets=LATENCY_BUCKETS,
        )
        self.database_errors = counter(
            "backdrop_database_errors",
            "Database failures turned into responses or task failures, by kind "
            "(unavailable, busy, not_storable, too_large, other).",
            ["kind"],
        )
        self.dispatches = counter(
            "backdrop_transform_dispatches",
            "Transform dispatches (entrypoint tasks) handed to the broker, by outcome "
            "(published, failed: kept in the outbox).",
            ["outcome"],
        )
        self.task_runs = counter(
            "backdrop_task_runs",
            "Worker task runs, by task and outcome (succeeded, failed, retried).",
            ["task", "outcome"],
        )
        self.task_seconds = histogram(
            "backdrop_task_duration_seconds",
            "Time of a worker task run, by task.",
            ["task"],
            buckets=TASK_BUCKETS,
        )

    @classmethod
    def build(cls, settings: Settings, component: str) -> Metrics:
        """The process's metrics as its settings ask (statsd only when STATSD_HOST is set)."""
        return cls(
            component,
            statsd=_statsd(settings, component),
            multiprocess_dir=settings.metrics_dir,
        )

    # -- HTTP --------------------------------------------------------------------------------

    def request(
        self, route: str, method: str, status: int, seconds: float, endpoint: str | None
    ) -> None:
        """One answered request; `route` is the rule template (or "unmatched")."""
        method = method if method in METHODS else "other"
        self.requests.labels(route, method, str(status)).inc()
        self.request_seconds.labels(route, method).observe(seconds)
        timer = STATSD_TIMERS.get(self.component, {}).get(endpoint or "")
        if self.statsd is not None and timer is not None:
            self.statsd.timing(timer, seconds)

    def server_error(self, data_set: str | None) -> None:
        """A 500: statsd `write.error` on the write app (spec 8.3)."""
        if self.statsd is not None and self.component == "write":
            self.statsd.incr("write.error", data_set)

    def bad_token(self, data_set: str | None) -> None:
        """A 401 on the write app: statsd `write_api.bad_token` (spec 8.3)."""
        if self.statsd is not None and self.component == "write":
            self.statsd.incr("write_api.bad_token", data_set)

    def upload_timing(self) -> Callable[[str, float, float], None] | None:
        """Where an upload's timers go (stat, seconds, sample rate): spec 8.3's `parse_excel.*`
        and the original's `uploaded_file._is_potential_virus`, to statsd without a data set as
        the original's were; None when statsd is off."""
        statsd = self.statsd
        if statsd is None:
            return None
        return lambda stat, seconds, rate: statsd.timing(stat, seconds, rate=rate)

    # -- records and caches ------------------------------------------------------------------

    def stored(self, count: int) -> None:
        self.records_written.inc(count)
        self.batch_size.observe(count)

    def rejected(self, count: int) -> None:
        self.records_rejected.inc(count)

    def cache_lookup(self, hit: bool) -> None:
        (self.cache_hits if hit else self.cache_misses).inc()

    def cache_eviction(self) -> None:
        self.cache_evictions.inc()

    def lookup(self, source: str, operation: str, outcome: str, seconds: float) -> None:
        self.registry_lookups.labels(source, operation, outcome).inc()
        self.registry_seconds.labels(source, operation).observe(seconds)

    def database_error(self, error: StorageError) -> None:
        self.database_errors.labels(database_error_kind(error)).inc()

    # -- transforms --------------------------------------------------------------------------

    def dispatched(self, published: bool) -> None:
        self.dispatches.labels("published" if published else "failed").inc()

    def transform_queued(self, count: int) -> None:
        """entrypoint queued `count` run_transform tasks: statsd `dispatch`, once each (spec
        8.3)."""
        if self.statsd is not None:
            for _ in range(count):
                self.statsd.incr("dispatch")

    def task_run(self, task: str, outcome: str, seconds: float) -> None:
        """A finished task run: `outcome` is succeeded, failed or retried. statsd times
        run_transform and counts its successes and errors (spec 8.3)."""
        self.task_runs.labels(task, outcome).inc()
        self.task_seconds.labels(task).observe(seconds)
        if self.statsd is not None and task == "run_transform":
            self.statsd.timing("run_transform", seconds)
            self.statsd.incr(
                "run_transform.success" if outcome == "succeeded" else "run_transform.error"
            )

    # -- exposition --------------------------------------------------------------------------

    def scrape_registry(self, *extra: Collector) -> CollectorRegistry:
        """What a Prometheus scrape reads: every process's counts (multiprocess mode) or this
        one's, plus `extra` collectors asked at each scrape (e.g. pending dispatches)."""
        scrape = CollectorRegistry(auto_describe=False)
        if self._multiprocess_dir is not None:
            # prometheus_client leaves this constructor unannotated
            MultiProcessCollector(scrape, path=str(self._multiprocess_dir))  # type: ignore[no-untyped-call]
        else:
            scrape.register(self.registry)
        for collector in extra:
            scrape.register(collector)
        return scrape

    def exposition(self, *extra: Collector) -> tuple[bytes, str]:
        """The text of one scrape (see `scrape_registry`) and its content type."""
        return generate_latest(self.scrape_registry(*extra)), CONTENT_TYPE_LATEST


class GaugeNow(Collector):
    """A gauge whose value is asked for at scrape time; skipped when it cannot be had (the
    database is down: the error is counted by whoever turns it into one)."""

    def __init__(self, name: str, documentation: str, value: Callable[[], float | None]) -> None:
        self._name = name
        self._documentation = documentation
        self._value = value

    def collect(self) -> Iterable[Metric]:
        value = self._value()
        if value is not None:
            yield GaugeMetricFamily(self._name, self._documentation, value=value)
