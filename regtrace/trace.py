"""Trace semantics: the status of every obligation for every subject (arrangement or company) as of a date.

The store does the heavy scans (evidence, contracts, audits) in Cypher and returns aggregates; the rules
below turn them into statuses. They are the same for every store, so every store gives the same answer.

Statuses, worst first: gap, unevidenced, stale, covered; and not_applicable. See README "Trace semantics".
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from regtrace.dates import months_before
from regtrace.graph.port import Row, Store

Status = Literal["gap", "unevidenced", "stale", "covered", "not_applicable"]
STATUSES: tuple[Status, ...] = ("gap", "unevidenced", "stale", "covered", "not_applicable")
RANK: dict[str, int] = {s: i for i, s in enumerate(STATUSES)}
MODALITY_RANK = {"shall": 0, "must_not": 1, "should": 2}
COMPANY = "company"
DEFAULT_FREQUENCY_MONTHS = 12
AUDIT_WINDOW_MONTHS = 12

REASONS: dict[str, tuple[str, str]] = {
    "conditions": ("適用條件不成立", "the provision's conditions do not all hold"),
    "contract_covered": ("有效契約已涵蓋此條款", "a contract in force lists the clause"),
    "contract_gap": ("無有效契約涵蓋此條款", "no contract in force lists the clause"),
    "audit_covered": ("十二個月內已辦理一般性及專案查核", "a general and a project audit in the last 12 months"),
    "audit_stale": ("十二個月內未同時辦理一般性及專案查核", "audits exist but not both kinds in the last 12 months"),
    "audit_gap": ("無查核紀錄", "no audit on record"),
    "no_control": ("無適用之控制措施", "no control applying to the subject satisfies it"),
    "no_evidence": ("控制措施無佐證資料", "controls exist but none has evidence for the subject"),
    "stale": ("佐證資料已逾期", "evidence exists but none is fresh"),
    "fresh": ("佐證資料有效", "fresh evidence"),
    "rollup": ("依下層條文彙總", "rolled up from the provisions below"),
}


@dataclass(frozen=True)
class TraceRow:
    """One provision for one subject, with what decides its status."""

    provision: str
    label: str
    article: int
    ordinal: int
    leaf: bool
    modality: str | None
    rule: str | None
    subject: str
    status: Status
    reason: str
    controls: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    contracts: tuple[str, ...] = ()
    audits: tuple[str, ...] = ()
    fresh_until: dt.date | None = None

    @property
    def reason_zh(self) -> str:
        return REASONS[self.reason][0]

    @property
    def reason_en(self) -> str:
        return REASONS[self.reason][1]

    def to_json(self) -> dict[str, Any]:
        return {
            "provision": self.provision,
            "label": self.label,
            "article": self.article,
            "leaf": self.leaf,
            "modality": self.modality,
            "rule": self.rule,
            "subject": self.subject,
            "status": self.status,
            "reason": self.reason_en,
            "reason_zh": self.reason_zh,
            "controls": list(self.controls),
            "evidence": list(self.evidence),
            "contracts": list(self.contracts),
            "audits": list(self.audits),
            "fresh_until": self.fresh_until.isoformat() if self.fresh_until else None,
        }


@dataclass(frozen=True)
class Arrangement:
    arrangement_id: str
    name: str
    csp_id: str | None
    facts: frozenset[str]
    material: bool


@dataclass
class _Evidence:
    """Evidence aggregates of one control for one subject."""

    count: int = 0
    latest: str | None = None  # "YYYY-MM-DD|evidence_id"
    latest_unexpired: str | None = None

    def add(self, row: Row) -> None:
        self.count += int(row["count"])
        self.latest = max(filter(None, (self.latest, row["latest"])), default=None)
        self.latest_unexpired = max(filter(None, (self.latest_unexpired, row["latest_unexpired"])), default=None)


@dataclass
class TraceInputs:
    """What the store returned for one tenant and date: small aggregates, not the graph."""

    as_of: dt.date
    provisions: list[Row]
    obligations: dict[str, Row]
    arrangements: list[Arrangement]
    controls: dict[str, list[Row]] = field(default_factory=dict)  # obligation_id -> control links
    # control_id -> arrangement_id (None: evidence with a blank arrangement) -> aggregates
    evidence: dict[str, dict[str | None, _Evidence]] = field(default_factory=dict)
    contracts: dict[tuple[str, str], list[str]] = field(default_factory=dict)  # (arrangement, obligation)
    audits: dict[str, list[Row]] = field(default_factory=dict)  # arrangement -> audits up to as_of


def active_arrangements(store: Store, tenant: str, as_of: dt.date) -> list[Arrangement]:
    """Arrangements in effect on the date: started on or before it and not ended before it."""
    csp_of = {
        r["source"]: r["target"]
        for r in store.links("PROVIDED_BY", "OutsourcingArrangement", "CloudServiceProvider", tenant)
    }
    result = []
    for row in store.nodes("OutsourcingArrangement", tenant):
        if row["start_date"] and row["start_date"] > as_of:
            continue
        if row["end_date"] and row["end_date"] < as_of:
            continue
        csp_uid = csp_of.get(row["uid"])
        result.append(
            Arrangement(
                row["arrangement_id"],
                row["name"],
                csp_uid.split("/", 1)[1] if csp_uid else None,
                frozenset(row["facts"] or ()),
                bool(row["material"]),
            )
        )
    return result


def gather(store: Store, tenant: str, as_of: dt.date) -> TraceInputs:
    """Ask the store for everything the rules need."""
    inputs = TraceInputs(
        as_of=as_of,
        provisions=sorted(store.nodes("Provision"), key=lambda r: r["ordinal"]),
        obligations={r["obligation_id"]: r for r in store.nodes("Obligation")},
        arrangements=active_arrangements(store, tenant, as_of),
    )
    for link in store.control_links(tenant):
        inputs.controls.setdefault(link["obligation_id"], []).append(link)
    for row in store.evidence_summary(tenant, as_of):
        per_control = inputs.evidence.setdefault(row["control_id"], {})
        per_control.setdefault(row["arrangement_id"], _Evidence()).add(row)
    for row in store.contract_clauses(tenant, as_of):
        inputs.contracts.setdefault((row["arrangement_id"], row["obligation_id"]), []).append(row["contract_id"])
    for row in store.audits_between(tenant, dt.date(1900, 1, 1), as_of):
        inputs.audits.setdefault(row["arrangement_id"], []).append(row)
    return inputs


def _stamp_date(stamp: str) -> dt.date:
    return dt.date.fromisoformat(stamp.split("|", 1)[0])


def _stamp_id(stamp: str) -> str:
    return stamp.split("|", 1)[1]


class _Rules:
    """The status rules applied to one tenant's inputs."""

    def __init__(self, inputs: TraceInputs) -> None:
        self.i = inputs

    def leaf(self, o: Row, provision: Row, subject: str, facts: frozenset[str] | None) -> TraceRow:
        base: dict[str, Any] = {
            "provision": o["obligation_id"],
            "label": provision["label"],
            "article": provision["article"],
            "ordinal": provision["ordinal"],
            "leaf": True,
            "modality": o["modality"],
            "rule": o["rule"],
            "subject": subject,
        }
        if facts is not None and not set(o["conditions"] or ()) <= facts:
            return TraceRow(**base, status="not_applicable", reason="conditions")
        if o["rule"] == "contract_clause" and subject != COMPANY:
            contracts = tuple(self.i.contracts.get((subject, o["obligation_id"]), ()))
            status: Status = "covered" if contracts else "gap"
            return TraceRow(**base, status=status, reason=f"contract_{status}", contracts=contracts)
        if o["rule"] == "audit_frequency" and subject != COMPANY:
            return self._audit(base, subject)
        return self._controls(base, o, subject)

    def _audit(self, base: dict[str, Any], subject: str) -> TraceRow:
        history = self.i.audits.get(subject, [])
        start = months_before(self.i.as_of, AUDIT_WINDOW_MONTHS)
        recent = [a for a in history if a["performed_on"] >= start]
        kinds = {a["kind"] for a in recent}
        ids = tuple(a["audit_id"] for a in recent)
        if {"general", "project"} <= kinds:
            return TraceRow(**base, status="covered", reason="audit_covered", audits=ids)
        if history:
            return TraceRow(**base, status="stale", reason="audit_stale", audits=ids)
        return TraceRow(**base, status="gap", reason="audit_gap")

    def _controls(self, base: dict[str, Any], o: Row, subject: str) -> TraceRow:
        links = [
            c
            for c in self.i.controls.get(o["obligation_id"], [])
            if subject == COMPANY or c["applies_to_all"] or subject in (c["applies_to"] or ())
        ]
        if not links:
            return TraceRow(**base, status="gap", reason="no_control")
        controls = tuple(sorted({c["control_id"] for c in links}))
        fresh_until: dt.date | None = None
        evidence: set[str] = set()
        any_evidence = False
        for link in links:
            agg = self._evidence_of(link["control_id"], subject)
            if not agg.count:
                continue
            any_evidence = True
            window = link["frequency_months"] or o["frequency_months"] or DEFAULT_FREQUENCY_MONTHS
            pick = agg.latest_unexpired or agg.latest
            assert pick is not None
            evidence.add(_stamp_id(pick))
            if agg.latest_unexpired:
                collected = _stamp_date(agg.latest_unexpired)
                if collected >= months_before(self.i.as_of, window):
                    until = _add_months(collected, window)
                    fresh_until = max(fresh_until or until, until)
        if not any_evidence:
            return TraceRow(**base, status="unevidenced", reason="no_evidence", controls=controls)
        status: Status = "covered" if fresh_until else "stale"
        return TraceRow(
            **base,
            status=status,
            reason="fresh" if fresh_until else "stale",
            controls=controls,
            evidence=tuple(sorted(evidence)),
            fresh_until=fresh_until,
        )

    def _evidence_of(self, control_id: str, subject: str) -> _Evidence:
        """Evidence of a control for a subject: the subject's own plus blank-arrangement evidence; for the
        company, all of the control's evidence."""
        total = _Evidence()
        for arrangement, agg in self.i.evidence.get(control_id, {}).items():
            if subject == COMPANY or arrangement in (None, subject):
                total.add({"count": agg.count, "latest": agg.latest, "latest_unexpired": agg.latest_unexpired})
        return total


