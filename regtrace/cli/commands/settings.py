"""`regtrace settings`: every environment variable regtrace reads, its default and the value in effect."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from regtrace.cli.app import app
from regtrace.cli.console import out, print_json
from regtrace.cli.options import JsonFlag
from regtrace.settings import in_effect, markdown_table

PANEL = "設定 Settings"


@app.command("settings", rich_help_panel=PANEL)
def settings_command(
    as_json: JsonFlag = False,
    markdown: Annotated[bool, typer.Option("--markdown", help="Print the README's table of variables.")] = False,
) -> None:
    """The environment variables regtrace reads: default, value in effect (secrets only as set / not set)."""
    if markdown:
        out.print(markdown_table(), end="", markup=False, highlight=False, soft_wrap=True)
        return
    rows = [{"name": r.variable.name, "value": r.value, "set": r.set, "default": r.variable.default,
             "description": r.variable.description} for r in in_effect()]
    if as_json:
        print_json(rows)
        return
    table = Table(title="環境變數 Environment variables")
    for h in ("變數 Variable", "目前 In effect", "說明 What it does"):
        table.add_column(h)
    for r in rows:
        table.add_row(str(r["name"]), str(r["value"]), str(r["description"]))
    out.print(table)
