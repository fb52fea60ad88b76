"""Every line a Backdrop process writes is one JSON object (issue 10): gunicorn's own lines,
the apps' request lines, the worker with its pool, celery's notices, warnings, bad settings and
uncaught exceptions, read from the real processes' stdout and stderr."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import requests

from tests.support.cli import BACKDROP
from tests.support.start_app import Stack, environment, start, terminate
from tests.support.worker import poll


def parsed(lines: list[str]) -> list[dict[str, object]]:
    """Every line as a JSON object; fails naming the first line that is not one."""
    objects = []
    for line in lines:
        try:
            value = json.loads(line)
        except ValueError:
            raise AssertionError(f"not a JSON line: {line!r}") from None
        assert isinstance(value, dict), line
        objects.append(value)
    return objects


def exercise(stack: Stack) -> None:
    """Requests of every kind: index, status, docs, metrics, errors, a write and its dispatch."""
    with requests.Session() as http:
        for app in (stack.read, stack.write):
            for path in ("/", "/_status", "/_status/ready", "/metrics", "/no/such/page"):
                http.get(app.url + path, timeout=10)
            http.delete(app.url + "/_status", timeout=10)
        http.get(f"{stack.read.url}/data/nope/nothing?colour=red", timeout=10)
        created = subprocess.run(
            [BACKDROP, "data-set", "create", "ops_lines", "--data-group", "ops", "--data-type",
             "lines"],
            env=stack.env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        token = json.loads(created.stdout)["bearer_token"]
        posted = http.post(
            f"{stack.write.url}/data/ops/lines",
            json=[{"_timestamp": "2014-01-06T00:00:00Z", "count": 1}],
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        assert posted.status_code == 200, posted.text
        http.post(f"{stack.write.url}/data/ops/lines", data=b"{", timeout=10)


def test_every_line_of_the_apps_and_the_worker_is_json(stack: Stack) -> None:
    exercise(stack)
    # the worker takes the dispatch of the write above (its entrypoint task runs)
    poll(
        lambda: any("ops_lines" in line for line in stack.worker.lines()),
        timeout=30,
        what="the worker's entrypoint for ops_lines",
    )
    for process in (stack.read, stack.write, stack.worker):
        lines = parsed(process.lines())
        assert lines, process.name
        assert {"time", "level", "logger", "message"} <= set(lines[0]), lines[0]
    gunicorn = [line for line in parsed(stack.read.lines()) if line["logger"] == "gunicorn.error"]
    assert any(str(line["message"]).startswith("Booting worker") for line in gunicorn)


def test_stopping_writes_json_too(tmp_path: Path, stack: Stack) -> None:
    """A second set, stopped by SIGTERM: shutdown notices (gunicorn's, celery's) are JSON."""
    env = {**stack.env, "BACKDROP_DATA_DIR": str(tmp_path / "data")}
    processes = [start(name, name, env, tmp_path) for name in ("read", "worker")]
    for process in processes:
        terminate(process)
    for process in processes:
        lines = parsed(process.lines())
        said = [str(line["message"]).lower() for line in lines]
        assert any("shutdown" in text or "shutting down" in text for text in said), said


def test_bad_settings_are_a_json_line(tmp_path: Path, stack: Stack) -> None:
    env = {**stack.env, "DATABASE_ENGINE": "postgress"}
    for app in ("read", "worker"):
        process = start(app, app, env, tmp_path, wait=False)
        assert process.proc.wait(timeout=60) == 78  # EX_CONFIG
        lines = parsed(process.lines())
        refusals = [line for line in lines if line["message"] == "cannot start"]
        assert refusals == [
            {
                "time": refusals[0]["time"],
                "level": "CRITICAL",
                "logger": "backdrop.startup",
                "message": "cannot start",
                "error": 'Database engine not implemented "postgress"',
            }
        ], lines


def test_uncaught_exceptions_and_warnings_are_json_lines(tmp_path: Path) -> None:
    script = (
        "import threading, warnings\n"
        "from backdrop.core.logs import configure_logging\n"
        "configure_logging('INFO')\n"
        "warnings.warn('a warning')\n"
        "worker = threading.Thread(target=lambda: 1 / 0, name='helper')\n"
        "worker.start(); worker.join()\n"
        "raise ValueError('secret record value')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=environment("postgresql://unused/none", tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    lines = parsed((done.stdout + done.stderr).splitlines())
    assert [line["message"] for line in lines][-2:] == [
        "uncaught exception in thread",
        "uncaught exception",
    ]
    assert lines[-2]["thread_name"] == "helper"
    assert "ZeroDivisionError [message withheld]" in str(lines[-2]["exc_info"])
    assert "ValueError [message withheld]" in str(lines[-1]["exc_info"])
    assert "secret record value" not in done.stderr
    assert any(line["logger"] == "py.warnings" for line in lines)