def _add_months(day: dt.date, months: int) -> dt.date:
    return months_before(day, -months)


def evaluate(inputs: TraceInputs, arrangement: str | None = None) -> list[TraceRow]:
    """Statuses of every obligation for every subject, then rolled up to the provisions above them."""
    rules = _Rules(inputs)
    provisions = {p["provision_id"]: p for p in inputs.provisions}
    subjects = [a for a in inputs.arrangements if arrangement in (None, a.arrangement_id)]
    rows: list[TraceRow] = []
    for o in sorted(inputs.obligations.values(), key=lambda r: r["ordinal"]):
        provision = provisions[o["obligation_id"]]
        if o["falls_on"] == COMPANY:
            if arrangement is None:
                rows.append(rules.leaf(o, provision, COMPANY, None))
        else:
            rows.extend(rules.leaf(o, provision, a.arrangement_id, a.facts) for a in subjects)
    rows.extend(roll_up(rows, inputs.provisions))
    return sorted(rows, key=lambda r: (r.ordinal, r.subject != COMPANY, r.subject))


def roll_up(leaves: Sequence[TraceRow], provisions: Iterable[Row]) -> list[TraceRow]:
    """A provision with children is covered only when every applicable child is: its status is the worst
    status of the applicable obligations below it, per subject; not_applicable when none applies."""
    by_id = {p["provision_id"]: p for p in provisions}
    below: dict[tuple[str, str], list[TraceRow]] = defaultdict(list)
    for row in leaves:
        for ancestor in by_id[row.provision]["path"][:-1]:
            below[(ancestor, row.subject)].append(row)
    return [_parent_row(by_id[pid], subject, rows) for (pid, subject), rows in below.items()]


