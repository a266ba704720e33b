"""Versions of the regulation: adopt an amended text, list the stored versions, review carried mappings."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from regtrace.cli.app import app, opened_store
from regtrace.cli.console import err, out, print_json
from regtrace.cli.options import DEFAULT_TENANT, JsonFlag, Tenant, parse_as_of
from regtrace.errors import InputError

PANEL = "法規 Regulation"


def _date(option: str, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return parse_as_of(value)
    except InputError as exc:
        raise InputError(str(exc).replace("--as-of", option)) from None


@app.command(rich_help_panel=PANEL)
def adopt(
    new_text: Annotated[Path, typer.Argument(help="The amended regulation text (the whole text).",
                                             show_default=False)],
    effective_from: Annotated[str, typer.Option("--effective-from", help="First day the new version is in force.",
                                                show_default=False)],
    version: Annotated[str | None, typer.Option("--version", help="Its label; default: the effective date.")]
    = None,
    promulgated_on: Annotated[str | None, typer.Option("--promulgated-on", help="Date it was promulgated.")]
    = None,
    as_json: JsonFlag = False,
) -> None:
    """Store an amended text as the regulation's next version (all or nothing), never deleting the old one:
    mappings to unchanged and renumbered provisions carry forward, to amended ones carry forward awaiting
    review, to removed ones stay on the old version (orphaned)."""
    from regtrace.versions_adopt import adopt as adopt_text

    start = _date("--effective-from", effective_from) or dt.date.today()
    promulgated = _date("--promulgated-on", promulgated_on)
    with opened_store() as store:
        adoption = adopt_text(store, new_text, start, version, promulgated)
    for warning in adoption.warnings:
        err.print(f"[yellow]warning:[/] {escape(warning)}")
    if as_json:
        print_json({**adoption.to_json(), "mapping_outcomes": [m.to_json() for m in adoption.mappings
                                                               if m.outcome != "carried"]})
        return
    summary = adoption.to_json()
    counts = summary["mappings"]
    out.print(f"[green]adopted[/] {new_text} as version {summary['version']}, in force from "
              f"{summary['effective_from']} (version {summary['previous']['version']} until "
              f"{summary['previous']['effective_until']}); {summary['changes']} changes", soft_wrap=True)
    out.print(f"對應 mappings: 沿用 carried {counts['carried']} · 待覆核 needs review {counts['needs_review']} · "
              f"孤立 orphaned {counts['orphaned']} (kept on version {summary['previous']['version']})",
              soft_wrap=True)
    if counts["needs_review"] or counts["orphaned"]:
        out.print("`regtrace review --tenant T` lists them per member company", soft_wrap=True)


@app.command("versions", rich_help_panel=PANEL)
def versions_command(as_json: JsonFlag = False) -> None:
    """The stored versions of the regulation, oldest first, with their dates."""
    from regtrace.versions import VersionBook

    with opened_store() as store:
        book = VersionBook.read(store)
    rows = [v.to_json() for v in book.versions]
    if as_json:
        print_json(rows)
        return
    table = Table(title="法規版本 Regulation versions")
    for header in ("版本 Version", "發布日 Promulgated", "生效日 Effective from", "適用至 Until", "SHA-256"):
        table.add_column(header)
    for r in rows:
        table.add_row(r["version"], r["promulgated_on"] or "—", r["effective_from"] or "—",
                      r["effective_until"] or "—", r["source_sha256"][:12])
    out.print(table)


@app.command(rich_help_panel=PANEL)
def review(
    tenant: Tenant = DEFAULT_TENANT,
    accept: Annotated[list[str] | None, typer.Option(
        "--accept", help="Accept these review ids (repeat the option, or list several after one --accept).")]
    = None,
    ids: Annotated[list[str] | None, typer.Argument(help="More ids to accept (with --accept).",
                                                    show_default=False)] = None,
    as_json: JsonFlag = False,
) -> None:
    """The member company's mappings carried to amended provisions (awaiting review) and those left on removed
    provisions (orphaned); --accept ID… marks reviewed ones accepted."""
    from regtrace.tenants import require_tenant
    from regtrace.versions_review import accept_reviews, review_queue

    if ids and not accept:
        raise InputError(f"unexpected argument {ids[0]!r}: give review ids after --accept")
    with opened_store() as store:
        tenant = require_tenant(store, tenant)
        if accept:
            done = accept_reviews(store, tenant, [*accept, *(ids or [])])
            if as_json:
                print_json({"tenant": tenant, "accepted": done})
            else:
                out.print(f"[green]accepted[/] {len(done)}: {', '.join(done) or 'none (already accepted)'}",
                          soft_wrap=True)
            return
        queue = review_queue(store, tenant)
    if as_json:
        print_json(queue.to_json())
        return
    table = Table(title=f"待覆核對應 Mappings awaiting review — tenant {tenant} — version {queue.latest}")
    for header in ("覆核代碼 Review id", "種類 Kind", "來源 Source", "前版 Before", "變更 Changes"):
        table.add_column(header, overflow="fold")
    for r in queue.needs_review:
        table.add_row(r["review_id"], r["mapping_kind"], r["source_id"],
                      f"{r['from_provision_id']}@{r['from_version']}", ", ".join(r["changes"] or []))
    out.print(table)
    out.print(f"待覆核 needs review {len(queue.needs_review)} · 已覆核 accepted {len(queue.accepted)} · "
              f"孤立 orphaned {len(queue.orphaned)}", soft_wrap=True)
    for o in queue.orphaned:
        out.print(f"孤立 orphaned: {o['kind']} {o['source_id']} → {o['provision_id']} (version {o['version']}; "
                  f"no such provision in version {queue.latest}; kept)", soft_wrap=True, highlight=False)
