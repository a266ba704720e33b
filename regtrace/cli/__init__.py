"""The `regtrace` command, split by concern:

- app.py       the Typer app, its global options (--store, --version) and the store a command opens
- options.py   the options many commands share (--as-of, --tenant, --json) and their parsing
- console.py, tables.py, summary.py   rendering: consoles, JSON printing, rich tables, the board summary
- commands/    one module per command group; each registers its commands on the app when imported, so
               adding a command touches one file (a new module there is found without being listed)
- entry.py     the entry point: errors from the product's tree become a message and an ExitCode here, and only here
"""

from __future__ import annotations

from regtrace.cli.app import app
from regtrace.cli.commands import register_all
from regtrace.cli.entry import main

register_all()

__all__ = ["app", "main"]
