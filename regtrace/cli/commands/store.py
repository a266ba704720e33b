"""The store itself: copy it between LadybugDB and Neo4j; check and repair it (`doctor`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from regtrace.cli.app import GLOBAL, app
from regtrace.cli.console import out, print_json
from regtrace.cli.options import JsonFlag
from regtrace.errors import ExitCode, InputError, StoreError
from regtrace.stores import open_store

if TYPE_CHECKING:
    from regtrace.doctor import Diagnosis

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
    with open_store(origin, seed=False, create=False) as src, open_store(to, seed=False) as dst:
        report = migrate(src, dst, replace=replace)
    if as_json:
        print_json({"source": report.source, "target": report.target, "ok": report.ok,
                    "tallies": [t.to_json() for t in report.tallies]})
    else:
        out.print(report_table(report))
    if not report.ok:
        raise StoreError("the target differs from the source after the copy (see the table)")


@app.command("doctor", rich_help_panel=PANEL)
def doctor_command(
    repair: Annotated[bool, typer.Option("--repair", help="Fix what can be fixed and say what was done.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Check the store: it opens, rows per tenant and label, a digest per tenant, files left by a kill.

    Exit 0 when healthy, 4 when something is wrong and was not repaired."""
    from regtrace.doctor import diagnose

    found = diagnose(GLOBAL.location(), repair=repair)
    if as_json:
        print_json(found.to_json())
    else:
        _print_diagnosis(found)
    if not found.healthy:
        raise typer.Exit(ExitCode.STORE)


def _print_diagnosis(found: Diagnosis) -> None:
    from rich.table import Table

    out.print(f"儲存 store {found.store}  世代 generation {found.generation or '-'}")
    table = Table(title="內容 Contents (rows per tenant and label; digest = SHA-256 of every row)")
    for heading in ("租戶 tenant", "標籤 label", "筆數 rows"):
        table.add_column(heading)
    for tenant, part in found.parts.items():
        for label, count in part.counts.items():
            if count:
                table.add_row(tenant, label, str(count))
        table.add_row(tenant, "[bold]digest[/]", part.digest[:16])
    out.print(table)
    for done in found.repaired:
        out.print(f"[green]已修復 repaired[/] {done}")
    for problem in found.problems:
        out.print(f"[red]問題 problem[/] {problem}")
    if found.healthy:
        out.print("[green]健康 healthy[/]")
