"""The trace's findings grouped by root cause: one expired contract behind seven gaps is one cause, not seven.

Each obligation not covered names its causes (`TraceRow.cause`); rows whose cause is the same thing — the same
expired contract, the same lapsed evidence stream, the same overdue finding, the same obligation without a
control, the same arrangement without an audit — form one group. A row with several causes (an overdue finding
on a stale obligation) is listed under each. Groups come worst first: by the worst status among their rows,
then by how many obligations they hold, then by the cause's kind and what it names. A cause's status is the one
it makes (a lapsed evidence stream: stale; controls without evidence: unevidenced; the rest: gap), not the worst
of its rows: a stale row that an overdue finding makes a gap does not make the lapsed evidence a gap.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from regtrace.trace import TraceRow
from regtrace.trace.model import RANK, Cause

from regtrace import labels

# The detail that identifies the thing at fault, per cause kind (the rest of the details describe it).
IDENTITY: dict[str, tuple[str, ...]] = {
    "no_control": ("obligation",),
    "no_evidence": ("controls",),
    "evidence_lapsed": ("evidence",),
    "no_contract": ("arrangement",),
    "contract_expired": ("contract",),
    "audit_missing": ("arrangement",),
    "audit_incomplete": ("missing", "window_start"),
    "finding_overdue": ("finding",),
    "no_deletion_record": ("arrangement",),
    "conditions_unmet": ("conditions",),
}
MAKES = {"evidence_lapsed": "stale", "audit_incomplete": "stale", "no_evidence": "unevidenced",
         "conditions_unmet": "not_applicable"}  # the status each cause makes (the others: gap)
SUBJECT_BOUND = frozenset({"no_evidence", "audit_incomplete"})  # the same details on two subjects: two causes


@dataclass
class RootCause:
    kind: str
    details: dict[str, Any]
    rows: list[TraceRow] = field(default_factory=list)

    @property
    def status(self) -> str:
        """The status this cause makes."""
        return MAKES.get(self.kind, "gap")

    @property
    def words(self) -> str:
        """'涵蓋此條款之契約已到期 the contract that listed the clause has expired'"""
        return labels.both(labels.CAUSE[self.kind])

    @property
    def subjects(self) -> list[str]:
        return sorted({r.subject for r in self.rows})


def _identity(row: TraceRow, c: Cause) -> tuple[Any, ...]:
    details = dict(c.details)
    key = tuple(str(details.get(k)) for k in IDENTITY.get(c.kind, tuple(details)))
    return (c.kind, *key, row.subject if c.kind in SUBJECT_BOUND else "")


def group(gaps: list[TraceRow]) -> list[RootCause]:
    """The rows not covered (as `gaps` orders them) grouped by root cause, worst group first."""
    found: dict[tuple[Any, ...], RootCause] = {}
    listed: set[tuple[tuple[Any, ...], int]] = set()
    for row in gaps:
        for c in row.cause or ():
            key = _identity(row, c)
            if key not in found:
                found[key] = RootCause(c.kind, {k: v for k, v in c.details if v not in (None, (), [])})
            if (key, id(row)) not in listed:
                listed.add((key, id(row)))
                found[key].rows.append(row)
    order = {k: i for i, k in enumerate(labels.CAUSE)}
    return sorted(found.values(), key=lambda g: (RANK[g.status], -len(g.rows), order.get(g.kind, 99),
                                                 sorted(str(v) for v in g.details.values())))
