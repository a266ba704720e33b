"""Trace semantics: the status of every obligation for every subject (arrangement or company) as of a date.

The store does the heavy scans (evidence, contracts, audits) in Cypher and returns aggregates; the rules
below turn them into statuses. They are the same for every store, so every store gives the same answer.

Statuses, worst first: gap, unevidenced, stale, covered; and not_applicable. See README "Trace semantics".
"""

from __future__ import annotations

import bisect
import datetime as dt
import gc
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
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


# What one control's evidence shows for one subject under one window: (picked evidence id or None when the
# control has no evidence for the subject, fresh until or None when nothing is fresh).
_Found = tuple[str | None, dt.date | None]


class _Combined:
    """What a set of control links shows for one obligation and subject: the controls, whether any has
    evidence, the evidence picked (one per control: its newest unexpired, else its newest) and how long the
    freshest keeps the obligation covered. The sorted tuples are made once and shared by every subject
    whose combination is the same. A combination made from another (`extend`) remembers it and what it
    added, which lets the roll-up merge instead of sorting again (`_Unions`)."""

    __slots__ = ("_controls", "_evidence", "added_controls", "added_evidence", "any_evidence", "base",
                 "control_ids", "evidence_ids", "fresh_until")

    def __init__(self) -> None:
        self.control_ids: set[str] = set()
        self.evidence_ids: set[str] = set()
        self.any_evidence = False
        self.fresh_until: dt.date | None = None
        self.base: _Combined | None = None
        self.added_controls: set[str] = set()
        self.added_evidence: set[str] = set()
        self._controls: tuple[str, ...] | None = None
        self._evidence: tuple[str, ...] | None = None

    def extend(self) -> _Combined:
        """A new combination holding this one's links, to which a subject's own are added."""
        other = _Combined()
        other.control_ids = set(self.control_ids)
        other.evidence_ids = set(self.evidence_ids)
        other.any_evidence = self.any_evidence
        other.fresh_until = self.fresh_until
        other.base = self
        return other

    def add(self, control_id: str, found: _Found) -> None:
        self.control_ids.add(control_id)
        if self.base is not None:
            self.added_controls.add(control_id)
        evidence_id, until = found
        if evidence_id is None:
            return
        self.any_evidence = True
        self.evidence_ids.add(evidence_id)
        if self.base is not None:
            self.added_evidence.add(evidence_id)
        if until is not None:
            self.fresh_until = max(self.fresh_until or until, until)

    @property
    def controls(self) -> tuple[str, ...]:
        if self._controls is None:
            self._controls = tuple(sorted(self.control_ids))
        return self._controls

    @property
    def evidence(self) -> tuple[str, ...]:
        if self._evidence is None:
            self._evidence = tuple(sorted(self.evidence_ids))
        return self._evidence


@dataclass
class _Plan:
    """The control links of one arrangement obligation, arranged so that each arrangement costs only what
    differs for it: `shared` combines the links that apply to every arrangement and whose controls have no
    arrangement's own evidence (the same for every arrangement); `varying` are the other links that apply
    to every arrangement; `named` the links of the arrangements a control names."""

    shared: _Combined
    varying: list[tuple[str, int]]  # (control_id, window)
    named: dict[str, list[tuple[str, int]]]


