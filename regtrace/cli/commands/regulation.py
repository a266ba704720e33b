"""The regulation itself: its provisions, and the executable obligations (Gherkin features) generated from it."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from regtrace.cli.app import app, opened_store
from regtrace.cli.console import err, out, print_json
from regtrace.cli.options import DEFAULT_TENANT, AsOf, JsonFlag, Tenant, parse_as_of
from regtrace.cli.tables import provisions_tree
from regtrace.errors import ExitCode, InputError
from regtrace.loaders.provision import Provision
from regtrace.versions import SEED_LABEL

PANEL = "法規 Regulation"


@app.command(rich_help_panel=PANEL)
def provisions(
    file: Annotated[Path | None, typer.Argument(
        help="Regulation text; default: the store's version in force on --as-of (the bundled seed without a "
        "store).")] = None,
    as_json: JsonFlag = False,
    as_of: AsOf = None,
) -> None:
    """List a regulation's provisions (條、項、款、目、點) with modality, conditions and references; --json gives
    each reference's instrument id and that instrument's status on the --as-of date, and without a file each
    provision's `version` (the stored version in force on that date)."""
    from regtrace.instruments import provisions_json
    from regtrace.loaders.curation import load_curation
    from regtrace.seed import parse_regulation_file

    day = parse_as_of(as_of)
    label, title, found = None, None, None
    if file is None:
        found = _stored_provisions(day)
    if found is not None:
        label, title, items = found
    else:
        parsed = parse_regulation_file(file)
        for warning in parsed.warnings:
            err.print(f"[yellow]warning:[/] {warning}")
        title, items = parsed.title, parsed.provisions
        label = SEED_LABEL if file is None else None
    if as_json:
        instruments = {i.id: i.to_row() for i in load_curation().instruments}
        rows = provisions_json(items, instruments, day)
        print_json([{**r, "version": label} for r in rows] if file is None else rows)
        return
    out.print(provisions_tree(f"{title} ({label})" if label else title, items))


def _stored_provisions(day: dt.date) -> tuple[str, str | None, list[Provision]] | None:
    """The store's version in force on `day` (None when there is no store: the bundled seed is listed)."""
    from regtrace.cli.app import GLOBAL
    from regtrace.errors import NotFoundError
    from regtrace.versions_provisions import stored_provisions

    try:
        with opened_store() as store:
            version, title, items = stored_provisions(store, day)
    except NotFoundError:
        if "://" in GLOBAL.location() or Path(GLOBAL.location()).exists():
            raise
        return None
    return version.label, title, items


@app.command("diff", rich_help_panel=PANEL)
def diff_command(
    old: Annotated[str, typer.Argument(help="The earlier text: a regulation text file or a stored version's "
                                       "label (`regtrace versions`).", show_default=False)],
    new: Annotated[str, typer.Argument(help="The later text: a regulation text file, whole or an excerpt of the "
                                       "changed articles, or a stored version's label.", show_default=False)],
    as_json: JsonFlag = False,
) -> None:
    """Compare two texts of a regulation: provisions added, deleted (刪除), removed, renumbered, reworded, and
    changes of modality, conditions, frequency and references. Writes nothing."""
    from regtrace.loaders.regulation_diff import diff_texts
    from regtrace.regulation_diff_text import render

    stored = None if Path(old).is_file() and Path(new).is_file() else _stored_texts()
    diff = diff_texts(old, new, stored)
    for warning in diff.warnings:
        err.print(f"[yellow]warning:[/] {escape(warning)}")
    if as_json:
        print_json(diff.to_json())
        return
    sys.stdout.write(render(diff))


def _stored_texts() -> dict[str, str]:
    """Each stored version's label -> its source text; none without a store (a file is still read)."""
    from regtrace.cli.app import GLOBAL
    from regtrace.errors import NotFoundError
    from regtrace.versions_text import stored_texts

    try:
        with opened_store() as store:
            return stored_texts(store)
    except NotFoundError:
        if "://" in GLOBAL.location() or Path(GLOBAL.location()).exists():
            raise
        return {}


@app.command("impact", rich_help_panel=PANEL)
def impact_command(
    new_text: Annotated[str, typer.Argument(metavar="NEW_TEXT", help="The amended text: a regulation text file, "
                                            "whole or an excerpt of the changed articles (read into the current "
                                            "text), or a stored version's label.", show_default=False)],
    tenant: Tenant = DEFAULT_TENANT,
    as_of: AsOf = None,
    as_json: JsonFlag = False,
) -> None:
    """What an amended text would change for a member company, before it is adopted, against the stored
    version in force on --as-of: per change of the diff,
    the controls, contracts, evidence and arrangements it touches and the trace rows whose status would
    change. Writes nothing."""
    from regtrace.impact import impact
    from regtrace.impact_stored import stored_amendment
    from regtrace.impact_text import render

    day = parse_as_of(as_of)
    with opened_store() as store:
        _label, amendment = stored_amendment(store, new_text, day)
        result = impact(store, tenant, amendment, day)
    for warning in result.warnings:
        err.print(f"[yellow]warning:[/] {escape(warning)}")
    if as_json:
        print_json(result.to_json())
        return
    sys.stdout.write(render(result))


@app.command("features", rich_help_panel=PANEL)
def features_command(
    out_dir: Annotated[Path | None, typer.Option(
        "--out", help="Folder; default: the repository's features/ (required when installed from the wheel).")] = None,
    check_only: Annotated[bool, typer.Option("--check", help="Write nothing; exit 1 if the files are out of date.")]
    = False,
    as_of: AsOf = None,
) -> None:
    """Generate the executable obligations: one zh-TW Gherkin feature per article, from the regulation graph
    (the version in force on --as-of, default today)."""
    from regtrace.features import diff_features, features_from_store, write_features
    from regtrace.shipped import FEATURES, from_wheel

    if out_dir is None and not check_only and from_wheel():
        raise InputError("--out: the installed features are part of the package; write to a folder with --out")
    with opened_store() as store:
        files = features_from_store(store, parse_as_of(as_of))
    folder = out_dir or FEATURES
    diff = diff_features(files, folder) if check_only else write_features(files, folder)
    verb = "out of date" if check_only else "written"
    out.print(f"{folder}: {len(files)} features; {verb}: {', '.join(diff.written) or 'none'}"
              + (f"; {'stale' if check_only else 'removed'}: {', '.join(diff.removed)}" if diff.removed else ""),
              soft_wrap=True)
    if check_only and diff.changed:
        raise typer.Exit(ExitCode.FAILED)
