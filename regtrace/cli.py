"""The `regtrace` command. Errors from the product's tree become a clear message and an exit code here,
and only here; anything unexpected is reported without a stack trace (set REGTRACE_DEBUG=1 to see it)."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.tree import Tree
from typer.exceptions import TyperException

from regtrace import __version__, labels
from regtrace.errors import InputError, RegtraceError
from regtrace.graph.port import Store
from regtrace.stores import open_store, store_location
from regtrace.trace import COMPANY, TraceRow, gaps, trace
from regtrace.trace.coverage import GROUPS, GroupBy, coverage, overall

DEFAULT_TENANT = "default"
EXAMPLE_TENANT = "example-life"

app = typer.Typer(
    name="regtrace",
    help="regtrace 雲端委外法遵追溯: traces the cloud-outsourcing rules for insurers "
    "(保險業作業委外使用雲端服務自律規範) to each outsourcing arrangement's controls and evidence, as of any date.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)
# Piped output (logs, CI) gets room for the tables instead of a narrow 80 columns.
out = Console(width=None if sys.stdout.isatty() else 140)
err = Console(stderr=True)

StoreOption = Annotated[str | None, typer.Option("--store", help="Store folder or neo4j:// URI [env: REGTRACE_STORE].")]
AsOf = Annotated[str | None, typer.Option("--as-of", help="Date (2026-11-29 or 民國115年11月29日); default today.")]
Tenant = Annotated[str, typer.Option("--tenant", help="Member company whose registers to use.")]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]

_state: dict[str, str | None] = {"store": None}


@app.callback()
def _main(
    store: StoreOption = None,
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False,
) -> None:
    if version:
        out.print(f"regtrace {__version__}")
        raise typer.Exit()
    _state["store"] = store


@contextmanager
def _store(seed: bool = True) -> Iterator[Store]:
    store = open_store(store_location(_state["store"]), seed=seed)
    try:
        yield store
    finally:
        store.close()


def parse_as_of(value: str | None) -> dt.date:
    """The --as-of date: ISO or ROC; today when not given."""
    if value is None:
        return dt.date.today()
    from regtrace.loaders.register_values import parse_date

    parsed = parse_date(value)
    if parsed is None:
        raise InputError(f"--as-of: {value!r} is not a date (use 2026-11-29 or 民國115年11月29日)")
    return parsed


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


# ---------------------------------------------------------------- regulation


@app.command()
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
        _print_json([p.to_json() for p in parsed.provisions])
        return
    tree = Tree(f"[bold]{parsed.title}[/]")
    nodes: dict[str, Tree] = {}
    for p in parsed.provisions:
        detail = f"[dim]{labels.modality(p.effective_modality)}[/]"
        if p.conditions:
            detail += " [cyan]" + ", ".join(p.conditions) + "[/]"
        text = p.text if len(p.text) <= 60 else p.text[:60] + "…"
        parent = nodes[p.parent] if p.parent else tree
        nodes[p.id] = parent.add(f"[bold]{p.id}[/] {p.label} {detail}\n{text}")
    out.print(tree)


# ---------------------------------------------------------------- registers


@app.command()
def validate(folder: Annotated[Path, typer.Argument(help="Register folder (CSV files or one XLSX workbook).")]) -> None:
    """Check a register folder without writing anything."""
    from regtrace.loaders.registers import read_registers
    from regtrace.regulation_graph import obligations_under

    with _store() as store:
        dataset = read_registers(folder, obligations_under(store))
    out.print(f"[green]OK[/] {folder}: " + ", ".join(f"{name} {count}" for name, count in dataset.counts().items()))


@app.command()
def load(
    folder: Annotated[Path, typer.Argument(help="Register folder (CSV files or one XLSX workbook).")],
    tenant: Tenant = DEFAULT_TENANT,
) -> None:
    """Load a member company's registers, replacing its previous ones (all or nothing)."""
    with _store() as store:
        counts = _load(store, folder, tenant)
    out.print(f"[green]loaded[/] {folder} → tenant {tenant}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


def _load(store: Store, folder: Path, tenant: str) -> dict[str, int]:
    from regtrace.loaders.registers import load_registers
    from regtrace.regulation_graph import obligations_under

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as progress:
        tasks: dict[str, Any] = {}

        def report(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(stage, total=total)
            progress.update(tasks[stage], completed=done, total=total)

        return load_registers(store, folder, tenant, obligations_under(store), progress=report)


# ---------------------------------------------------------------- trace, gaps, coverage


def _trace_table(rows: list[TraceRow], title: str) -> Table:
    table = Table(title=title, show_lines=False)
    for header in ("條次 Provision", "對象 Subject", "狀態 Status", "控制 Controls", "佐證 Evidence", "說明 Reason"):
        table.add_column(header)
    colours = {"gap": "red", "unevidenced": "magenta", "stale": "yellow", "covered": "green", "not_applicable": "dim"}
    for r in rows:
        proof = ", ".join(r.evidence or r.contracts or r.audits)
        table.add_row(
            f"{r.provision}\n[dim]{r.label}[/]",
            r.subject,
            f"[{colours[r.status]}]{labels.status(r.status)}[/]",
            ", ".join(r.controls),
            proof,
            f"{r.reason_zh}\n[dim]{r.reason_en}[/]",
        )
    return table


@app.command("trace")
def trace_command(
    as_of: AsOf = None,
    arrangement: Annotated[str | None, typer.Option("--arrangement", help="One arrangement id only.")] = None,
    tenant: Tenant = DEFAULT_TENANT,
    as_json: JsonFlag = False,
    leaves: Annotated[bool, typer.Option("--leaves", help="Obligations only, without rolled-up provisions.")] = False,
) -> None:
    """Every applicable obligation per arrangement (and the company) with its status, controls and evidence."""
    day = parse_as_of(as_of)
    with _store() as store:
        _require_arrangement(store, tenant, arrangement)
        rows = trace(store, tenant, day, arrangement)
    rows = [r for r in rows if r.leaf] if leaves else rows
    if as_json:
        _print_json([r.to_json() for r in rows])
    else:
        out.print(_trace_table(rows, f"追溯 Trace — {tenant} — {day.isoformat()}"))


def _require_arrangement(store: Store, tenant: str, arrangement: str | None) -> None:
    from regtrace.errors import NotFoundError

    if arrangement is not None and not any(
        r["arrangement_id"] == arrangement for r in store.nodes("OutsourcingArrangement", tenant)
    ):
        raise NotFoundError(f"--arrangement: no arrangement {arrangement!r} in tenant {tenant!r}")


@app.command("gaps")
def gaps_command(
    as_of: AsOf = None,
    tenant: Tenant = DEFAULT_TENANT,
    as_json: JsonFlag = False,
    limit: Annotated[int | None, typer.Option("--limit", help="Show at most this many.")] = None,
) -> None:
    """Only what is not covered, worst first."""
    day = parse_as_of(as_of)
    with _store() as store:
        rows = gaps(trace(store, tenant, day), _materiality(store, tenant))
    rows = rows[:limit] if limit else rows
    if as_json:
        _print_json([r.to_json() for r in rows])
    else:
        out.print(_trace_table(rows, f"缺口 Gaps — {tenant} — {day.isoformat()}"))


def _materiality(store: Store, tenant: str) -> dict[str, bool]:
    return {r["arrangement_id"]: bool(r["material"]) for r in store.nodes("OutsourcingArrangement", tenant)}


def _csp_of(store: Store, tenant: str) -> dict[str, str | None]:
    links = store.links("PROVIDED_BY", "OutsourcingArrangement", "CloudServiceProvider", tenant)
    return {r["source"].split("/", 1)[1]: r["target"].split("/", 1)[1] for r in links}


@app.command("coverage")
def coverage_command(
    as_of: AsOf = None,
    tenant: Tenant = DEFAULT_TENANT,
    by: Annotated[list[str] | None, typer.Option("--by", help="article, arrangement or csp (repeatable).")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Board-level coverage: % covered of what applies, per article, arrangement and CSP."""
    day = parse_as_of(as_of)
    groups: list[GroupBy] = []
    for g in by or list(GROUPS):
        if g not in GROUPS:
            raise InputError(f"--by: {g!r} is not one of {', '.join(GROUPS)}")
        groups.append(g)
    with _store() as store:
        rows = trace(store, tenant, day)
        csp_of = _csp_of(store, tenant)
        material = _materiality(store, tenant)
    result = {g: coverage(rows, g, csp_of) for g in groups}
    if as_json:
        _print_json(
            {
                "as_of": day.isoformat(),
                "tenant": tenant,
                "overall": overall(rows).to_json(),
                **{g: [c.to_json() for c in cs] for g, cs in result.items()},
            }
        )
        return
    _print_summary(rows, day, tenant, material)
    for g, cs in result.items():
        out.print(_coverage_table(g, cs))


def _coverage_table(group_by: GroupBy, rows: list[Any]) -> Table:
    names = {"article": "條 Article", "arrangement": "委外事項 Arrangement", "csp": "雲端服務業者 CSP"}
    table = Table(title=f"涵蓋率 Coverage by {group_by}")
    table.add_column(names[group_by])
    for s in ("covered", "stale", "unevidenced", "gap", "not_applicable"):
        table.add_column(labels.status(s), justify="right")
    table.add_column("涵蓋率 %", justify="right")
    for c in rows:
        key = (
            f"第{c.key}條"
            if group_by == "article"
            else labels.both(labels.SUBJECT_COMPANY)
            if c.key == COMPANY
            else c.key
        )
        pct = "—" if c.percent is None else f"{c.percent:.1f}%"
        table.add_row(
            key, *(str(c.counts.get(s, 0)) for s in ("covered", "stale", "unevidenced", "gap", "not_applicable")), pct
        )
    return table


def _print_summary(rows: list[TraceRow], day: dt.date, tenant: str, material: dict[str, bool]) -> None:
    total = overall(rows)
    pct = "—" if total.percent is None else f"{total.percent:.1f}%"
    counts = " · ".join(
        f"{labels.status(s)} {total.counts.get(s, 0)}" for s in ("covered", "stale", "unevidenced", "gap")
    )
    worst = gaps(rows, material)[:5]
    out.print(f"\n[bold]董事會摘要 Board summary[/] — {tenant} — {day.isoformat()}")
    out.print(
        f"  適用義務涵蓋率 Coverage of applicable obligations: [bold]{pct}[/] ({total.covered}/{total.applicable})"
    )
    out.print(f"  {counts}")
    if worst:
        out.print("  最嚴重缺口 Worst gaps:")
        for r in worst:
            out.print(f"   • {r.label} ({r.provision}) — {r.subject} — {labels.status(r.status)}: {r.reason_zh}")


# ---------------------------------------------------------------- due diligence


@app.command()
def certifications(as_of: AsOf = None, tenant: Tenant = DEFAULT_TENANT, as_json: JsonFlag = False) -> None:
    """CSP certifications (Art. 5) with validity on the date: valid, expiring within 90 days, expired."""
    from regtrace.trace.due_diligence import certifications as certs

    day = parse_as_of(as_of)
    with _store() as store:
        rows = certs(store, tenant, day)
    if as_json:
        _print_json([c.to_json() for c in rows])
        return
    table = Table(title=f"雲端服務業者驗證 CSP certifications — {day.isoformat()}")
    for h in ("業者 CSP", "驗證 Certification", "標準 Standard", "有效期限 Valid until", "狀態 Status"):
        table.add_column(h)
    names = {
        "valid": "有效 valid",
        "expiring": "即將到期 expiring",
        "expired": "已過期 expired",
        "not_yet_valid": "尚未生效 not yet valid",
    }
    for c in rows:
        table.add_row(c.csp_id, c.certification_id, c.standard, c.valid_until.isoformat(), names[c.status])
    out.print(table)


@app.command()
def findings(
    as_of: AsOf = None,
    tenant: Tenant = DEFAULT_TENANT,
    as_json: JsonFlag = False,
    all_findings: Annotated[bool, typer.Option("--all", help="Include closed findings.")] = False,
) -> None:
    """Audit findings (Art. 9) with open and overdue remediation."""
    from regtrace.trace.due_diligence import findings as finding_rows

    day = parse_as_of(as_of)
    with _store() as store:
        rows = [f for f in finding_rows(store, tenant, day) if all_findings or f.state != "closed"]
    if as_json:
        _print_json([f.to_json() for f in rows])
        return
    table = Table(title=f"查核缺失 Audit findings — {day.isoformat()}")
    for h in ("缺失 Finding", "查核 Audit", "委外事項 Arrangement", "嚴重度 Severity", "狀態 State", "期限 Due"):
        table.add_column(h)
    names = {"open": "改善中 open", "overdue": "逾期未改善 overdue", "closed": "已結案 closed"}
    for f in rows:
        table.add_row(
            f.finding_id,
            f.audit_id,
            f.arrangement_id,
            f.severity,
            names[f.state],
            f.due_on.isoformat() if f.due_on else "—",
        )
    out.print(table)


# ---------------------------------------------------------------- the main job


@app.command()
def demo(as_of: AsOf = None) -> None:
    """The main job: load the seed and the example insurer, trace it and print the board summary."""
    from regtrace.seed import examples_folder, regulation_summary
    from regtrace.trace.due_diligence import certifications as certifications_on
    from regtrace.trace.due_diligence import findings as findings_on

    day = parse_as_of(as_of)
    with _store() as store:
        summary = regulation_summary(store)
        out.print("[bold]保險業作業委外使用雲端服務自律規範[/] — regulation graph")
        for line in summary:
            out.print(f"  {line}")
        folder = examples_folder()
        counts = _load(store, folder, EXAMPLE_TENANT)
        out.print(
            f"\n[green]已載入 loaded[/] example insurer {folder.name}: "
            + ", ".join(f"{k} {v}" for k, v in counts.items())
        )
        rows = trace(store, EXAMPLE_TENANT, day)
        material = _materiality(store, EXAMPLE_TENANT)
        csp_of = _csp_of(store, EXAMPLE_TENANT)
        certs = [c for c in certifications_on(store, EXAMPLE_TENANT, day) if c.status != "valid"]
        open_findings = [f for f in findings_on(store, EXAMPLE_TENANT, day) if f.state != "closed"]
    _print_summary(rows, day, EXAMPLE_TENANT, material)
    if certs:
        out.print("  驗證待處理 Certifications to act on (Art. 5):")
        for c in certs:
            out.print(f"   • {c.csp_id} {c.standard} ({c.certification_id}) — {c.status}, {c.valid_until.isoformat()}")
    if open_findings:
        out.print("  查核缺失 Open audit findings (Art. 9):")
        for f in open_findings:
            due = f.due_on.isoformat() if f.due_on else "—"
            out.print(f"   • {f.finding_id} {f.arrangement_id} {f.severity} — {f.state} (due {due})")
    out.print(_coverage_table("article", coverage(rows, "article", csp_of)))
    out.print(_coverage_table("arrangement", coverage(rows, "arrangement", csp_of)))
    out.print(_trace_table(gaps(rows, material)[:10], "最嚴重缺口 Worst gaps (top 10)"))


# ---------------------------------------------------------------- executable obligations (Gherkin)


@app.command("features")
def features_command(
    out_dir: Annotated[Path | None, typer.Option("--out", help="Folder; default: the repository's features/.")] = None,
    check_only: Annotated[bool, typer.Option("--check", help="Write nothing; exit 1 if the files are out of date.")]
    = False,
) -> None:
    """Generate the executable obligations: one zh-TW Gherkin feature per article, from the regulation graph."""
    from regtrace.features import FEATURES, diff_features, features_from_store, write_features

    with _store() as store:
        files = features_from_store(store)
    folder = out_dir or FEATURES
    diff = diff_features(files, folder) if check_only else write_features(files, folder)
    verb = "out of date" if check_only else "written"
    out.print(f"{folder}: {len(files)} features; {verb}: {', '.join(diff.written) or 'none'}"
              + (f"; {'stale' if check_only else 'removed'}: {', '.join(diff.removed)}" if diff.removed else ""),
              soft_wrap=True)
    if check_only and diff.changed:
        raise typer.Exit(1)


@app.command("check")
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
    results = run_checks(store_location(_state["store"]), tenant, day, features_dir, pytest_args=pytest_arg or (),
                         echo=not as_json)
    if junit_xml:
        write_junit(results, junit_xml, tenant=tenant, as_of=day)
    counts = summary(results)
    if as_json:
        _print_json({"tenant": tenant, "as_of": day.isoformat(), "counts": counts,
                     "results": [r.to_json() for r in results]})
    else:
        out.print(f"\n[bold]可執行義務 Executable obligations[/] — {tenant} — {day.isoformat()}: "
                  + " · ".join(f"{OUTCOME_ZH[o]} {o} {n}" for o, n in counts.items()), soft_wrap=True)
        if junit_xml:
            out.print(f"JUnit XML: {junit_xml}", soft_wrap=True)
    if counts["failed"] or counts["error"]:
        raise typer.Exit(1)


# ---------------------------------------------------------------- migrate


@app.command("migrate")
def migrate_command(
    to: Annotated[str, typer.Option("--to", help="Target store: a folder or a neo4j://, neo4j+s://, bolt:// URI.")],
    source: Annotated[str | None, typer.Option("--from", help="Source store [default: --store].")] = None,
    replace: Annotated[bool, typer.Option("--replace", help="Empty a non-empty target first.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Copy every node and relationship into another store (LadybugDB ↔ Neo4j); verify counts and checksums."""
    from regtrace.errors import StoreError
    from regtrace.migrate import migrate, report_table

    origin = source or store_location(_state["store"])
    if origin == to:
        raise InputError(f"--to: the source and the target are the same store ({to})")
    if "://" not in origin and not Path(origin).is_dir():
        raise InputError(f"--from: there is no store at {origin}")
    with open_store(origin, seed=False) as src, open_store(to, seed=False) as dst:
        report = migrate(src, dst, replace=replace)
    if as_json:
        _print_json({"source": report.source, "target": report.target, "ok": report.ok,
                     "tallies": [t.to_json() for t in report.tallies]})
    else:
        out.print(report_table(report))
    if not report.ok:
        raise StoreError("the target differs from the source after the copy (see the table)")

def main() -> None:
    """Entry point: run the app and map errors to exit codes."""
    run: Callable[..., Any] = app
    try:
        code = run(standalone_mode=False)
    except TyperException as exc:  # usage errors: bad commands, options or arguments
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            err.print(f"[red]error:[/] {exc}")
        sys.exit(int(getattr(exc, "exit_code", 2)))
    except RegtraceError as exc:
        err.print(f"[red]error:[/] {exc}", highlight=False)
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        err.print("aborted")
        sys.exit(130)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except Exception as exc:  # an unexpected failure: a message, not a stack trace
        if os.environ.get("REGTRACE_DEBUG"):
            raise
        err.print(f"[red]internal error:[/] {type(exc).__name__}: {exc} (set REGTRACE_DEBUG=1 for details)")
        sys.exit(70)
    sys.exit(code if isinstance(code, int) else 0)


# ---------------------------------------------------------------- the GraphQL API and its tokens


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    introspection: Annotated[bool, typer.Option(
        "--introspection", help="Allow schema introspection (GraphiQL; development only).")] = False,
) -> None:
    """Serve the GraphQL API at /graphql (GraphiQL for a browser); callers need a token (`regtrace token create`)."""
    import uvicorn

    from regtrace.api.app import create_app

    uvicorn.run(create_app(store_location(_state["store"]), introspection=introspection), host=host, port=port)


token_app = typer.Typer(help="API bearer tokens: create (shown once), list, revoke.", no_args_is_help=True)
app.add_typer(token_app, name="token")


@token_app.command("create")
def token_create(
    role: Annotated[str, typer.Option("--role", help="admin, officer, auditor or board.")],
    tenant: Tenant = DEFAULT_TENANT,
    name: Annotated[str | None, typer.Option("--name", help="Who or what uses it (shown in the change log).")] = None,
) -> None:
    """Create a token and print it once; only its SHA-256 is stored."""
    from regtrace.api.auth import create_token

    with _store() as store:
        token, row = create_token(store, role, tenant, name)
    err.print(f"token {row['token_id']} ({row['role']} of {row['tenant']}, {row['name']}); "
              "keep it, it is not shown again:")
    sys.stdout.write(token + "\n")


@token_app.command("list")
def token_list(as_json: JsonFlag = False) -> None:
    """Every token without its secret: id, name, role, tenant, created, revoked."""
    from regtrace.api.auth import list_tokens

    with _store() as store:
        rows = list_tokens(store)
    if as_json:
        _print_json(rows)
        return
    table = Table(title="API 權杖 API tokens")
    for h in ("id", "name", "role", "tenant", "created_at", "revoked"):
        table.add_column(h)
    for r in rows:
        table.add_row(*(str(r[h]) for h in ("token_id", "name", "role", "tenant", "created_at", "revoked")))
    out.print(table)


@token_app.command("revoke")
def token_revoke(token_id: Annotated[str, typer.Argument(help="The token's id (see `regtrace token list`).")]) -> None:
    """Revoke a token: it is refused from the next request on."""
    from regtrace.api.auth import revoke_token

    with _store() as store:
        row = revoke_token(store, token_id)
    out.print(f"[green]revoked[/] {row['token_id']} ({row['name']})")


# ---------------------------------------------------------------- exports


@app.command("export")
def export_command(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write into (created if needed).")],
    formats: Annotated[list[str] | None, typer.Option(
        "--format", help="xlsx, pdf, html, ttl, jsonld, oscal or all (repeatable or comma-separated; default all).")
    ] = None,
    as_of: AsOf = None,
    tenant: Annotated[str | None, typer.Option(
        "--tenant", help="One member company into --out; default: every tenant into OUT/<tenant>/.")] = None,
) -> None:
    """Export the trace and the graph (XLSX, PDF/HTML report, Turtle, JSON-LD, OSCAL) with a manifest.json."""
    from regtrace.exports.bundle import export, parse_formats

    chosen = parse_formats(formats or [])
    day = parse_as_of(as_of)
    timings: dict[str, float] = {}
    with _store() as store:
        written = export(store, day, chosen, out_dir, tenant, timings=timings)
    for path in written:
        out.print(f"[green]wrote[/] {path} ({path.stat().st_size:,} bytes)", highlight=False)
    err.print("time: " + ", ".join(f"{k} {v:.1f}s" for k, v in timings.items()), highlight=False)


@app.command("verify-export")
def verify_export_command(
    folder: Annotated[Path, typer.Argument(help="An export folder (with manifest.json).")],
) -> None:
    """Check an export against its manifest: exit 0 when intact, 1 listing altered, added and removed files."""
    from regtrace.exports.manifest import verify

    result = verify(folder)
    if result.intact:
        out.print(f"[green]intact[/] {folder}: every file matches {', '.join(result.manifests)}", highlight=False)
        return
    for kind, paths in (("altered", result.altered), ("added", result.added), ("removed", result.removed)):
        for p in paths:
            out.print(f"[red]{kind}[/] {p}", highlight=False)
    raise typer.Exit(1)
