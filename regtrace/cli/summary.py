"""The board summary printed by `coverage` and `demo`: overall coverage, counts and the worst gaps."""

from __future__ import annotations

import datetime as dt

from regtrace import labels
from regtrace.cli.console import out
from regtrace.trace import TraceRow, gaps
from regtrace.trace.coverage import overall


def print_summary(rows: list[TraceRow], day: dt.date, company: str, material: dict[str, bool]) -> None:
    """Coverage of applicable obligations, the count per status and the five worst gaps; `company` names the
    member company (its legal name and tenant id, or the tenant id alone)."""
    total = overall(rows)
    pct = "—" if total.percent is None else f"{total.percent:.1f}%"
    counts = " · ".join(
        f"{labels.status(s)} {total.counts.get(s, 0)}" for s in ("covered", "stale", "unevidenced", "gap")
    )
    worst = gaps(rows, material)[:5]
    out.print(f"\n[bold]董事會摘要 Board summary[/] — {company} — {day.isoformat()}", soft_wrap=True)
    out.print(
        f"  適用義務涵蓋率 Coverage of applicable obligations: [bold]{pct}[/] ({total.covered}/{total.applicable})"
    )
    out.print(f"  {counts}")
    if worst:
        out.print("  最嚴重缺口 Worst gaps:")
        for r in worst:
            out.print(f"   • {r.label} ({r.provision}) — {r.subject} — {labels.status(r.status)}: {r.reason_zh}")