class _Rules:
    """The status rules applied to one tenant's inputs.

    A control link's result for a subject depends only on the control, the window and which evidence
    counts (the company: all of it; an arrangement: blank-arrangement evidence plus its own), so results
    are computed once per (control, evidence key, window) and the links of an obligation are arranged once
    (`_Plan`); a subject then costs a lookup per link that differs for it."""

    def __init__(self, inputs: TraceInputs) -> None:
        self.i = inputs
        self._window_starts: dict[int, dt.date] = {}
        self._found: dict[tuple[str, str | None, int], _Found] = {}
        self._plans: dict[str, _Plan] = {}
        self._conditions: dict[str, frozenset[str]] = {}
        # id of a tuple of a row made by extending a shared combination -> (the shared one's tuple, what was
        # added); the rows and combinations hold every tuple named here while the roll-up runs
        self.derived: dict[int, tuple[tuple[str, ...], set[str]]] = {}

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
        if facts is not None and not self._conditions_of(o) <= facts:
            return TraceRow(**base, status="not_applicable", reason="conditions")
        if o["rule"] == "contract_clause" and subject != COMPANY:
            contracts = tuple(self.i.contracts.get((subject, o["obligation_id"]), ()))
            status: Status = "covered" if contracts else "gap"
            return TraceRow(**base, status=status, reason=f"contract_{status}", contracts=contracts)
        if o["rule"] == "audit_frequency" and subject != COMPANY:
            return self._audit(base, subject)
        return self._controls(base, o, subject)

    def _conditions_of(self, o: Row) -> frozenset[str]:
        oid = o["obligation_id"]
        if oid not in self._conditions:
            self._conditions[oid] = frozenset(o["conditions"] or ())
        return self._conditions[oid]

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
        combined = self._company(o) if subject == COMPANY else self._arrangement(o, subject)
        if combined is None:
            return TraceRow(**base, status="gap", reason="no_control")
        if combined.base is not None:  # how its tuples were made, for the roll-up
            for made, shared, added in ((combined.controls, combined.base.controls, combined.added_controls),
                                        (combined.evidence, combined.base.evidence, combined.added_evidence)):
                if made:
                    self.derived[id(made)] = (shared, added)
        if not combined.any_evidence:
            return TraceRow(**base, status="unevidenced", reason="no_evidence", controls=combined.controls)
        fresh_until = combined.fresh_until
        status: Status = "covered" if fresh_until else "stale"
        return TraceRow(
            **base,
            status=status,
            reason="fresh" if fresh_until else "stale",
            controls=combined.controls,
            evidence=combined.evidence,
            fresh_until=fresh_until,
        )

    def _window(self, link: Row, o: Row) -> int:
        window: int = link["frequency_months"] or o["frequency_months"] or DEFAULT_FREQUENCY_MONTHS
        return window

    def _company(self, o: Row) -> _Combined | None:
        """Every control satisfying the obligation, with all of its evidence."""
        links = self.i.controls.get(o["obligation_id"], [])
        if not links:
            return None
        combined = _Combined()
        for link in links:
            combined.add(link["control_id"], self._result(link["control_id"], COMPANY, self._window(link, o)))
        return combined

    def _arrangement(self, o: Row, subject: str) -> _Combined | None:
        """The controls applying to the arrangement (all, or naming it), with its own and blank evidence."""
        plan = self._plan(o)
        named = plan.named.get(subject, ())
        if not plan.varying and not named:
            return plan.shared if plan.shared.control_ids else None
        combined = plan.shared.extend()
        evidence = self.i.evidence
        for control_id, window in (*plan.varying, *named):
            key = subject if subject in evidence.get(control_id, {}) else None
            combined.add(control_id, self._result(control_id, key, window))
        return combined

    def _plan(self, o: Row) -> _Plan:
        oid = o["obligation_id"]
        plan = self._plans.get(oid)
        if plan is None:
            plan = self._plans[oid] = _Plan(_Combined(), [], {})
            evidence = self.i.evidence
            for link in self.i.controls.get(oid, []):
                control_id, window = link["control_id"], self._window(link, o)
                if link["applies_to_all"]:
                    if any(key is not None for key in evidence.get(control_id, {})):
                        plan.varying.append((control_id, window))
                    else:
                        plan.shared.add(control_id, self._result(control_id, None, window))
                else:
                    for arrangement in dict.fromkeys(link["applies_to"] or ()):
                        plan.named.setdefault(arrangement, []).append((control_id, window))
        return plan

    def _result(self, control_id: str, key: str | None, window: int) -> _Found:
        """A control's evidence for a subject: `key` COMPANY counts all of it, an arrangement id its own
        plus blank-arrangement evidence, None blank-arrangement evidence only. Cached."""
        cache_key = (control_id, key, window)
        found = self._found.get(cache_key)
        if found is None:
            found = self._found[cache_key] = self._evaluate_evidence(self._evidence_of(control_id, key), window)
        return found

    def _evaluate_evidence(self, agg: _Evidence, window: int) -> _Found:
        if not agg.count:
            return None, None
        pick = agg.latest_unexpired or agg.latest
        assert pick is not None
        until: dt.date | None = None
        if agg.latest_unexpired:
            collected = _stamp_date(agg.latest_unexpired)
            if collected >= self._window_start(window):
                until = _add_months(collected, window)
        return _stamp_id(pick), until

    def _window_start(self, window: int) -> dt.date:
        start = self._window_starts.get(window)
        if start is None:
            start = self._window_starts[window] = months_before(self.i.as_of, window)
        return start

    def _evidence_of(self, control_id: str, key: str | None) -> _Evidence:
        """Evidence of a control for a subject: the subject's own plus blank-arrangement evidence; for the
        company, all of the control's evidence."""
        total = _Evidence()
        for arrangement, agg in self.i.evidence.get(control_id, {}).items():
            if key == COMPANY or arrangement in (None, key):
                total.add({"count": agg.count, "latest": agg.latest, "latest_unexpired": agg.latest_unexpired})
        return total


