"""CSP due diligence (Art. 5) and audit follow-up (Art. 9): certification validity and finding remediation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from regtrace.graph.port import Store
from regtrace.graph.schema import node_key

EXPIRING_DAYS = 90
CertStatus = Literal["valid", "expiring", "expired", "not_yet_valid"]
FindingState = Literal["open", "overdue", "closed"]


@dataclass(frozen=True)
class CertificationState:
    certification_id: str
    csp_id: str
    standard: str
    scope: str | None
    valid_from: dt.date | None
    valid_until: dt.date
    status: CertStatus
    days_left: int

    def to_json(self) -> dict[str, Any]:
        return {**self.__dict__, "valid_from": _iso(self.valid_from), "valid_until": _iso(self.valid_until)}


@dataclass(frozen=True)
class FindingStateRow:
    finding_id: str
    audit_id: str
    arrangement_id: str
    severity: str
    state: FindingState
    due_on: dt.date | None
    closed_on: dt.date | None
    days_overdue: int

    def to_json(self) -> dict[str, Any]:
        return {**self.__dict__, "due_on": _iso(self.due_on), "closed_on": _iso(self.closed_on)}


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def certification_status(
    valid_from: dt.date | None, valid_until: dt.date, as_of: dt.date, expiring_days: int = EXPIRING_DAYS
) -> CertStatus:
    """valid, expiring (within `expiring_days`), expired (after valid_until) or not yet valid."""
    if valid_from and valid_from > as_of:
        return "not_yet_valid"
    if valid_until < as_of:
        return "expired"
    return "expiring" if (valid_until - as_of).days <= expiring_days else "valid"


def certifications(
    store: Store, tenant: str, as_of: dt.date, expiring_days: int = EXPIRING_DAYS
) -> list[CertificationState]:
    """Every certification of the tenant's CSPs with its validity on the date, soonest expiry first."""
    held = {r["source"]: r["target"] for r in store.links("HELD_BY", tenant)}
    result = [
        CertificationState(
            r["certification_id"],
            node_key(tenant, held[r["uid"]]),
            r["standard"],
            r["scope"],
            r["valid_from"],
            r["valid_until"],
            certification_status(r["valid_from"], r["valid_until"], as_of, expiring_days),
            (r["valid_until"] - as_of).days,
        )
        for r in store.nodes("Certification", tenant)
    ]
    return sorted(result, key=lambda c: (c.valid_until, c.certification_id))


def findings(store: Store, tenant: str, as_of: dt.date) -> list[FindingStateRow]:
    """Every finding with its remediation state on the date: overdue (open past due), open or closed."""
    audit_of = {r["source"]: r["target"] for r in store.links("RAISED_IN", tenant)}
    arrangement_of = {
        r["source"]: r["target"] for r in store.links("AUDITS", tenant)
    }
    result = []
    for r in store.nodes("Finding", tenant):
        closed = r["status"] == "closed" and (r["closed_on"] is None or r["closed_on"] <= as_of)
        overdue = not closed and r["due_on"] is not None and r["due_on"] < as_of
        state: FindingState = "closed" if closed else "overdue" if overdue else "open"
        audit_uid = audit_of[r["uid"]]
        result.append(
            FindingStateRow(
                r["finding_id"],
                node_key(tenant, audit_uid),
                node_key(tenant, arrangement_of[audit_uid]),
                r["severity"],
                state,
                r["due_on"],
                r["closed_on"],
                (as_of - r["due_on"]).days if overdue and r["due_on"] else 0,
            )
        )
    order = {"overdue": 0, "open": 1, "closed": 2}
    return sorted(result, key=lambda f: (order[f.state], -f.days_overdue, f.finding_id))
