"""Tables of coverage over time: the trend (a row per date) and the changes between two dates."""

from __future__ import annotations

from rich.markup import escape
from rich.table import Table

from regtrace import labels
from regtrace.trace import COMPANY
from regtrace.trace.changes import Change
from regtrace.trace.trend import TrendPoint


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def trend_table(points: list[TrendPoint], title: str) -> Table:
    """One row per date: covered / applicable and % overall, then % per article."""
    articles = sorted({int(c.key) for p in points for c in p.articles})
    table = Table(title=title)
    table.add_column("日期 Date")
    table.add_column("已涵蓋/適用 Covered/applicable", justify="right")
    table.add_column("整體 Overall", justify="right")
    for a in articles:
        table.add_column(f"第{a}條", justify="right")
    for p in points:
        per = {int(c.key): c.percent for c in p.articles}
        table.add_row(p.date.isoformat(), f"{p.covered}/{p.applicable}", percent(p.percent),
                      *(percent(per.get(a)) for a in articles))
    return table


def status_text(value: str | None) -> str:
    return "—" if value is None else escape(labels.status(value))


def status_changes_table(changes: list[Change], title: str) -> Table:
    """One row per obligation and subject whose status changed: both statuses and the later date's cause."""
    table = Table(title=title)
    for h in ("條文 Provision", "主體 Subject", "原狀態 From", "新狀態 To", "原因 Cause"):
        table.add_column(h)
    for c in changes:
        subject = labels.both(labels.SUBJECT_COMPANY) if c.subject == COMPANY else c.subject
        table.add_row(escape(f"{c.label} ({c.provision})"), escape(subject), status_text(c.from_status),
                      status_text(c.to_status), escape(c.explanation))
    if not changes:
        table.caption = "兩日之間無狀態異動 no status changed between the two dates"
    return table
