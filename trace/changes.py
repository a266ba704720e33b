"""What changed between two dates: the obligations whose status on the later date differs from the earlier one.

Compared are the rows coverage counts (obligations: a leaf obligation's row, a lead-in's own duty), by their own
status, so the changes explain the difference between the two dates' coverage (regtrace.trace.trend). A row is
one obligation for one subject (the company or an arrangement). A subject whose arrangement had not started on
the earlier date has no status then (`from_status` null; its rows that do not apply are left out); a provision
no longer in the regulation in force on the later date has none then (`to_status` null). `cause` is why the row is what
it is on the later date (empty when it is covered: `reason` then says what covers it); `from_cause` is why it
was what it was on the earlier date (for a row now covered: what was resolved).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from regtrace.errors import InputError

from .model import RANK, Cause, TraceRow


@dataclass(frozen=True)
class Change:
    provision: str
    label: str
    article: int
    ordinal: int
    subject: str
    from_status: str | None
    to_status: str | None
    reason: str
    reason_zh: str
    cause: tuple[Cause, ...]
    from_cause: tuple[Cause, ...]

    @property
    def direction(self) -> str:
        """better or worse: toward covered (and not_applicable) or away from it; new for a row the earlier date's
        trace did not have (an arrangement not yet started), gone for one the later date's does not (a provision
        no longer in the regulation in force)."""
        if self.from_status is None:
            return "new"
        if self.to_status is None:
            return "gone"
        return "better" if RANK[self.to_status] > RANK[self.from_status] else "worse"

    @property
    def explanation(self) -> str:
        """The later date's reason and causes in words (zh-TW, English)."""
        return "; ".join([f"{self.reason_zh} {self.reason}", *(c.words for c in self.cause)])

    def to_json(self) -> dict[str, Any]:
        return {
            "provision": self.provision,
            "label": self.label,
            "article": self.article,
            "subject": self.subject,
            "from_status": self.from_status,
            "to_status": self.to_status,
            "direction": self.direction,
            "reason": self.reason,
            "reason_zh": self.reason_zh,
            "cause": [c.to_json() for c in self.cause],
            "from_cause": [c.to_json() for c in self.from_cause],
        }


def check_dates(start: dt.date, end: dt.date) -> None:
    if start > end:
        raise InputError(f"--from {start.isoformat()} is after --to {end.isoformat()}; give the earlier date first")


def changes(before: Iterable[TraceRow], after: Iterable[TraceRow]) -> list[Change]:
    """Obligations whose own status differs between the two traces, worst new status first, then document order,
    then subject."""
    earlier = {(r.provision, r.subject): r for r in before if r.own_status is not None}
    found = []
    after = list(after)
    for row in after:
        if row.own_status is None:
            continue
        old = earlier.get((row.provision, row.subject))
        if old.own_status == row.own_status if old else row.own_status == "not_applicable":
            continue  # unchanged, or a new subject's row that does not apply
        found.append(Change(row.provision, row.label, row.article, row.ordinal, row.subject,
                            old.own_status if old else None, row.own_status, row.reason_en, row.reason_zh,
                            row.cause, old.cause if old else ()))
    later = {(r.provision, r.subject) for r in after if r.own_status is not None}
    for key, old in earlier.items():
        if key not in later and old.own_status != "not_applicable":
            found.append(Change(old.provision, old.label, old.article, old.ordinal, old.subject, old.own_status,
                                None, "no longer in the regulation in force", "已非現行條文", (), old.cause))
    return sorted(found, key=lambda c: (RANK.get(c.to_status or "", len(RANK)), c.ordinal, c.subject))
