"""The board summary printed by `coverage` and `demo`: what the dashboard's board view shows (regtrace.board),
then the worst gaps."""

from __future__ import annotations

from regtrace import labels
from regtrace.board import BoardView
from regtrace.cli.console import out
from regtrace.trace import TraceRow, gaps


def print_summary(view: BoardView, rows: list[TraceRow], company: str, material: dict[str, bool]) -> None:
    """Coverage of applicable obligations, the count per status, the counts the board answers for
    (certificates, overdue findings, expired contracts, FSC approvals), the top risks in words and the five
    worst gaps; `company` names the member company (its legal name and tenant id, or the tenant id alone)."""
    total = view.coverage
    pct = "—" if total.percent is None else f"{total.percent:.1f}%"
    counts = " · ".join(
        f"{labels.status(s)} {total.counts.get(s, 0)}" for s in ("covered", "stale", "unevidenced", "gap")
    )
    out.print(f"\n[bold]董事會摘要 Board summary[/] — {company} — {view.as_of.isoformat()}", soft_wrap=True)
    out.print(
        f"  適用義務涵蓋率 Coverage of applicable obligations: [bold]{pct}[/] ({total.covered}/{total.applicable})"
    )
    out.print(f"  {counts}")
    overdue = " · ".join(f"{s} {n}" for s, n in view.overdue_findings.items())
    out.print(f"  雲端服務業者驗證 CSP certificates: 已到期 expired {view.certificates_expired} · "
              f"90 天內到期 expiring within 90 days {view.certificates_expiring}")
    out.print(f"  逾期查核缺失 Overdue audit findings: {overdue}")
    out.print(f"  已到期契約 Expired contracts: {len(view.expired_contracts)} · "
              f"缺少金管會事前核准 Without the FSC's prior approval: {len(view.approvals_missing)}"
              f"/{view.approvals_needing}")
    if view.risks:
        out.print("  主要風險 Top risks:")
        for risk in view.risks:
            out.print(f"   • {risk.zh}\n     {risk.en}", soft_wrap=True)
    worst = gaps(rows, material)[:5]
    if worst:
        out.print("  最嚴重缺口 Worst gaps:")
        for r in worst:
            out.print(f"   • {r.label} ({r.provision}) — {r.subject} — {labels.status(r.status)}: {r.reason_zh}")
