"""Exports of the trace and the graph, and their verification against the manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from regtrace.cli.app import app, opened_store
from regtrace.cli.console import err, out
from regtrace.cli.options import AsOf, parse_as_of
from regtrace.errors import ExitCode

PANEL = "匯出 Exports"


@app.command("export", rich_help_panel=PANEL)
def export_command(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write into (created if needed).")],
    formats: Annotated[list[str] | None, typer.Option(
        "--format", help="xlsx, pdf, html, ttl, jsonld, oscal or all (repeatable or comma-separated; default all).")
    ] = None,
    as_of: AsOf = None,
    tenant: Annotated[str | None, typer.Option(
        "--tenant", help="One member company into --out; default: every tenant into OUT/<tenant>/.")] = None,
) -> None:
    """Export the trace and the graph (XLSX, PDF/HTML report, Turtle, JSON-LD, OSCAL) with a manifest.json."""
    from regtrace.exports.bundle import export, parse_formats

    chosen = parse_formats(formats or [])
    day = parse_as_of(as_of)
    timings: dict[str, float] = {}
    with opened_store() as store:
        written = export(store, day, chosen, out_dir, tenant, timings=timings)
    for path in written:
        out.print(f"[green]wrote[/] {path} ({path.stat().st_size:,} bytes)", highlight=False)
    err.print("time: " + ", ".join(f"{k} {v:.1f}s" for k, v in timings.items()), highlight=False)


@app.command("verify-export", rich_help_panel=PANEL)
def verify_export_command(
    folder: Annotated[Path, typer.Argument(help="An export folder (with manifest.json).")],
) -> None:
    """Check an export against its manifest: exit 0 when intact, 1 listing altered, added and removed files."""
    from regtrace.exports.manifest import verify

    result = verify(folder)
    if result.intact:
        out.print(f"[green]intact[/] {folder}: every file matches {', '.join(result.manifests)}", highlight=False)
        return
    for kind, paths in (("altered", result.altered), ("added", result.added), ("removed", result.removed)):
        for p in paths:
            out.print(f"[red]{kind}[/] {p}", highlight=False)
    raise typer.Exit(ExitCode.FAILED)