def _add_months(day: dt.date, months: int) -> dt.date:
    return months_before(day, -months)


def evaluate(inputs: TraceInputs, arrangement: str | None = None) -> list[TraceRow]:
    """Statuses of every obligation for every subject, then rolled up to the provisions above them."""
    with _gc_paused():
        return _evaluate(inputs, arrangement)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while tens of thousands of acyclic rows are made: it would scan
    them again and again for nothing (a third of the time of a 42,000-row trace); reference counting still
    frees them as usual."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _evaluate(inputs: TraceInputs, arrangement: str | None) -> list[TraceRow]:
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
    rows.extend(roll_up(rows, inputs.provisions, rules.derived))
    return sorted(rows, key=lambda r: (r.ordinal, r.subject != COMPANY, r.subject))


def roll_up(leaves: Sequence[TraceRow], provisions: Iterable[Row],
            derived: Mapping[int, tuple[tuple[str, ...], set[str]]] | None = None) -> list[TraceRow]:
    """A provision with children is covered only when every applicable child is: its status is the worst
    status of the applicable obligations below it, per subject; not_applicable when none applies.
    `derived` (from the rules) tells how some leaves' tuples were made, so that their unions merge faster."""
    by_id = {p["provision_id"]: p for p in provisions}
    below: dict[tuple[str, str], list[TraceRow]] = defaultdict(list)
    for row in leaves:
        for ancestor in by_id[row.provision]["path"][:-1]:
            below[(ancestor, row.subject)].append(row)
    union = _Unions(derived)
    return [_parent_row(by_id[pid], subject, rows, union) for (pid, subject), rows in below.items()]


class _Unions:
    """The sorted union of some rows' id tuples, as `tuple(sorted(set().union(*parts)))` gives it.

    A parent row's union is the same for every subject whose applicable rows below share their tuples, and
    most leaf tuples are a combination shared by every arrangement plus a few ids of the arrangement's own
    (`derived`: tuple id -> (shared tuple, added ids)). So the union of the shared tuples is sorted once per
    distinct set of them, and a subject's own ids are inserted into a copy of it. Keyed by the ids of tuples
    that the caller's rows and `derived` keep alive while this object is in use."""

    def __init__(self, derived: Mapping[int, tuple[tuple[str, ...], set[str]]] | None = None) -> None:
        self._derived = derived or {}
        self._known: dict[tuple[int, ...], tuple[tuple[str, ...], frozenset[str]]] = {}

    def __call__(self, parts: Sequence[tuple[str, ...]]) -> tuple[str, ...]:
        if not parts:
            return ()
        bases: dict[int, tuple[str, ...]] = {}
        added: set[str] = set()
        derived = self._derived
        for part in parts:
            if not part:
                continue
            made = derived.get(id(part))
            if made is None:
                bases[id(part)] = part
            else:
                if made[0]:
                    bases[id(made[0])] = made[0]
                added |= made[1]
        key = tuple(bases)
        known = self._known.get(key)
        if known is None:
            union = tuple(sorted(set().union(*bases.values())))
            known = self._known[key] = (union, frozenset(union))
        union, members = known
        added -= members
        if not added:
            return union
        merged = list(union)
        for item in sorted(added):
            bisect.insort(merged, item)
        return tuple(merged)


def _parent_row(p: Row, subject: str, rows: list[TraceRow], union: _Unions | None = None) -> TraceRow:
    union = union or _Unions()
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
        controls=union([r.controls for r in applicable if r.controls]),
        evidence=union([r.evidence for r in applicable if r.evidence]),
        contracts=union([r.contracts for r in applicable if r.contracts]),
        audits=union([r.audits for r in applicable if r.audits]),
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
