"""What a certificate carries: the trace rows whose status would drop if it lapsed (README "Trace semantics",
certificates as evidence). The trace is computed twice from the same inputs, with and without the certificate,
so the answer is exactly what the rules say on that day."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from regtrace.graph.port import Store

from regtrace.errors import NotFoundError

from . import fast
from .inputs import gather
from .model import RANK, TraceInputs
from .vocabulary import Status


@dataclass(frozen=True)
class ImpactRow:
    """A row (provision, subject) whose status is `status` with the certificate and `status_without` without it."""

    provision: str
    label: str
    subject: str
    status: Status
    status_without: Status

    def to_json(self) -> dict[str, Any]:
        return {"provision": self.provision, "subject": self.subject, "status": self.status,
                "status_without": self.status_without}


def impact(inputs: TraceInputs, certification_id: str) -> list[ImpactRow]:
    """The rows that are worse without the certificate, in the trace's order."""
    if all(c.certification_id != certification_id for c in inputs.certifications):
        known = ", ".join(sorted(c.certification_id for c in inputs.certifications)) or "none"
        raise NotFoundError(f"no certification {certification_id!r} in the certifications register; "
                            f"the certifications there are: {known}")
    without = replace(inputs, certifications=[c for c in inputs.certifications
                                              if c.certification_id != certification_id])
    after = {(r.provision, r.subject): r.status for r in fast.evaluate(without)}
    return [ImpactRow(r.provision, r.label, r.subject, r.status, after[(r.provision, r.subject)])
            for r in fast.evaluate(inputs)
            if (r.provision, r.subject) in after and RANK[after[(r.provision, r.subject)]] < RANK[r.status]]


def certificate_impact(store: Store, tenant: str, certification_id: str, as_of: dt.date) -> list[ImpactRow]:
    """`impact` on the tenant's registers as of a date (the tenant must exist: the caller checks)."""
    return impact(gather(store, tenant, as_of), certification_id)
