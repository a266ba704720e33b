"""The rich tables and trees the commands print; zh-TW first with English beside it."""

from __future__ import annotations

from typing import Any

from rich.markup import escape
from rich.table import Table
from rich.tree import Tree

from regtrace import labels
from regtrace.loaders.provision import Provision
from regtrace.trace import COMPANY, TraceRow
from regtrace.trace.coverage import GroupBy

STATUS_COLOURS = {
    "gap": "red", "unevidenced": "magenta", "stale": "yellow", "covered": "green", "not_applicable": "dim"
}
COVERAGE_STATUSES = ("covered", "stale", "unevidenced", "gap", "not_applicable")


def provisions_tree(title: str | None, provisions: list[Provision]) -> Tree:
    """The regulation's provisions nested as in the text, each with its modality, conditions and opening words."""
    tree = Tree(f"[bold]{title}[/]")
    nodes: dict[str, Tree] = {}
    for p in provisions:
        modality = labels.modality(p.effective_modality)
        detail = f"[red]{labels.both(labels.DELETED)}[/]" if p.deleted else f"[dim]{modality}[/]"
        if p.conditions:
            detail += " [cyan]" + ", ".join(p.conditions) + "[/]"
        text = p.text if len(p.text) <= 60 else p.text[:60] + "…"
        parent = nodes[p.parent] if p.parent else tree
        nodes[p.id] = parent.add(f"[bold]{p.id}[/] {p.label} {detail}\n{text}")
    return tree


def trace_table(rows: list[TraceRow], title: str) -> Table:
    """Trace rows: provision, subject, status, controls, evidence and the reason in zh-TW and English, with the
    causes, open findings, warnings and instruments no longer in force (`TraceRow.explanation`)."""
    table = Table(title=title, show_lines=False)
    for header in ("條次 Provision", "對象 Subject", "狀態 Status", "控制 Controls", "佐證 Evidence", "說明 Reason"):
        table.add_column(header)
    for r in rows:
        proof = ", ".join(r.evidence or r.contracts or r.audits)
        table.add_row(
            f"{r.provision}\n[dim]{r.label}[/]",
            r.subject,
            f"[{STATUS_COLOURS[r.status]}]{labels.status(r.status)}[/]",
            ", ".join(r.controls),
            proof,
            escape(r.explanation.replace("; ", "\n")),
        )
    return table


def coverage_table(group_by: GroupBy, rows: list[Any]) -> Table:
    """Counts per status and % covered for each article, arrangement or CSP."""
    names = {"article": "條 Article", "arrangement": "委外事項 Arrangement", "csp": "雲端服務業者 CSP"}
    table = Table(title=f"涵蓋率 Coverage by {group_by}")
    table.add_column(names[group_by])
    for s in COVERAGE_STATUSES:
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
        table.add_row(key, *(str(c.counts.get(s, 0)) for s in COVERAGE_STATUSES), pct)
    return table


def certifications_table(rows: list[Any], title: str) -> Table:
    """CSP certifications with their validity on the date."""
    table = Table(title=title)
    for h in ("業者 CSP", "驗證 Certification", "標準 Standard", "有效期限 Valid until", "狀態 Status"):
        table.add_column(h)
    for c in rows:
        table.add_row(c.csp_id, c.certification_id, c.standard, c.valid_until.isoformat(),
                      labels.word("cert", c.status))
    return table


def findings_table(rows: list[Any], title: str) -> Table:
    """Audit findings with their remediation state and due date."""
    table = Table(title=title)
    for h in ("缺失 Finding", "查核 Audit", "委外事項 Arrangement", "嚴重度 Severity", "狀態 State", "期限 Due"):
        table.add_column(h)
    for f in rows:
        table.add_row(
            f.finding_id,
            f.audit_id,
            f.arrangement_id,
            labels.severity(f.severity),
            labels.word("finding", f.state),
            f.due_on.isoformat() if f.due_on else "—",
        )
    return table


def approvals_table(rows: list[Any], title: str) -> Table:
    """Arrangements in effect, whether each needs the FSC's prior approval and the approval on record."""
    table = Table(title=title)
    for h in ("委外事項 Arrangement", "開始日 Start", "須經核准 Needs FSC approval", "核准 Approval", "文號 Reference",
              "核准日 Decided", "結果 Result"):
        table.add_column(h)
    for c in rows:
        result = "[green]符合 ok[/]" if c.ok else "[red]缺少事前核准 missing[/]"
        if c.late and not c.ok:
            result += f" (late: {', '.join(c.late)})"
        table.add_row(f"{c.arrangement} {c.name}", c.start_date.isoformat() if c.start_date else "—",
                      "是 yes" if c.needs_fsc_approval else "否 no", c.approval or "—", c.reference or "—",
                      c.decided_on.isoformat() if c.decided_on else "—", result)
    return table


def tokens_table(rows: list[dict[str, Any]]) -> Table:
    """API tokens without their secrets."""
    table = Table(title="API 權杖 API tokens")
    columns = ("token_id", "name", "role", "tenant", "created_at", "expires_at", "revoked")
    for h in ("id", *columns[1:]):
        table.add_column(h)
    for r in rows:
        table.add_row(*("—" if r[h] is None else str(r[h]) for h in columns))
    return table


def changes_table(changes: list[Any], title: str) -> Table:
    """Per register: rows stored now, in the folder, and what a load would add, change, remove and keep."""
    table = Table(title=title)
    for header in ("登錄表 Register", "現有 Stored", "資料夾 Folder", "新增 Added", "變更 Changed", "刪除 Removed",
                   "不變 Unchanged"):
        table.add_column(header, justify="left" if header.startswith("登錄表") else "right")
    for c in changes:
        removed = f"[red]{c.removed}[/]" if c.removed else "0"
        table.add_row(c.register, str(c.stored), str(c.incoming), str(c.added), str(c.changed), removed,
                      str(c.unchanged))
    return table