def _parent_row(p: Row, subject: str, rows: list[TraceRow]) -> TraceRow:
    applicable = [r for r in rows if r.status != "not_applicable"]
    status: Status = min((r.status for r in applicable), key=RANK.__getitem__) if applicable else "not_applicable"
    return TraceRow(
        provision=p["provision_id"],
        label=p["label"],
        article=p["article"],
        ordinal=p["ordinal"],
        leaf=False,
        modality=p["effective_modality"],
        rule=None,
        subject=subject,
        status=status,
        reason="rollup" if applicable else "conditions",
        controls=tuple(sorted({c for r in applicable for c in r.controls})),
        evidence=tuple(sorted({e for r in applicable for e in r.evidence})),
        contracts=tuple(sorted({c for r in applicable for c in r.contracts})),
        audits=tuple(sorted({a for r in applicable for a in r.audits})),
    )


def trace(store: Store, tenant: str, as_of: dt.date, arrangement: str | None = None) -> list[TraceRow]:
    """The full trace of one tenant as of a date (optionally one arrangement only)."""
    return evaluate(gather(store, tenant, as_of), arrangement)


def gaps(rows: Iterable[TraceRow], materiality: dict[str, bool] | None = None) -> list[TraceRow]:
    """Obligations not covered, worst first: status, then modality, then material arrangements, then order."""
    material = materiality or {}
    open_rows = [r for r in rows if r.leaf and r.status in ("gap", "unevidenced", "stale")]
    return sorted(
        open_rows,
        key=lambda r: (
            RANK[r.status],
            MODALITY_RANK.get(r.modality or "", 9),
            not material.get(r.subject, r.subject == COMPANY),
            r.ordinal,
            r.subject,
        ),
    )
