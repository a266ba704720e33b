"""A member company's registers: check a folder, load it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from regtrace.cli.app import app, opened_store
from regtrace.cli.console import out
from regtrace.cli.options import DEFAULT_TENANT, Tenant
from regtrace.cli.progress import load_with_progress

PANEL = "登錄表 Registers"
Folder = Annotated[Path, typer.Argument(help="Register folder (CSV files or one XLSX workbook).")]


@app.command(rich_help_panel=PANEL)
def validate(folder: Folder) -> None:
    """Check a register folder without writing anything."""
    from regtrace.loaders.registers import read_registers
    from regtrace.regulation_graph import obligations_under

    with opened_store() as store:
        dataset = read_registers(folder, obligations_under(store))
    out.print(f"[green]OK[/] {folder}: " + ", ".join(f"{name} {count}" for name, count in dataset.counts().items()))


@app.command(rich_help_panel=PANEL)
def load(folder: Folder, tenant: Tenant = DEFAULT_TENANT) -> None:
    """Load a member company's registers, replacing its previous ones (all or nothing)."""
    with opened_store() as store:
        counts = load_with_progress(store, folder, tenant)
    out.print(f"[green]loaded[/] {folder} → tenant {tenant}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
