"""The store itself: copy it between LadybugDB and Neo4j."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from regtrace.cli.app import GLOBAL, app
from regtrace.cli.console import out, print_json
from regtrace.cli.options import JsonFlag
from regtrace.errors import InputError, StoreError
from regtrace.stores import open_store

PANEL = "儲存 Store"


@app.command("migrate", rich_help_panel=PANEL)
def migrate_command(
    to: Annotated[str, typer.Option("--to", help="Target store: a folder or a neo4j://, neo4j+s://, bolt:// URI.")],
    source: Annotated[str | None, typer.Option("--from", help="Source store [default: --store].")] = None,
    replace: Annotated[bool, typer.Option("--replace", help="Empty a non-empty target first.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Copy every node and relationship into another store (LadybugDB ↔ Neo4j); verify counts and checksums."""
    from regtrace.migrate import migrate, report_table

    origin = source or GLOBAL.location()
    if origin == to:
        raise InputError(f"--to: the source and the target are the same store ({to})")
    if "://" not in origin and not Path(origin).is_dir():
        raise InputError(f"--from: there is no store at {origin}")
    with open_store(origin, seed=False) as src, open_store(to, seed=False) as dst:
        report = migrate(src, dst, replace=replace)
    if as_json:
        print_json({"source": report.source, "target": report.target, "ok": report.ok,
                    "tallies": [t.to_json() for t in report.tallies]})
    else:
        out.print(report_table(report))
    if not report.ok:
        raise StoreError("the target differs from the source after the copy (see the table)")
