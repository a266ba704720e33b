"""CSP certifications (Art. 5): their validity on a date, and what one of them carries in the trace (--impact)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from regtrace.cli.app import app, opened_store
from regtrace.cli.console import out, print_json, show
from regtrace.cli.options import DEFAULT_TENANT, AsOf, JsonFlag, Tenant, parse_as_of
from regtrace.cli.tables import certifications_table
from regtrace.tenants import require_tenant
from regtrace.trace.certificate_impact import ImpactRow
from regtrace.trace.vocabulary import status_labels

PANEL = "追溯 Trace"


def _impact_table(rows: list[ImpactRow], title: str) -> Table:
    words = {k: f"{zh} {en}" for k, (zh, en) in status_labels().items()}
    table = Table(title=title)
    for h in ("條文 Provision", "對象 Subject", "現況 Status", "驗證失效後 Without it"):
        table.add_column(h)
    for r in rows:
        table.add_row(f"{r.provision} {r.label}", r.subject, words[r.status], words[r.status_without])
    return table


@app.command(rich_help_panel=PANEL)
def certifications(
    as_of: AsOf = None,
    tenant: Tenant = DEFAULT_TENANT,
    as_json: JsonFlag = False,
    impact: Annotated[str | None, typer.Option(
        "--impact", metavar="CERT_ID",
        help="The rows whose status would drop if this certificate lapsed (status and status_without).")] = None,
) -> None:
    """CSP certifications (Art. 5) with validity on the date: valid, expiring within 90 days, expired; with
    --impact CERT_ID, what falls if that certificate lapses."""
    from regtrace.trace.certificate_impact import certificate_impact
    from regtrace.trace.due_diligence import certifications as certs

    day = parse_as_of(as_of)
    with opened_store() as store:
        tenant = require_tenant(store, tenant)
        if impact is not None:
            dropping = certificate_impact(store, tenant, impact, day)
        else:
            rows = certs(store, tenant, day)
    if impact is not None:
        title = f"驗證 {impact} 失效之影響 What falls if {impact} lapses — {tenant} — {day.isoformat()}"
        if as_json or dropping:
            show([r.to_json() for r in dropping], as_json, lambda: _impact_table(dropping, title))
        else:
            out.print(f"無 none: no status rests on {impact} on {day.isoformat()} (it is not valid that day, its "
                      "scope_arrangements is blank, or no reviewed equal/subset mapping of its standard reaches a "
                      "CSP-meetable obligation that applies)", soft_wrap=True)
        return
    if as_json:
        print_json([c.to_json() for c in rows])
        return
    out.print(certifications_table(rows, f"雲端服務業者驗證 CSP certifications — {day.isoformat()}"))
