"""The trace: the status of every obligation for every subject (the company, each arrangement) as of a date.

A newcomer reads, in this order: `rules` (README "Trace semantics", plainly: the specification),
`conditions` and `facts` (when a provision applies), `model` (inputs and rows), `inputs` (what is read from a
store), `fast` (the same rows, faster: what `trace` runs), `coverage` and `due_diligence` (what is built on
the rows and on the registers).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from regtrace.graph.port import Store

from . import fast
from .inputs import active_arrangements, gather
from .model import (
    COMPANY,
    MODALITY_RANK,
    RANK,
    REASONS,
    STATUSES,
    Arrangement,
    Cause,
    TraceInputs,
    TraceRow,
)
from .vocabulary import CauseKind, Status

__all__ = [
    "COMPANY", "MODALITY_RANK", "RANK", "REASONS", "STATUSES", "Arrangement", "Cause", "CauseKind", "Status",
    "TraceInputs", "TraceRow", "active_arrangements", "evaluate", "gaps", "gather", "trace",
]


def evaluate(inputs: TraceInputs, arrangement: str | None = None) -> list[TraceRow]:
    """The rows of the plain rules (regtrace.trace.rules), computed by the fast path."""
    return fast.evaluate(inputs, arrangement)


def trace(store: Store, tenant: str, as_of: dt.date, arrangement: str | None = None, *,
          version: str | None = None) -> list[TraceRow]:
    """The full trace of one tenant as of a date (optionally one arrangement only), against the regulation version
    in force that day, or against the stored version labelled `version`."""
    return evaluate(gather(store, tenant, as_of, version), arrangement)


def gaps(rows: Iterable[TraceRow], materiality: dict[str, bool] | None = None) -> list[TraceRow]:
    """Obligations not covered (their own duty, for a lead-in), worst first: status, then modality, then
    material arrangements before others, then document order."""
    material = materiality or {}
    open_rows = [r for r in rows if r.own_status in ("gap", "unevidenced", "stale")]
    return sorted(
        open_rows,
        key=lambda r: (
            RANK[r.own_status or r.status],
            MODALITY_RANK.get(r.modality or "", 9),
            not material.get(r.subject, r.subject == COMPANY),
            r.ordinal,
            r.subject,
        ),
    )
