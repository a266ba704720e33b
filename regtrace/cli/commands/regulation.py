"""The regulation itself: its provisions, and the executable obligations (Gherkin features) generated from it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from regtrace.cli.app import app, opened_store
from regtrace.cli.console import err, out, print_json
from regtrace.cli.options import JsonFlag
from regtrace.cli.tables import provisions_tree
from regtrace.errors import ExitCode

PANEL = "法規 Regulation"


@app.command(rich_help_panel=PANEL)
def provisions(
    file: Annotated[Path | None, typer.Argument(help="Regulation text; default: the bundled seed.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """List a regulation's provisions (條、項、款、目、點) with modality, conditions and references."""
    from regtrace.seed import parse_regulation_file

    parsed = parse_regulation_file(file)
    for warning in parsed.warnings:
        err.print(f"[yellow]warning:[/] {warning}")
    if as_json:
        print_json([p.to_json() for p in parsed.provisions])
        return
    out.print(provisions_tree(parsed.title, parsed.provisions))


@app.command("features", rich_help_panel=PANEL)
def features_command(
    out_dir: Annotated[Path | None, typer.Option("--out", help="Folder; default: the repository's features/.")] = None,
    check_only: Annotated[bool, typer.Option("--check", help="Write nothing; exit 1 if the files are out of date.")]
    = False,
) -> None:
    """Generate the executable obligations: one zh-TW Gherkin feature per article, from the regulation graph."""
    from regtrace.features import FEATURES, diff_features, features_from_store, write_features

    with opened_store() as store:
        files = features_from_store(store)
    folder = out_dir or FEATURES
    diff = diff_features(files, folder) if check_only else write_features(files, folder)
    verb = "out of date" if check_only else "written"
    out.print(f"{folder}: {len(files)} features; {verb}: {', '.join(diff.written) or 'none'}"
              + (f"; {'stale' if check_only else 'removed'}: {', '.join(diff.removed)}" if diff.removed else ""),
              soft_wrap=True)
    if check_only and diff.changed:
        raise typer.Exit(ExitCode.FAILED)
