"""A regulation diff as plain text for a terminal: zh-TW first with English beside it, the same bytes for the
same inputs (no colour, no dates, no widths taken from the terminal)."""

from __future__ import annotations

from collections import Counter

from regtrace import labels
from regtrace.loaders.numbering import numeral
from regtrace.loaders.provision import Provision, Reference
from regtrace.loaders.regulation_diff import CHANGE_KINDS, Change, RegulationDiff

_INDENT = "  "


def _kinds(change: Change) -> str:
    return " · ".join(labels.both(CHANGE_KINDS[k]) for k in change.kinds)


def _where(p: Provision) -> str:
    return f"{p.id} {p.label}"


def _heading(change: Change) -> str:
    old, new = change.old, change.new
    if old is not None and new is not None and old.id != new.id:
        where = f"{_where(old)} → {_where(new)}"
    else:
        either = new or old
        where = _where(either) if either else "?"
    shown = "renumbered" in change.kinds and change.similarity is not None
    similarity = f" (相似度 similarity {change.similarity:.2f})" if shown else ""
    return f"[{_kinds(change)}] {where}{similarity}"


def _modality(p: Provision | None) -> str:
    if p is None:
        return "—"
    own = "、".join(labels.MODALITY[m][0] for m in p.modalities) or "—"
    return f"{labels.modality(p.effective_modality)}（本文 own: {own}）"


def _conditions(p: Provision | None) -> str:
    return "、".join(labels.fact(f) for f in p.conditions) if p and p.conditions else "—"


def _frequency(p: Provision | None) -> str:
    months = p.frequency_months if p else None
    return f"每 {months} 個月 every {months} months" if months else "—"


def _reference(r: Reference) -> str:
    cited = [f"第{numeral(n)}條" for n in r.articles] + [f"第{numeral(n)}點" for n in r.points]
    return f"「{r.instrument}」" + "、".join(cited)


def _references(p: Provision | None) -> str:
    return "；".join(_reference(r) for r in p.references) if p and p.references else "—"


def _detail_lines(change: Change) -> list[str]:
    old, new = change.old, change.new
    lines: list[str] = []
    if change.deleted_with:
        lines.append(f"隨 {change.deleted_with} 刪除 deleted with {change.deleted_with}")
    if change.text_diff is not None:
        lines.append(f"文字 text: {change.text_diff}")
    elif (either := new or old) is not None and either.level != "article":
        if old is not None and ("removed" in change.kinds or "deleted" in change.kinds):
            lines.append(f"舊 old: {old.text}")
        if new is not None and ("added" in change.kinds or "deleted" in change.kinds):
            lines.append(f"新 new: {new.text}")
    for kind, title, show in (
        ("modality_changed", "規範效力 modality", _modality),
        ("conditions_changed", "適用條件 conditions", _conditions),
        ("frequency_changed", "頻率 frequency", _frequency),
        ("references_changed", "引用 references", _references),
    ):
        if kind in change.kinds:
            lines.append(f"{title}: {show(old)} → {show(new)}")
    return lines


def summary(diff: RegulationDiff) -> str:
    counts = Counter(k for c in diff.changes for k in c.kinds)
    parts = [f"{labels.both(CHANGE_KINDS[k])} {counts[k]}" for k in CHANGE_KINDS if counts[k]]
    return f"變更 changes: {len(diff.changes)}" + (" — " + " · ".join(parts) if parts else "")


def render(diff: RegulationDiff) -> str:
    """The diff as text: a header, a summary line, then each change with its details indented."""
    lines = [
        "法規比對 Regulation diff",
        f"舊 old: {diff.old_title or '—'} ({diff.old_source})",
        f"新 new: {diff.new_title or '—'} ({diff.new_source})",
    ]
    if diff.scope is not None:
        lines.append(f"比對範圍 scope: 節錄 excerpt, {', '.join(diff.scope)}")
    lines.append(summary(diff))
    if not diff.changes:
        lines.append("無變更 no changes")
    for change in diff.changes:
        lines.append("")
        lines.extend(change_lines(change))
    return "\n".join(lines) + "\n"


def change_lines(change: Change) -> list[str]:
    """One change: its heading, then its details indented (also the head of each change in `regtrace impact`)."""
    return [_heading(change), *(_INDENT + line for line in _detail_lines(change))]
