"""`regtrace changes`: the obligations whose status changed between two dates, with both statuses and the cause."""

from __future__ import annotations

from typing import Annotated

import typer

from regtrace.cli.app import app, opened_store
from regtrace.cli.console import show
from regtrace.cli.options import DEFAULT_TENANT, JsonFlag, Tenant, parse_date
from regtrace.cli.trend_tables import status_changes_table
from regtrace.tenants import require_tenant
from regtrace.trace import trace
from regtrace.trace.changes import changes, check_dates

PANEL = "追溯 Trace"


@app.command("changes", rich_help_panel=PANEL)
def changes_command(
    start: Annotated[str, typer.Option("--from", help="The earlier date (2026-06-30 or 民國115年6月30日).")],
    end: Annotated[str, typer.Option("--to", help="The later date.")],
    tenant: Tenant = DEFAULT_TENANT,
    as_json: JsonFlag = False,
) -> None:
    """Obligations whose status changed between two dates (--from, --to), with both statuses and the cause."""
    first, last = parse_date("--from", start), parse_date("--to", end)
    check_dates(first, last)
    with opened_store() as store:
        tenant = require_tenant(store, tenant)
        found = changes(trace(store, tenant, first), trace(store, tenant, last))
    title = f"狀態異動 Status changes — {tenant} — {first.isoformat()} → {last.isoformat()}"
    show([c.to_json() for c in found], as_json, lambda: status_changes_table(found, title))
