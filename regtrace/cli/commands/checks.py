"""`regtrace check`: the executable obligations (pytest-bdd) run against the store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from regtrace.cli.app import GLOBAL, app
from regtrace.cli.console import out, print_json
from regtrace.cli.options import DEFAULT_TENANT, AsOf, JsonFlag, Tenant, parse_as_of
from regtrace.errors import ExitCode

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

    day = parse_as_of(as_of)
    results = run_checks(GLOBAL.location(), tenant, day, features_dir, pytest_args=pytest_arg or (),
                         echo=not as_json)
    if junit_xml:
        write_junit(results, junit_xml, tenant=tenant, as_of=day)
    counts = summary(results)
    if as_json:
        print_json({"tenant": tenant, "as_of": day.isoformat(), "counts": counts,
                    "results": [r.to_json() for r in results]})
    else:
        out.print(f"\n[bold]可執行義務 Executable obligations[/] — {tenant} — {day.isoformat()}: "
                  + " · ".join(f"{OUTCOME_ZH[o]} {o} {n}" for o, n in counts.items()), soft_wrap=True)
        if junit_xml:
            out.print(f"JUnit XML: {junit_xml}", soft_wrap=True)
    if counts["failed"] or counts["error"]:
        raise typer.Exit(ExitCode.FAILED)
