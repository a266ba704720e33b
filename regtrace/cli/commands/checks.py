"""`regtrace check`: the executable obligations (pytest-bdd) run against the store."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from regtrace.cli.app import GLOBAL, app, opened_store
from regtrace.cli.console import out, print_json
from regtrace.cli.options import DEFAULT_TENANT, AsOf, JsonFlag, Tenant, parse_as_of
from regtrace.errors import ExitCode

if TYPE_CHECKING:
    from regtrace.bdd_report import CheckResult

PANEL = "可執行義務 Executable obligations"


@app.command("check", rich_help_panel=PANEL)
def check_command(
    as_of: AsOf = None,
    tenant: Tenant = DEFAULT_TENANT,
    junit_xml: Annotated[Path | None, typer.Option("--junit-xml", help="Write the report as JUnit XML.")] = None,
    features_dir: Annotated[Path | None, typer.Option("--features", help="Feature folder; default: features/.")]
    = None,
    pytest_arg: Annotated[list[str] | None, typer.Option("--pytest-arg", help="Extra pytest argument (repeatable), "
                                                         "e.g. --pytest-arg=-m --pytest-arg=A7.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Run the executable obligations (pytest-bdd) against the store: pass = covered, skip = not applicable,
    fail = gap / unevidenced / stale. Exit 1 when any obligation fails."""
    from regtrace.bdd_report import OUTCOME_ZH, run_checks, summary, write_junit
    from regtrace.tenants import require_tenant

    day = parse_as_of(as_of)
    with opened_store() as store:  # an unknown tenant or store is refused before pytest starts
        tenant = require_tenant(store, tenant)
    results = run_checks(GLOBAL.location(), tenant, day, features_dir, pytest_args=pytest_arg or (),
                         echo=False)
    if junit_xml:
        write_junit(results, junit_xml, tenant=tenant, as_of=day)
    counts = summary(results)
    if as_json:
        print_json({"tenant": tenant, "as_of": day.isoformat(), "counts": counts,
                    "results": [r.to_json() for r in results]})
    else:
        print_failures(results)
        out.print(f"\n[bold]可執行義務 Executable obligations[/] — {tenant} — {day.isoformat()}: "
                  + " · ".join(f"{OUTCOME_ZH[o]} {o} {n}" for o, n in counts.items()), soft_wrap=True)
        if junit_xml:
            out.print(f"JUnit XML: {junit_xml}", soft_wrap=True)
    if counts["failed"] or counts["error"]:
        raise typer.Exit(ExitCode.FAILED)


def print_failures(results: list[CheckResult]) -> None:
    """Each failing obligation (and each error) with its subject, status and causes, in document order."""
    from regtrace import labels
    from regtrace.bdd_context import subject_name
    from regtrace.trace.model import Cause

    failing = [r for r in results if r.outcome in ("failed", "error")]
    if not failing:
        return
    out.print(f"[bold]未通過之義務 Failing obligations[/] ({len(failing)})", soft_wrap=True)
    for r in failing:
        if r.outcome == "error" or r.provision is None:
            out.print(f"  [red]✗[/] {r.nodeid}: {r.message.splitlines()[0] if r.message else r.outcome}",
                      soft_wrap=True, markup=False)
            continue
        status = labels.status(r.status) if r.status in labels.STATUS else r.status or r.outcome
        out.print(f"  ✗ {r.provision} — {subject_name(r.subject or '')} — {status}", soft_wrap=True, markup=False)
        for c in r.causes:
            kind = str(c.get("kind"))
            details = tuple((k, v) for k, v in c.items() if k != "kind")
            out.print(f"      {Cause(kind, details).words}", soft_wrap=True, markup=False)  # type: ignore[arg-type]
