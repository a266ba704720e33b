"""The entry point of the `regtrace` console script: errors from the product's tree become a clear message and
their ExitCode here, and only here; anything unexpected is reported without a stack trace (set REGTRACE_DEBUG=1
to see it)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import typer
from typer.exceptions import TyperException

from regtrace.cli.app import app
from regtrace.cli.console import err
from regtrace.errors import ConfigError, ExitCode, RegtraceError
from regtrace.settings import current


def main() -> None:
    """Run the app and map errors to exit codes."""
    run: Callable[..., Any] = app
    try:
        code = run(standalone_mode=False)
    except TyperException as exc:  # usage errors: bad commands, options or arguments
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            err.print(f"[red]error:[/] {exc}")
        sys.exit(int(getattr(exc, "exit_code", ExitCode.INPUT)))
    except RegtraceError as exc:
        # The message is printed as plain text: it may quote register cells ('[red]' is data, not markup) and
        # list a thousand problems, which rich would wrap line by line in quadratic time.
        err.print("[red]error:[/]", end=" ")
        err.file.write(f"{exc}\n")
        err.file.flush()
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        err.print("aborted")
        sys.exit(ExitCode.ABORTED)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except Exception as exc:  # an unexpected failure: a message, not a stack trace
        if _debug():
            raise
        err.print(f"[red]internal error:[/] {type(exc).__name__}: {exc} (set REGTRACE_DEBUG=1 for details)")
        sys.exit(ExitCode.INTERNAL)
    sys.exit(code if isinstance(code, int) else ExitCode.OK)


def _debug() -> bool:
    """REGTRACE_DEBUG, read when an unexpected error is being reported (a bad value there is not a second error)."""
    try:
        return current().debug
    except ConfigError:
        return False
