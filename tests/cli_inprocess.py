"""Run regtrace commands in this process (typer's CliRunner): quicker than a fresh process for tests that check
a command's output or the error it raises; the exit codes of those errors are the entry point's (tests/test_cli.py
runs real processes)."""

from __future__ import annotations

from pathlib import Path

from click.testing import Result
from typer.testing import CliRunner

from regtrace import cli


def run(*args: str, store: Path) -> Result:
    """The command's result; `.output` its stdout, `.exception` the error it raised (None when it succeeded)."""
    result = CliRunner().invoke(cli.app, ["--store", str(store), *args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        return result
    assert result.exit_code == 0, result.output
    return result
