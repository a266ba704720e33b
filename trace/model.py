"""What the trace reads and what it returns: the inputs of one tenant on one date, and the rows.

The inputs are plain values (no store, no graph), so the rules can be read, and tested, on hand-made data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, field, fields
from functools import cached_property
from typing import Any

from regtrace.graph.port import Row

from .vocabulary import CauseKind, Status, cause_labels, status_labels, statuses

STATUSES: tuple[Status, ...] = statuses()  # type: ignore[assignment]
RANK: dict[str, int] = {s: i for i, s in enumerate(STATUSES)}
MODALITY_RANK = {"shall": 0, "must_not": 1, "should": 2}
COMPANY = "company"
DEFAULT_FREQUENCY_MONTHS = 12
AUDIT_WINDOW_MONTHS = 12
FINDINGS_DEFAULT_PROVISION = "A9.P1.I3"  # 「針對查核時所發現的缺失項目，應追蹤改善情況」
DELETION_PROVISION = "A10.P1.I6.S2"  # 「契約終止或系統移轉時，刪除留存於雲端服務之資料，並留存刪除或銷毀之紀錄」

# The reason a row's status was decided, zh-TW and English (the causes of rows not covered are richer: `cause`).
REASONS: dict[str, tuple[str, str]] = {
    "conditions": ("適用條件不成立", "the provision's conditions do not all hold"),
    "contract_covered": ("有效契約已涵蓋此條款", "a contract in force lists the clause"),
    "contract_gap": ("無有效契約涵蓋此條款", "no contract in force lists the clause"),
    "audit_covered": ("十二個月內已辦理一般性及專案查核", "a general and a project audit in the last 12 months"),
    "audit_stale": ("十二個月內未同時辦理一般性及專案查核", "audits exist but not both kinds in the last 12 months"),
    "audit_gap": ("無查核紀錄", "no audit on record"),
    "no_control": ("無適用之控制措施", "no control applying to the subject satisfies it"),
    "no_evidence": ("控制措施無佐證資料", "controls exist but none has evidence for the subject"),
    "stale": ("佐證資料已過時", "evidence exists but none is fresh"),
    "fresh": ("佐證資料有效", "fresh evidence"),
    "rollup": ("依下層條文彙總", "rolled up from the provisions below"),
    "lead_in": ("本身義務及下層條文彙總", "its own duty and the provisions below"),
    "finding_overdue": ("查核缺失逾期未改善", "an audit finding is open past its due date"),
    "deletion_record": ("委外終止後已留存刪除紀錄", "a deletion record collected on or after the end date"),
    "certified": ("雲端服務業者之有效驗證為佐證", "a valid certificate of the CSP is the evidence"),
    "no_deletion_record": ("委外已終止，無資料刪除紀錄", "ended, no deletion record"),
}


@dataclass(frozen=True)
class Cause:
    """Why a row is not covered (or, for not_applicable, which conditions do not hold): a kind and what is
    involved (ids and dates), in JSON-ready values."""

    kind: CauseKind
    details: tuple[tuple[str, Any], ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, **{k: _json(v) for k, v in self.details}}

    @property
    def words(self) -> str:
        zh, en = cause_labels()[self.kind]
        shown = ", ".join(f"{k} {_text(v)}" for k, v in self.details if v not in (None, (), []))
        return f"{zh} {en}" + (f" ({shown})" if shown else "")


def cause(kind: CauseKind, **details: Any) -> Cause:
    return Cause(kind, tuple(details.items()))


def _json(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_json(v) for v in value]
    return value


def _text(value: Any) -> str:
    if isinstance(value, tuple | list):
        return "; ".join(_text(v) for v in value)
    return value.isoformat() if isinstance(value, dt.date) else str(value)


@dataclass(frozen=True, order=True)
class Via:
    """A certificate (`kind` certification) or a control (`kind` control) that reached a provision through a
    reviewed mapping to the target control `target` (FRAMEWORK:ID)."""

    kind: str
    id: str
    target: str

    def to_json(self) -> dict[str, str]:
        return {self.kind: self.id, "target": self.target}

    @property
    def words(self) -> str:
        return f"{self.id} → {self.target}"


@dataclass(frozen=True)
class TraceRow:
    """One provision for one subject, with what decides its status.

    A lead-in (a provision that is an obligation itself and a parent) has `own_status` (its own duty) and
    `children_status` (the roll-up of the provisions below); other parents have only `children_status`,
    leaves only `own_status`; `status` is the worst of the two.
    """

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
    cause: tuple[Cause, ...] = ()
    own_status: Status | None = None
    children_status: Status | None = None
    references_not_in_force: tuple[str, ...] = ()
    open_findings: tuple[str, ...] = ()  # open findings not yet due that cite it: named, status unchanged
    warnings: tuple[str, ...] = ()  # what an examiner should see beside a status that stands (zh-TW, English)
    certifications: tuple[str, ...] = ()  # the CSP's certificates counted as evidence (valid on D, in scope)
    mapped_via: tuple[Via, ...] = ()  # how a certificate or a control naming a target id reached the provision

    @property
    def obligation(self) -> bool:
        """Whether the row carries an obligation's own duty (a leaf obligation or a lead-in): what coverage and
        gaps count, by `own_status`."""
        return self.own_status is not None

    @property
    def reason_zh(self) -> str:
        return REASONS[self.reason][0]

    @property
    def reason_en(self) -> str:
        return REASONS[self.reason][1]

    @property
    def status_words(self) -> str:
        zh, en = status_labels()[self.status]
        return f"{zh} {en}"

    @property
    def explanation(self) -> str:
        """The reason, then each cause in words (and the open findings not yet due), for tables and exports."""
        parts = [f"{self.reason_zh} {self.reason_en}", *(c.words for c in self.cause)]
        if self.open_findings:
            parts.append(f"未逾期之查核缺失 open findings not yet due: {', '.join(self.open_findings)}")
        parts.extend(self.warnings)
        if self.mapped_via:
            parts.append("經對照 via crosswalk: " + ", ".join(v.words for v in self.mapped_via))
        if self.references_not_in_force:
            cited = ", ".join(self.references_not_in_force)
            parts.append(f"引用之法規已非有效 cites instruments not in force: {cited}")
        return "; ".join(parts)

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
            "own_status": self.own_status,
            "children_status": self.children_status,
            "reason": self.reason_en,
            "reason_zh": self.reason_zh,
            "cause": [c.to_json() for c in self.cause],
            "controls": list(self.controls),
            "evidence": list(self.evidence),
            "contracts": list(self.contracts),
            "audits": list(self.audits),
            "fresh_until": self.fresh_until.isoformat() if self.fresh_until else None,
            "references_not_in_force": list(self.references_not_in_force),
            "open_findings": list(self.open_findings),
            "warnings": list(self.warnings),
            "certifications": list(self.certifications),
            "mapped_via": [v.to_json() for v in self.mapped_via],
        }


_ROW_DEFAULTS = {f.name: f.default for f in fields(TraceRow) if f.default is not MISSING}


def trace_row(values: Mapping[str, Any]) -> TraceRow:
    """TraceRow(**values) without the frozen dataclass's per-field checks (a large trace makes tens of
    thousands): the defaults, then `values`, set at once, so the row equals, hashes and prints as the
    constructor's. `values` must name only TraceRow's fields, every field without a default among them."""
    return template_row(row_template(values))


def row_template(values: Mapping[str, Any]) -> dict[str, Any]:
    """The defaults with `values` over them, for `template_row`."""
    return {**_ROW_DEFAULTS, **values}


def template_row(template: Mapping[str, Any]) -> TraceRow:
    """trace_row of the values `row_template` was given (one update fewer: for rows made by the thousand from
    one template)."""
    row: TraceRow = object.__new__(TraceRow)
    row.__dict__.update(template)
    return row


@dataclass(frozen=True)
class Arrangement:
    arrangement_id: str
    name: str
    csp_id: str | None
    facts: frozenset[str]  # the register's flags that hold (self_managed for IaaS and PaaS)
    material: bool
    start_date: dt.date | None = None
    end_date: dt.date | None = None


@dataclass(frozen=True)
class System:
    """A system of an arrangement; the three columns are None where the register leaves them out."""

    system_id: str
    arrangement_id: str
    material: bool | None = None
    natural_person_data: bool | None = None
    data_locations: tuple[str, ...] | None = None

    @property
    def describes_materiality(self) -> bool:
        return self.material is not None or self.natural_person_data is not None or self.data_locations is not None


@dataclass(frozen=True)
class Contract:
    contract_id: str
    arrangement_id: str
    signed_on: dt.date | None
    expires_on: dt.date | None
    clauses: frozenset[str]  # obligation ids


@dataclass(frozen=True)
class Audit:
    audit_id: str
    arrangement_id: str
    kind: str
    performed_on: dt.date
    independent: bool


@dataclass(frozen=True)
class Finding:
    finding_id: str
    audit_id: str
    severity: str
    status: str
    due_on: dt.date | None
    closed_on: dt.date | None
    provisions: tuple[str, ...] = ()  # provision ids cited; () means A9.P1.I3


@dataclass(frozen=True)
class Approval:
    approval_id: str
    arrangement_id: str | None  # None: the company
    kind: str
    decided_on: dt.date
    valid_until: dt.date | None
    provisions: tuple[str, ...]  # provision ids cited


@dataclass(frozen=True)
class Certification:
    """A CSP's certificate: its standard, validity and the arrangements its scope covers (`scope_all`: every
    arrangement of the CSP, `*`; neither: no claim, so it covers none)."""

    certification_id: str
    csp_id: str
    standard: str
    valid_from: dt.date | None
    valid_until: dt.date
    scope_all: bool = False
    scope: frozenset[str] = frozenset()


@dataclass
class EvidenceSummary:
    """Evidence of one control for one arrangement (None: blank arrangement) collected on or before the date:
    how many, the newest ("YYYY-MM-DD|evidence_id") and the newest not past its valid_until."""

    count: int = 0
    latest: str | None = None
    latest_unexpired: str | None = None

    def add(self, row: Mapping[str, Any]) -> None:
        """Count a store row of the same columns in."""
        total = self.plus(EvidenceSummary(int(row["count"]), row["latest"], row["latest_unexpired"]))
        self.count, self.latest, self.latest_unexpired = total.count, total.latest, total.latest_unexpired

    def plus(self, other: EvidenceSummary) -> EvidenceSummary:
        """Both summaries' evidence together (neither is changed)."""
        return EvidenceSummary(self.count + other.count, _newest(self.latest, other.latest),
                               _newest(self.latest_unexpired, other.latest_unexpired))


