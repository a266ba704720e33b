"""What the executable obligations run against: one store, tenant and as-of date, traced once per run.

The step definitions (regtrace/bdd_steps.py) read the trace from here, so every scenario's outcome is the
trace's status for its obligation and subject: covered passes, not_applicable is skipped, the rest fail.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from functools import cached_property

from regtrace import labels
from regtrace.errors import ConfigError
from regtrace.graph.port import Row, Store
from regtrace.settings import current
from regtrace.trace import COMPANY, Arrangement, TraceInputs, TraceRow, evaluate, gather
from regtrace.trace.rules import ended_before, in_effect

DEFAULT_TENANT = "default"


def parse_day(value: str | None) -> dt.date:
    """An ISO date (2026-11-29); today when not given."""
    if not value:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"as-of date {value!r} is not an ISO date (2026-11-29)") from None


@dataclass
class CheckContext:
    """The store, tenant and date of a run, with the trace computed on first use."""

    tenant: str
    as_of: dt.date
    location: str | None = None
    given: Store | None = None  # an open store lent by the caller: never closed here
    _opened: Store | None = field(default=None, init=False, repr=False)

    @classmethod
    def from_env(cls, store: str | None = None, tenant: str | None = None, as_of: str | None = None) -> CheckContext:
        """Options first, then REGTRACE_STORE, REGTRACE_TENANT and REGTRACE_AS_OF, then the CLI defaults."""
        from regtrace.stores import store_location

        settings = current()
        return cls(tenant or settings.tenant, parse_day(as_of or settings.as_of), store_location(store))

    @property
    def store(self) -> Store:
        if self.given is not None:
            return self.given
        if self._opened is None:
            from regtrace.stores import open_store, store_location

            self._opened = open_store(store_location(self.location))
        return self._opened

    def close(self) -> None:
        """Close the store if this context opened it."""
        if self._opened is not None:
            self._opened.close()
            self._opened = None

    @cached_property
    def inputs(self) -> TraceInputs:
        return gather(self.store, self.tenant, self.as_of)

    @cached_property
    def rows(self) -> dict[tuple[str, str], TraceRow]:
        """The trace's obligation rows by (obligation id, subject); a lead-in's status is its own duty's."""
        return {(r.provision, r.subject): replace(r, status=r.own_status)
                for r in evaluate(self.inputs) if r.own_status is not None}

    @cached_property
    def arrangements(self) -> dict[str, Arrangement]:
        """The arrangements that are subjects on the date (in effect, or ended before it: the deletion duty), by id."""
        return {a.arrangement_id: a for a in self.inputs.arrangements
                if in_effect(a, self.as_of) or ended_before(a, self.as_of)}

    @property
    def obligations(self) -> dict[str, Row]:
        return self.inputs.obligations

    @cached_property
    def provisions(self) -> dict[str, Row]:
        return {p["provision_id"]: p for p in self.inputs.provisions}


def subject_name(subject: str) -> str:
    return labels.both(labels.SUBJECT_COMPANY) if subject == COMPANY else subject


def _listing(values: tuple[str, ...]) -> str:
    return ", ".join(values) if values else "無 none"


def not_applicable_message(row: TraceRow, arrangement: Arrangement | None, conditions: list[str]) -> str:
    """Why the obligation does not apply: the conditions the arrangement does not meet."""
    missing = [c for c in conditions if arrangement is None or c not in arrangement.facts]
    facts = "、".join(labels.fact(c) for c in missing) or "—"
    return (f"{labels.status(row.status)} — {row.reason_zh} ({row.reason_en}): {row.provision} {row.label} "
            f"對 {subject_name(row.subject)} 不成立之條件 conditions not met: {facts}")


def failure_message(row: TraceRow) -> str:
    """A failing obligation: status, reason (zh + en), controls, evidence, contracts and audits."""
    lines = [
        f"{labels.status(row.status)} — {row.reason_zh} ({row.reason_en})",
        f"義務 obligation: {row.provision} {row.label}（{labels.modality(row.modality)}）；"
        f"對象 subject: {subject_name(row.subject)}",
        f"控制措施 controls: {_listing(row.controls)}",
        f"佐證資料 evidence: {_listing(row.evidence)}",
    ]
    if row.rule == "contract_clause" or row.contracts:  # a lead-in's row carries its children's too
        lines.append(f"契約 contracts: {_listing(row.contracts)}")
    if row.rule == "audit_frequency" or row.audits:
        lines.append(f"查核 audits: {_listing(row.audits)}")
    lines += [f"原因 cause: {c.words}" for c in row.cause]
    return "\n".join(lines)
