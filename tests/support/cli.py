"""The `backdrop` command for tests: in-process through click's runner (fast), or the installed
executable in a child process (as an operator runs it), over an environment that names the test
database and keeps nothing of the test run's own settings."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

from backdrop.cli import main

BACKDROP = str(Path(sys.executable).with_name("backdrop"))


@dataclass(frozen=True)
class Ran:
    """What one `backdrop` command did. `output` is what it printed, as bytes (an export is a
    file); `stdout` is that text."""

    returncode: int
    output: bytes
    stderr: str

    @property
    def stdout(self) -> str:
        return self.output.decode()


Cli = Callable[..., Ran]
"""The `cli` and `cli_process` fixtures: `(*args, env=None) -> Ran`."""


def cli_environment(database_url: str, data_dir: Path) -> dict[str, str]:
    """This process's environment for the command, on the test database with the built-in
    registry (no STAGECRAFT_URL), its embedded broker in `data_dir`, warnings only."""
    inherited = {
        key: value
        for key, value in os.environ.items()
        if key not in ("STAGECRAFT_URL", "DATABASE_ENGINE", "LOG_LEVEL")
    }
    return {
        **inherited,
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "WARNING",
        "BACKDROP_DATA_DIR": str(data_dir),
    }


def in_process(env: Mapping[str, str], *args: str) -> Ran:
    """The command through click's runner. It configures logging as an entry point does: the
    test session's handlers are put back afterwards. A crash (not an exit) is raised."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        result = CliRunner(env=dict(env)).invoke(main, list(args))
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Ran(result.exit_code, result.stdout_bytes, result.stderr)


def child_process(env: Mapping[str, str], *args: str) -> Ran:
    """The installed executable (about 0.6 s a call)."""
    done = subprocess.run(
        [BACKDROP, *args], env=dict(env), capture_output=True, timeout=60, check=False
    )
    return Ran(done.returncode, done.stdout, done.stderr.decode(errors="replace"))


def one_line_error(ran: Ran) -> str:
    """The one line a failed command says on stderr."""
    assert ran.returncode != 0
    lines = ran.stderr.strip().splitlines()
    assert len(lines) == 1, ran.stderr
    return lines[0]
