"""The main job, `regtrace demo`: the seed regulation and the example insurer, traced, as a board would see it.
Listed first in `regtrace --help` (the default panel)."""

from __future__ import annotations

from regtrace import labels
from regtrace.board import board_reads, board_view
from regtrace.cli.app import app, opened_store
from regtrace.cli.arrangements import csp_of, materiality
from regtrace.cli.console import out
from regtrace.cli.options import EXAMPLE_TENANT, AsOf, parse_as_of
from regtrace.cli.progress import load_with_progress
from regtrace.cli.summary import print_summary
from regtrace.cli.tables import coverage_table, trace_table
from regtrace.company import company_name
from regtrace.trace import gaps, trace
from regtrace.trace.coverage import coverage


@app.command()
def demo(as_of: AsOf = None) -> None:
    """The main job: load the seed and the example insurer, trace it and print the board summary."""
    from regtrace.seed import examples_folder, regulation_summary
    from regtrace.trace.due_diligence import certifications as certifications_on
    from regtrace.trace.due_diligence import findings as findings_on

    day = parse_as_of(as_of)
    with opened_store(create=True) as store:
        summary = regulation_summary(store)
        out.print("[bold]保險業作業委外使用雲端服務自律規範[/] — regulation graph")
        for line in summary:
            out.print(f"  {line}")
        folder = examples_folder()
        counts = load_with_progress(store, folder, EXAMPLE_TENANT)
        out.print(
            f"\n[green]已載入 loaded[/] example insurer {folder.name}: "
            + ", ".join(f"{k} {v}" for k, v in counts.items())
        )
        rows = trace(store, EXAMPLE_TENANT, day)
        material = materiality(store, EXAMPLE_TENANT)
        providers = csp_of(store, EXAMPLE_TENANT)
        certs = [c for c in certifications_on(store, EXAMPLE_TENANT, day) if c.status != "valid"]
        open_findings = [f for f in findings_on(store, EXAMPLE_TENANT, day) if f.state != "closed"]
        named = company_name(store, EXAMPLE_TENANT)
        view = board_view(rows, material, board_reads(store, EXAMPLE_TENANT, day), day)
    print_summary(view, rows, named.with_tenant, material)
    if certs:
        out.print("  驗證待處理 Certifications to act on (Art. 5):")
        for c in certs:
            out.print(f"   • {c.csp_id} {c.standard} ({c.certification_id}) — {labels.word('cert', c.status)}, "
                      f"{c.valid_until.isoformat()}")
    if open_findings:
        out.print("  查核缺失 Open audit findings (Art. 9):")
        for f in open_findings:
            due = f.due_on.isoformat() if f.due_on else "—"
            out.print(f"   • {f.finding_id} {f.arrangement_id} {labels.severity(f.severity)} — "
                      f"{labels.word('finding', f.state)} (due {due})")
    out.print(coverage_table("article", coverage(rows, "article", providers)))
    out.print(coverage_table("arrangement", coverage(rows, "arrangement", providers)))
    out.print(trace_table(gaps(rows, material)[:10], "最嚴重缺口 Worst gaps (top 10)"))
