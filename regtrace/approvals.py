"""The FSC's prior approval (issue 10 point 8): which arrangements in effect on a date need it, and whether one
is on record.

An arrangement needs the FSC's prior approval when the derived fact `material_npd_offshore_system` holds for it
(a material system holding natural-person customer data processed offshore — the same rule the trace uses,
regtrace.trace.facts). It has one on record when an approval of kind fsc_approval for it was decided on or
before its start_date and is still valid on the date (no valid_until, or valid_until on or after it). An
approval decided after the start is listed as late, never as the approval.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from regtrace.graph.port import Row, Store
from regtrace.trace.facts import material_npd_offshore_system
from regtrace.trace.inputs import active_arrangements, systems

FSC_APPROVAL = "fsc_approval"


@dataclass(frozen=True)
class ApprovalCheck:
    """One arrangement in effect on the date and its FSC approval."""

    arrangement: str
    name: str
    start_date: dt.date | None
    needs_fsc_approval: bool
    approval: str | None  # the fsc_approval decided on or before start_date, still valid on the date
    reference: str | None  # its 文號
    decided_on: dt.date | None
    late: tuple[str, ...]  # fsc_approvals for it decided after start_date

    @property
    def ok(self) -> bool:
        return not self.needs_fsc_approval or self.approval is not None

    def to_json(self) -> dict[str, Any]:
        return {"arrangement": self.arrangement, "name": self.name,
                "start_date": self.start_date.isoformat() if self.start_date else None,
                "needs_fsc_approval": self.needs_fsc_approval, "approval": self.approval,
                "reference": self.reference, "decided_on": self.decided_on.isoformat() if self.decided_on else None,
                "late_approvals": list(self.late), "ok": self.ok}


def _prior(approvals: list[Row], start: dt.date | None, as_of: dt.date) -> Row | None:
    """The latest fsc_approval decided on or before `start` and valid on `as_of` (ties: the greatest id)."""
    if start is None:
        return None
    found = [a for a in approvals
             if a["decided_on"] <= start and (a["valid_until"] is None or a["valid_until"] >= as_of)]
    return max(found, key=lambda a: (a["decided_on"], a["approval_id"]), default=None)


def fsc_approvals(store: Store, tenant: str, as_of: dt.date) -> list[ApprovalCheck]:
    """Every arrangement in effect on `as_of`, in id order, with whether it needs the FSC's prior approval and
    the approval on record."""
    by_arrangement: dict[str, list[Row]] = {}
    for row in store.approvals(tenant):
        if row["kind"] == FSC_APPROVAL and row["arrangement_id"] is not None:
            by_arrangement.setdefault(row["arrangement_id"], []).append(row)
    known_systems = systems(store, tenant)
    result = []
    for a in sorted(active_arrangements(store, tenant, as_of), key=lambda a: a.arrangement_id):
        mine = by_arrangement.get(a.arrangement_id, [])
        prior = _prior(mine, a.start_date, as_of)
        late = tuple(sorted(r["approval_id"] for r in mine
                            if a.start_date is not None and a.start_date < r["decided_on"] <= as_of))
        result.append(ApprovalCheck(
            a.arrangement_id, a.name, a.start_date, material_npd_offshore_system(a, known_systems),
            prior["approval_id"] if prior else None, prior["reference"] if prior else None,
            prior["decided_on"] if prior else None, late))
    return result


def missing_count(checks: list[ApprovalCheck]) -> int:
    """How many arrangements need the FSC's prior approval and have none on record."""
    return sum(1 for c in checks if not c.ok)
