"""Loading registers with a progress bar on stderr (used by `load` and `demo`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from regtrace.cli.console import err
from regtrace.graph.port import Store


def load_with_progress(store: Store, folder: Path, tenant: str, *, allow_removals: bool = False) -> dict[str, int]:
    """Load `folder` as `tenant`'s registers, one bar per stage; the counts loaded per register."""
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

        return load_registers(store, folder, tenant, obligations_under(store), progress=report,
                              allow_removals=allow_removals)
