"""Board-level coverage: per article, arrangement or CSP, counts by status and % covered of what applies.

Counted over obligations only (a leaf obligation's row, a lead-in's own duty), so a rolled-up provision is never
counted twice.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from regtrace.trace.model import COMPANY, STATUSES, TraceRow

GroupBy = Literal["article", "arrangement", "csp"]
GROUPS: tuple[GroupBy, ...] = ("article", "arrangement", "csp")


@dataclass(frozen=True)
class Coverage:
    """Counts by status for one group (an article, an arrangement or the company, a CSP)."""

    group_by: GroupBy
    key: str
    counts: Mapping[str, int]

    @property
    def applicable(self) -> int:
        return sum(n for s, n in self.counts.items() if s != "not_applicable")

    @property
    def covered(self) -> int:
        return self.counts.get("covered", 0)

    @property
    def percent(self) -> float | None:
        """% covered of what applies; None when nothing applies."""
        return round(100.0 * self.covered / self.applicable, 1) if self.applicable else None

    def to_json(self) -> dict[str, Any]:
        return {
            "group_by": self.group_by,
            "key": self.key,
            "counts": {s: self.counts.get(s, 0) for s in STATUSES},
            "applicable": self.applicable,
            "covered": self.covered,
            "percent": self.percent,
        }


def _key(row: TraceRow, group_by: GroupBy, csp_of: Mapping[str, str | None]) -> str | None:
    if group_by == "article":
        return str(row.article)
    if group_by == "arrangement":
        return row.subject
    return None if row.subject == COMPANY else csp_of.get(row.subject) or "?"


def coverage(rows: Iterable[TraceRow], group_by: GroupBy, csp_of: Mapping[str, str | None]) -> list[Coverage]:
    """Coverage per group, in a stable order (articles by number, others by key; the company first)."""
    counts: dict[str, Counter[str]] = {}
    for row in rows:
        if row.own_status is None:
            continue
        key = _key(row, group_by, csp_of)
        if key is not None:
            counts.setdefault(key, Counter())[row.own_status] += 1

    def order(key: str) -> tuple[int, int, str]:
        return (0, int(key), "") if group_by == "article" else (0 if key == COMPANY else 1, 0, key)

    return [Coverage(group_by, k, dict(counts[k])) for k in sorted(counts, key=order)]


def overall(rows: Iterable[TraceRow]) -> Coverage:
    """All obligations of all subjects together."""
    return Coverage("article", "all", dict(Counter(r.own_status for r in rows if r.own_status is not None)))
