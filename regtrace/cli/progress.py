"""Loading registers with a progress bar on stderr (used by `load` and `demo`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from regtrace.cli.console import err
from regtrace.graph.port import Store


def load_with_progress(store: Store, folder: Path, tenant: str, *, allow_removals: bool = False,
                       regulation_version: str | None = None) -> dict[str, int]:
    """Load `folder` as `tenant`'s registers, one bar per stage; the counts loaded per register. Provision ids
    are read in the numbering of `regulation_version` (a label), else of the version in force today; a warning
    names every id whose provision has another number in another stored version."""
    from regtrace.loaders.registers import load_registers
    from regtrace.regulation_graph import obligations_under

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as progress:
        tasks: dict[str, Any] = {}

        def report(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(stage, total=total)
            progress.update(tasks[stage], completed=done, total=total)

        under = obligations_under(store, regulation_version)
        counts = load_registers(store, folder, tenant, under, progress=report, allow_removals=allow_removals)
    for warning in under.renumbering_warnings():
        err.print(f"[yellow]warning:[/] {warning}", soft_wrap=True, highlight=False)
    return counts
