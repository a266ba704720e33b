"""Crosswalks: the mapping sets of the store (shared by its tenants) — list them, import one (an admin's act)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from regtrace.cli.app import app, opened_store
from regtrace.cli.console import out, print_json, show
from regtrace.cli.options import JsonFlag

PANEL = "法規 Regulation"

mappings_app = typer.Typer(
    help="對照集 Crosswalks to ISO/IEC 27001, 27017, CSA CCM or your own framework: list, import.",
    no_args_is_help=True)
app.add_typer(mappings_app, name="mappings", rich_help_panel=PANEL)


def _table(sets: list[dict[str, Any]]) -> Table:
    table = Table(title="對照集 Mapping sets (provision RELATIONSHIP control)")
    for header in ("對照集 Set", "目標框架 Framework", "狀態 Status", "來源 Origin", "對照 Mappings",
                   "equal", "subset", "superset", "intersect", "條文 Provisions"):
        table.add_column(header, justify="right" if header in ("對照 Mappings", "條文 Provisions") or
                         header.islower() else "left", no_wrap=header.startswith("對照集"))
    for s in sets:
        by = s["by_relationship"]
        table.add_row(s["mapping_set_id"], s["framework"] or "", s["status"], s["origin"], str(s["mappings"]),
                      *(str(by.get(k, 0)) for k in ("equal", "subset", "superset", "intersect")),
                      str(s["provisions_mapped"]))
    return table


@mappings_app.command("list")
def mappings_list(as_json: JsonFlag = False) -> None:
    """Every mapping set with its framework, provenance and counts (in all, per relationship, provisions)."""
    from regtrace.crosswalk.store_io import set_summaries

    with opened_store() as store:
        sets = set_summaries(store)
    show(sets, as_json, lambda: _table(sets))


@mappings_app.command("import")
def mappings_import(
    file: Annotated[Path, typer.Argument(help="CSV (source, target, relationship, rationale; target FRAMEWORK:ID) "
                                              "or an OSCAL mapping collection (.json).")],
    set_id: Annotated[str | None, typer.Option("--id", help="Mapping set id; default: the file's name.")] = None,
    title: Annotated[str | None, typer.Option("--title", help="Title of the set.")] = None,
    status: Annotated[str | None, typer.Option("--status", help="draft (default) or reviewed.")] = None,
    method: Annotated[str | None, typer.Option("--method", help="How the mappings were made.")] = None,
    made_by: Annotated[str | None, typer.Option("--made-by", help="Who made them.")] = None,
    reviewed_by: Annotated[str | None, typer.Option("--reviewed-by", help="Who reviewed them.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Import a mapping set, validated whole: one bad row refuses the file (exit 2) and nothing is written.
    Importing a set with an existing id replaces its mappings."""
    from regtrace.crosswalk.importing import SetOptions
    from regtrace.crosswalk.store_io import import_mapping_file

    with opened_store() as store:
        summary = import_mapping_file(store, file, SetOptions(set_id, title, status, method, made_by, reviewed_by))
    if as_json:
        print_json(summary)
        return
    out.print(f"{summary['mapping_set_id']}: {summary['mappings']} mappings to {summary['framework']} "
              f"({summary['status']}) imported", soft_wrap=True)
    out.print(_table([summary]))
