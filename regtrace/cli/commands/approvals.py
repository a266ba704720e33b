"""The FSC's prior approval of cross-border outsourcing of a material system with natural-person data."""

from __future__ import annotations

from regtrace.cli.app import app, opened_store
from regtrace.cli.console import out, print_json
from regtrace.cli.options import DEFAULT_TENANT, AsOf, JsonFlag, Tenant, parse_as_of
from regtrace.cli.tables import approvals_table
from regtrace.company import company_name
from regtrace.errors import NotFoundError

PANEL = "追溯 Trace"


@app.command(rich_help_panel=PANEL)
def approvals(as_of: AsOf = None, tenant: Tenant = DEFAULT_TENANT, as_json: JsonFlag = False) -> None:
    """Arrangements in effect that need the FSC's prior approval (a material system with natural-person data
    processed offshore) and whether an fsc_approval decided on or before their start is on record."""
    from regtrace.approvals import fsc_approvals, missing_count

    day = parse_as_of(as_of)
    with opened_store() as store:
        if tenant not in store.tenants():
            raise NotFoundError(f"--tenant: no registers for tenant {tenant!r} in the store")
        rows = fsc_approvals(store, tenant, day)
        named = company_name(store, tenant)
    if as_json:
        print_json([r.to_json() for r in rows])
        return
    missing = missing_count(rows)
    out.print(approvals_table(rows, f"金管會事前核准 FSC prior approval — {named.with_tenant} — {day.isoformat()}"))
    needing = sum(1 for r in rows if r.needs_fsc_approval)
    out.print(f"須經核准 {needing} need it · 缺少 {missing} missing", soft_wrap=True)
