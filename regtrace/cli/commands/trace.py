"""The trace and what is read from it: every obligation's status, the gaps, coverage for the board, and the
due-diligence registers beside it (CSP certifications, audit findings)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from regtrace.cli.app import app, opened_store
from regtrace.cli.arrangements import csp_of, materiality, require_arrangement
from regtrace.cli.console import out, print_json, show
from regtrace.cli.options import DEFAULT_TENANT, AsOf, JsonFlag, Tenant, parse_as_of, parse_date
from regtrace.cli.summary import print_summary
from regtrace.cli.tables import certifications_table, coverage_table, findings_table, trace_table
from regtrace.cli.trend_tables import trend_table
from regtrace.company import company_name
from regtrace.errors import InputError
from regtrace.tenants import require_tenant
from regtrace.trace import gaps, trace
from regtrace.trace.coverage import GROUPS, GroupBy, coverage, overall
from regtrace.trace.trend import tenant_trend

PANEL = "追溯 Trace"


@app.command("trace", rich_help_panel=PANEL)
def trace_command(
    as_of: AsOf = None,
    arrangement: Annotated[str | None, typer.Option("--arrangement", help="One arrangement id only.")] = None,
    tenant: Tenant = DEFAULT_TENANT,
    as_json: JsonFlag = False,
    leaves: Annotated[bool, typer.Option("--leaves", help="Obligations only (leaves, lead-ins), no roll-up.")] = False,
) -> None:
    """Every applicable obligation per arrangement (and the company) with its status, controls and evidence."""
    day = parse_as_of(as_of)
    with opened_store() as store:
        tenant = require_tenant(store, tenant)
        require_arrangement(store, tenant, arrangement)
        rows = trace(store, tenant, day, arrangement)
    rows = [r for r in rows if r.obligation] if leaves else rows
    show([r.to_json() for r in rows], as_json, lambda: trace_table(rows, f"追溯 Trace — {tenant} — {day.isoformat()}"))


@app.command("gaps", rich_help_panel=PANEL)
def gaps_command(
    as_of: AsOf = None,
    tenant: Tenant = DEFAULT_TENANT,
    as_json: JsonFlag = False,
    limit: Annotated[int | None, typer.Option("--limit", help="Show at most this many.")] = None,
) -> None:
    """Only what is not covered, worst first."""
    day = parse_as_of(as_of)
    with opened_store() as store:
        tenant = require_tenant(store, tenant)
        rows = gaps(trace(store, tenant, day), materiality(store, tenant))
    rows = rows[:limit] if limit else rows
    show([r.to_json() for r in rows], as_json, lambda: trace_table(rows, f"缺口 Gaps — {tenant} — {day.isoformat()}"))


@app.command("coverage", rich_help_panel=PANEL)
def coverage_command(
    as_of: AsOf = None,
    tenant: Tenant = DEFAULT_TENANT,
    by: Annotated[list[str] | None, typer.Option("--by", help="article, arrangement or csp (repeatable).")] = None,
    as_json: JsonFlag = False,
    trend: Annotated[bool, typer.Option("--trend", help="Coverage at the end of each of the last 8 quarters "
                                                        "(and at each --date), per article and overall.")] = False,
    dates: Annotated[list[str] | None, typer.Option("--date", help="With --trend: a further date (repeatable).")
                     ] = None,
) -> None:
    """Board-level coverage: % covered of what applies, per article, arrangement and CSP (--trend: over time)."""
    day = parse_as_of(as_of)
    if trend or dates:
        if not trend or by:
            raise InputError("--date goes with --trend" if not trend else "--by does not go with --trend (a trend "
                             "is per article and overall)")
        coverage_trend(tenant, day, [parse_date("--date", d) for d in dates or ()], as_json)
        return
    groups: list[GroupBy] = []
    for g in by or list(GROUPS):
        if g not in GROUPS:
            raise InputError(f"--by: {g!r} is not one of {', '.join(GROUPS)}")
        groups.append(g)
    with opened_store() as store:
        tenant = require_tenant(store, tenant)
        rows = trace(store, tenant, day)
        providers = csp_of(store, tenant)
        material = materiality(store, tenant)
        named = company_name(store, tenant)
    result = {g: coverage(rows, g, providers) for g in groups}
    if as_json:
        print_json(
            {
                "as_of": day.isoformat(),
                "tenant": tenant,
                "company": named.to_json(),
                "overall": overall(rows).to_json(),
                **{g: [c.to_json() for c in cs] for g, cs in result.items()},
            }
        )
        return
    print_summary(rows, day, named.with_tenant, material)
    for g, cs in result.items():
        out.print(coverage_table(g, cs))


def coverage_trend(tenant: str, day: dt.date, dates: list[dt.date], as_json: bool) -> None:
    """`coverage --trend`: one object (JSON) or table row per date."""
    with opened_store() as store:
        tenant = require_tenant(store, tenant)
        points = tenant_trend(store, tenant, day, dates)
    show([p.to_json() for p in points], as_json,
         lambda: trend_table(points, f"涵蓋率趨勢 Coverage trend — {tenant} — {day.isoformat()}"))


@app.command(rich_help_panel=PANEL)
def certifications(as_of: AsOf = None, tenant: Tenant = DEFAULT_TENANT, as_json: JsonFlag = False) -> None:
    """CSP certifications (Art. 5) with validity on the date: valid, expiring within 90 days, expired."""
    from regtrace.trace.due_diligence import certifications as certs

    day = parse_as_of(as_of)
    with opened_store() as store:
        tenant = require_tenant(store, tenant)
        rows = certs(store, tenant, day)
    if as_json:
        print_json([c.to_json() for c in rows])
        return
    out.print(certifications_table(rows, f"雲端服務業者驗證 CSP certifications — {day.isoformat()}"))


@app.command(rich_help_panel=PANEL)
def findings(
    as_of: AsOf = None,
    tenant: Tenant = DEFAULT_TENANT,
    as_json: JsonFlag = False,
    all_findings: Annotated[bool, typer.Option("--all", help="Include closed findings.")] = False,
) -> None:
    """Audit findings (Art. 9) with open and overdue remediation."""
    from regtrace.trace.due_diligence import findings as finding_rows

    day = parse_as_of(as_of)
    with opened_store() as store:
        tenant = require_tenant(store, tenant)
        rows = [f for f in finding_rows(store, tenant, day) if all_findings or f.state != "closed"]
    if as_json:
        print_json([f.to_json() for f in rows])
        return
    out.print(findings_table(rows, f"查核缺失 Audit findings — {day.isoformat()}"))
