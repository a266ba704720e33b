"""A change impact as plain text for a terminal: zh-TW first with English beside it, the same bytes for the
same inputs (the diff's order; subjects: the company, then arrangements by id)."""

from __future__ import annotations

from collections.abc import Sequence

from regtrace import labels
from regtrace.impact import ChangeImpact, Impact, StatusChange
from regtrace.regulation_diff_text import change_lines, summary
from regtrace.trace import COMPANY

_INDENT = "  "
# Evidence ids shown per change; the rest are counted (--json lists them all).
EVIDENCE_SHOWN = 10


def _status(value: str | None) -> str:
    return labels.status(value) if value else "無此列 no row"


def _subject(subject: str) -> str:
    return labels.both(labels.SUBJECT_COMPANY) if subject == COMPANY else subject


def _ids(values: Sequence[str], shown: int | None = None) -> str:
    if not values:
        return "—"
    listed = ", ".join(values[:shown] if shown else values)
    more = len(values) - shown if shown and len(values) > shown else 0
    return listed + (f" …（另 {more} 件 and {more} more）" if more else "")


def status_line(s: StatusChange) -> str:
    moved = f"（原 was {s.old_provision}）" if s.old_provision and s.old_provision != s.provision else ""
    return f"{s.provision}{moved} · {_subject(s.subject)}: {_status(s.old)} → {_status(s.new)}"


def _change(ci: ChangeImpact) -> list[str]:
    lines = change_lines(ci.change)
    lines += [
        f"{_INDENT}控制措施 controls: {_ids(ci.controls)}",
        f"{_INDENT}契約 contracts: {_ids(ci.contracts)}",
        f"{_INDENT}佐證資料 evidence ({len(ci.evidence)}): {_ids(ci.evidence, EVIDENCE_SHOWN)}",
        f"{_INDENT}委外事項 arrangements: {_ids(ci.arrangements)}",
    ]
    if ci.status_changes:
        lines.append(f"{_INDENT}狀態變動 status changes ({len(ci.status_changes)}):")
        lines += [_INDENT * 2 + status_line(s) for s in ci.status_changes]
    else:
        lines.append(f"{_INDENT}狀態變動 status changes: 無 none")
    return lines


def render(result: Impact) -> str:
    """The impact as text: a header, the diff's summary, each change with what it touches, then the rows
    whose status changes though their provision is not itself changed (roll-ups and the like)."""
    diff = result.diff
    moved = sum(len(c.status_changes) for c in result.changes) + len(result.other_status_changes)
    lines = [
        f"變更影響 Change impact — {result.tenant} — {result.as_of.isoformat()}",
        f"現行 current: {diff.old_title or '—'} ({diff.old_source})",
        f"修正 amended: {diff.new_title or '—'} ({diff.new_source})",
        summary(diff),
        f"狀態將變動之追溯列 trace rows whose status would change: {moved}",
        "未寫入任何資料 nothing was written",
    ]
    if not result.changes:
        lines.append("無變更 no changes")
    for ci in result.changes:
        lines.append("")
        lines += _change(ci)
    if result.other_status_changes:
        lines.append("")
        lines.append(f"其他狀態變動（彙總列等）other status changes (roll-ups and the like) "
                     f"({len(result.other_status_changes)}):")
        lines += [_INDENT + status_line(s) for s in result.other_status_changes]
    return "\n".join(lines) + "\n"
