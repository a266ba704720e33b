"""Where the command writes: tables and results to stdout, progress, warnings and errors to stderr."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

from rich.console import Console, RenderableType

# Piped output (logs, CI) gets room for the tables instead of a narrow 80 columns.
out = Console(width=None if sys.stdout.isatty() else 140)
err = Console(stderr=True)


def print_json(data: Any) -> None:
    """`--json` output: UTF-8 (zh-TW unescaped), indented, dates as ISO strings."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def show(data: Any, as_json: bool, table: Callable[[], RenderableType]) -> None:
    """A command's result: `data` as JSON with --json, else the table made from it (built only then)."""
    if as_json:
        print_json(data)
    else:
        out.print(table())
