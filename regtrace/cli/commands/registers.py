"""A member company's registers: check a folder (and what loading it would change), load it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated

import typer

from regtrace.cli.app import GLOBAL, app, opened_store
from regtrace.cli.console import out, print_json
from regtrace.cli.options import DEFAULT_TENANT, JsonFlag, Tenant
from regtrace.cli.progress import load_with_progress
from regtrace.cli.tables import changes_table

PANEL = "登錄表 Registers"
Folder = Annotated[Path, typer.Argument(help="Register folder (CSV files or one XLSX workbook).")]
CompareTenant = Annotated[str | None, typer.Option(
    "--tenant", help="Also report what loading the folder as this tenant would add, change and remove.")]
AllowRemovals = Annotated[bool, typer.Option(
    "--allow-removals", help="Load even when a register that has rows would be emptied, or more than half of "
    "the tenant's rows removed.")]


@app.command(rich_help_panel=PANEL)
def validate(folder: Folder, tenant: CompareTenant = None, as_json: JsonFlag = False) -> None:
    """Check a register folder without writing anything; with --tenant, what a load would change per register."""
    from regtrace.errors import NotFoundError
    from regtrace.loaders.register_changes import changes_json, plan_changes, removal_problems
    from regtrace.loaders.registers import convert_registers, read_registers
    from regtrace.regulation_graph import obligations_under, obligations_under_graph
    from regtrace.seed import seed_graph
    from regtrace.tenants import require_tenant

    if tenant is None:
        try:  # the store's regulation when there is a store; the bundled seed before the first load
            with opened_store() as store:
                under: Mapping[str, Sequence[str]] = obligations_under(store)
        except NotFoundError:
            if "://" in GLOBAL.location():
                raise
            under = obligations_under_graph(seed_graph())
        dataset = read_registers(folder, under, keep_rows=False)
        changes = None
    else:
        with opened_store() as store:
            tenant = require_tenant(store, tenant)
            dataset, converted = convert_registers(folder, tenant, obligations_under(store))
            changes = plan_changes(store, tenant, dataset, converted=converted)
    counts = dataset.counts()
    if as_json:
        print_json({"folder": str(folder), "ok": True, "counts": counts, "tenant": tenant,
                    "changes": None if changes is None else changes_json(changes),
                    "refused_without_allow_removals": [] if changes is None else removal_problems(changes)})
        return
    out.print(f"[green]OK[/] {folder}: " + ", ".join(f"{name} {count}" for name, count in counts.items()),
              highlight=False)
    if changes is not None:
        out.print(changes_table(changes, f"載入變更 Changes a load would make — tenant {tenant}"))
        for reason in removal_problems(changes):
            out.print(f"[yellow]a load would be refused without --allow-removals:[/] {reason}", highlight=False)


RegulationVersion = Annotated[str | None, typer.Option(
    "--regulation-version", help="Read provision ids in this stored version's numbering (`regtrace versions`); "
    "default: the version in force today.")]


@app.command(rich_help_panel=PANEL)
def load(folder: Folder, tenant: Tenant = DEFAULT_TENANT, allow_removals: AllowRemovals = False,
         regulation_version: RegulationVersion = None) -> None:
    """Load a member company's registers, replacing its previous ones (all or nothing)."""
    with opened_store(create=True) as store:
        counts = load_with_progress(store, folder, tenant, allow_removals=allow_removals,
                                    regulation_version=regulation_version)
    out.print(f"[green]loaded[/] {folder} → tenant {tenant}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
