"""`/metrics` of the real processes (issue 10): counts of every gunicorn worker added up (the
multiprocess directory start-app.sh sets up), the worker's own port with its pool's task runs,
and the worker's statsd names (spec 8.3)."""

from __future__ import annotations

import json
import subprocess

import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.support.cli import BACKDROP
from tests.support.start_app import Stack
from tests.support.statsd import received
from tests.support.worker import poll


def counter(url: str, name: str, **labels: str) -> float:
    """One sample of `url/metrics` (0 when absent)."""
    text = requests.get(f"{url}/metrics", timeout=10).text
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name and labels.items() <= sample.labels.items()
    )


def test_request_counts_rise_with_each_request_across_workers(stack: Stack) -> None:
    name, labels = "backdrop_http_requests_total", {"route": "/_status", "status": "200"}
    before = counter(stack.read.url, name, **labels)
    for _ in range(8):  # a new connection each: gunicorn's two workers share them
        assert requests.get(f"{stack.read.url}/_status", timeout=10).status_code == 200
    assert counter(stack.read.url, name, **labels) == before + 8


def cli(stack: Stack, *args: str) -> dict[str, str]:
    """`backdrop ARGS` against the stack's database; its JSON answer."""
    done = subprocess.run(
        [BACKDROP, *args], env=stack.env, capture_output=True, text=True, check=True
    )
    document: dict[str, str] = json.loads(done.stdout)
    return document


def test_a_write_is_counted_by_the_write_app_and_its_transform_by_the_worker(
    stack: Stack,
) -> None:
    created = cli(
        stack, "data-set", "create", "ops_metrics", "--data-group", "ops", "--data-type", "metrics",
        "--raw-queries-allowed",
    )  # fmt: skip
    token = created["bearer_token"]
    cli(
        stack, "transform", "create", "--function", "backdrop.transformers.tasks.debug.logging",
        "--input-group", "ops", "--input-type", "metrics", "--output-type", "metrics-debug",
    )  # fmt: skip
    received(stack.statsd)
    written = counter(stack.write.url, "backdrop_records_written_total")
    posted = requests.post(
        f"{stack.write.url}/data/ops/metrics",
        json=[{"_timestamp": "2014-01-06T00:00:00Z", "count": 1}] * 3,
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert posted.status_code == 200
    assert counter(stack.write.url, "backdrop_records_written_total") == written + 3
    assert counter(stack.write.url, "backdrop_transform_dispatches_total", outcome="published") >= 1
    poll(
        lambda: counter(
            stack.worker.url, "backdrop_task_runs_total", task="run_transform", outcome="succeeded"
        ),
        timeout=30,
        what="a counted run_transform",
    )
    assert counter(stack.worker.url, "backdrop_task_runs_total", task="entrypoint") >= 1
    assert counter(stack.worker.url, "backdrop_task_duration_seconds_count", task="entrypoint") >= 1
    worker_names = {line.split(":", 1)[0] for line in received(stack.statsd)}
    prefix = "pp.apps.backdrop.transformers.worker"
    assert {f"{prefix}.dispatch", f"{prefix}.run_transform", f"{prefix}.run_transform.success"} <= (
        worker_names
    )


def test_a_transform_that_fails_is_counted_by_the_worker(stack: Stack) -> None:
    """A rate transform without its options cannot compute (a permanent failure): the run is
    counted as failed and statsd gets the original's `run_transform.error`."""
    created = cli(
        stack, "data-set", "create", "ops_failing", "--data-group", "ops", "--data-type", "failing",
        "--raw-queries-allowed",
    )  # fmt: skip
    cli(
        stack, "transform", "create", "--function", "backdrop.transformers.tasks.rate.compute",
        "--input-group", "ops", "--input-type", "failing", "--output-type", "failing-rate",
        "--query-parameters", '{"period": "week"}', "--options", "{}",
    )  # fmt: skip
    received(stack.statsd)
    failed = counter(
        stack.worker.url, "backdrop_task_runs_total", task="run_transform", outcome="failed"
    )
    posted = requests.post(
        f"{stack.write.url}/data/ops/failing",
        json=[{"_timestamp": "2014-01-06T00:00:00Z", "count": 1}],
        headers={"Authorization": f"Bearer {created['bearer_token']}"},
        timeout=10,
    )
    assert posted.status_code == 200
    poll(
        lambda: (
            counter(
                stack.worker.url, "backdrop_task_runs_total", task="run_transform", outcome="failed"
            )
            > failed
        ),
        timeout=30,
        what="a failed run_transform",
    )
    worker_lines = received(stack.statsd)
    prefix = "pp.apps.backdrop.transformers.worker"
    assert f"{prefix}.run_transform.error:1|c" in worker_lines
    assert f"{prefix}.run_transform.success:1|c" not in worker_lines