def _newest(a: str | None, b: str | None) -> str | None:
    """The later of two "YYYY-MM-DD|evidence_id" stamps, either of them None (compared without making a
    sequence of them: a large trace adds summaries by the ten thousand)."""
    if not a or not b:
        return a or b or None
    return max(a, b)


@dataclass
class TraceInputs:
    """Everything the rules read for one tenant and date."""

    as_of: dt.date
    provisions: list[Row]  # in document order
    obligations: dict[str, Row]
    arrangements: list[Arrangement]  # started on or before as_of (ended ones too)
    company_facts: frozenset[str] = frozenset()
    systems: list[System] = field(default_factory=list)
    controls: dict[str, list[Row]] = field(default_factory=dict)  # obligation_id -> control links
    evidence: dict[str, dict[str | None, EvidenceSummary]] = field(default_factory=dict)
    evidence_valid_until: dict[str, dt.date | None] = field(default_factory=dict)  # of each newest evidence id
    contracts: list[Contract] = field(default_factory=list)
    audits: list[Audit] = field(default_factory=list)  # performed on or before as_of
    findings: list[Finding] = field(default_factory=list)
    approvals: list[Approval] = field(default_factory=list)
    references: dict[str, tuple[str, ...]] = field(default_factory=dict)  # provision id -> instrument ids cited
    successors: dict[str, str] = field(default_factory=dict)  # instrument id -> the instrument superseding it
    instruments: dict[str, Row] = field(default_factory=dict)
    version: Row | None = None  # the regulation version in force on as_of (regtrace.versions.Version.to_json)
    certifications: list[Certification] = field(default_factory=list)
    certified_frameworks: dict[str, str] = field(default_factory=dict)  # register standard -> framework id
    proving: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)  # (framework, provision) -> refs

    @cached_property
    def paths(self) -> dict[str, tuple[str, ...]]:
        """Each provision id -> the ids from its article down to it."""
        return {p["provision_id"]: tuple(p["path"]) for p in self.provisions}

    @cached_property
    def csp_meetable(self) -> frozenset[str]:
        """The provisions whose duty a CSP can meet (curated, ontology/crosswalks/csp_meetable.toml)."""
        return frozenset(p["provision_id"] for p in self.provisions if p.get("csp_meetable") is True)
