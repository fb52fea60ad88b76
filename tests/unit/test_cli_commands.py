"""The `backdrop` command's groups are all reachable (the commands are tested end to end in
tests/api/test_registry_cli.py, tests/storage/test_copy.py and tests/transformers)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from backdrop.cli import main


@pytest.mark.parametrize(
    ("command", "option"),
    [
        ("data-set", "create"),
        ("transform", "create"),
        ("db", "copy"),
    ],
)
def test_every_command_group_is_reachable(command: str, option: str) -> None:
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert option in result.output
