"""The trace rules, written plainly: README "Trace semantics", one function per rule.

This module is the specification. It reads `TraceInputs` (plain values) and returns `TraceRow`s; it does no
caching and takes no shortcut. regtrace.trace.fast computes the same rows faster, and a property test
(tests/test_trace_properties.py) checks that the two agree on random tenants.

As of a date D, for each subject (the company, each arrangement in effect on D, each arrangement ended
before D) and each obligation that falls on it:

1. `applies`: the obligation's condition holds on the subject's facts (else not_applicable);
2. its rule decides the status: `contract_rule`, `audit_rule`, `control_evidence_rule` (controls' evidence,
   approvals, and the CSP's certificates that `certifications_for` admits), or for an ended arrangement
   `deletion_rule`;
3. `overdue_findings` turn it into a gap whatever the evidence says;
4. `roll_up` gives every provision above obligations a row per subject; a lead-in adds its own duty.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from regtrace.graph.port import Row

from regtrace.dates import months_before
from regtrace.instruments import in_force_on

from .conditions import Expr, parse
from .facts import company_facts_for_arrangements, contract_incomplete, material_npd_offshore_system, third_party_audit
from .model import (
    AUDIT_WINDOW_MONTHS,
    COMPANY,
    DEFAULT_FREQUENCY_MONTHS,
    DELETION_PROVISION,
    FINDINGS_DEFAULT_PROVISION,
    RANK,
    Approval,
    Arrangement,
    Cause,
    Certification,
    Contract,
    EvidenceSummary,
    Finding,
    TraceInputs,
    TraceRow,
    Via,
    cause,
)
from .vocabulary import Status

ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Outcome:
    """What a rule decided for one obligation and subject."""

    status: Status
    reason: str
    controls: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    contracts: tuple[str, ...] = ()
    audits: tuple[str, ...] = ()
    fresh_until: dt.date | None = None
    cause: tuple[Cause, ...] = ()
    open_findings: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    certifications: tuple[str, ...] = ()
    mapped_via: tuple[Via, ...] = ()


@dataclass(frozen=True)
class Subject:
    """The company, or one arrangement; `ended` when its end_date is before D."""

    subject_id: str
    arrangement: Arrangement | None
    ended: bool = False


# ---------------------------------------------------------------- dates


def in_effect(a: Arrangement, as_of: dt.date) -> bool:
    """Started on or before D and not ended before D (end_date = D: still in effect on D)."""
    return (a.start_date is None or a.start_date <= as_of) and (a.end_date is None or a.end_date >= as_of)


def ended_before(a: Arrangement, as_of: dt.date) -> bool:
    """Started, and its end_date is before D (the day after the end date it is ended)."""
    return (a.start_date is None or a.start_date <= as_of) and a.end_date is not None and a.end_date < as_of


def add_months(day: dt.date, months: int) -> dt.date:
    return months_before(day, -months)


def stamp_date(stamp: str) -> dt.date:
    return dt.date.fromisoformat(stamp.split("|", 1)[0])


def stamp_id(stamp: str) -> str:
    return stamp.split("|", 1)[1]


def instrument_in_force(instrument: Row, as_of: dt.date) -> bool:
    """In force on D (regtrace.instruments: from effective_from, when known, until the day before
    abolished_on; the 注意事項 is in force on 2026-01-01 and not from 2026-01-02)."""
    return in_force_on(instrument, as_of)


# ---------------------------------------------------------------- subjects and facts


def subjects(inputs: TraceInputs, arrangement: str | None = None) -> list[Subject]:
    """The company (unless one arrangement is asked for), the arrangements in effect, the ended ones."""
    result = [] if arrangement is not None else [Subject(COMPANY, None)]
    for a in inputs.arrangements:
        if arrangement not in (None, a.arrangement_id):
            continue
        if in_effect(a, inputs.as_of):
            result.append(Subject(a.arrangement_id, a))
        elif ended_before(a, inputs.as_of):
            result.append(Subject(a.arrangement_id, a, ended=True))
    return result


def falls_on(o: Row, subject: Subject) -> bool:
    """An ended arrangement is a subject of the deletion duty (A10.P1.I6.S2) only."""
    if subject.ended:
        return bool(o["obligation_id"] == DELETION_PROVISION)
    wanted = "company" if subject.arrangement is None else "arrangement"
    return o["falls_on"] in (wanted, "both")


def base_facts(inputs: TraceInputs, subject: Subject) -> frozenset[str]:
    """The facts that need no trace: the company's, or an arrangement's flags, the company's multi_cloud,
    material_npd_offshore_system and third_party_audit."""
    a = subject.arrangement
    if a is None:
        return inputs.company_facts
    derived = {
        "material_npd_offshore_system": material_npd_offshore_system(a, inputs.systems),
        "third_party_audit": third_party_audit(a, inputs.audits, inputs.as_of),
    }
    return a.facts | company_facts_for_arrangements(inputs.company_facts) | {f for f, held in derived.items() if held}


def condition(o: Row) -> Expr | None:
    return parse(o["applies_when"]) if o.get("applies_when") else None


def applies(o: Row, facts: frozenset[str]) -> Outcome | None:
    """None when the obligation's condition holds (or it has none); else not_applicable and what fails."""
    expr = condition(o)
    if expr is None or expr.holds(facts):
        return None
    return Outcome("not_applicable", "conditions",
                   cause=(cause("conditions_unmet", conditions=str(expr), unmet=tuple(expr.unmet(facts))),))


def modality(o: Row, facts: frozenset[str]) -> str:
    """The obligation's modality; shall where its `shall_when` condition holds (A4.P2.I3 with multi_cloud)."""
    if o.get("shall_when") and parse(o["shall_when"]).holds(facts):
        return "shall"
    return str(o["modality"])


# ---------------------------------------------------------------- the rules


def contract_rule(inputs: TraceInputs, o: Row, arrangement: str) -> Outcome:
    """Covered when a contract of the arrangement in force on D (signed_on ≤ D ≤ expires_on, or no expiry)
    lists the clause; else a gap, naming the newest contract that listed it and expired before D."""
    oid, as_of = o["obligation_id"], inputs.as_of
    listing = [k for k in inputs.contracts if k.arrangement_id == arrangement and oid in k.clauses]
    in_force = sorted(k.contract_id for k in listing if contract_in_force(k, as_of))
    if in_force:
        return Outcome("covered", "contract_covered", contracts=tuple(in_force),
                       warnings=term_warnings(inputs, [k for k in listing if contract_in_force(k, as_of)]))
    expired = [k for k in listing if k.expires_on is not None and k.expires_on < as_of]
    if expired:
        newest = max(expired, key=lambda k: (k.expires_on, k.contract_id))
        return Outcome("gap", "contract_gap",
                       cause=(cause("contract_expired", contract=newest.contract_id, expires_on=newest.expires_on),))
    return Outcome("gap", "contract_gap", cause=(cause("no_contract", arrangement=arrangement),))


def term_requiring_instrument(inputs: TraceInputs) -> str | None:
    """The instrument in force on D that superseded one the regulation cites (the 辦法, in force from
    2026-01-02, replacing the 注意事項): its Art. 9 requires an outsourcing contract to state its term."""
    cited = {i for ids in inputs.references.values() for i in ids}
    for old in sorted(cited):
        new = inputs.successors.get(old)
        if new is not None and new in inputs.instruments and instrument_in_force(inputs.instruments[new], inputs.as_of):
            return new
    return None


def term_warnings(inputs: TraceInputs, in_force: Sequence[Contract]) -> tuple[str, ...]:
    """A contract in force on D without expires_on, once the successor instrument is in force."""
    instrument = term_requiring_instrument(inputs)
    if instrument is None:
        return ()
    return tuple(f"契約 {k.contract_id} 未載明契約期間 contract {k.contract_id} has no expires_on; "
                 f"{instrument} 要求載明 requires a contract term"
                 for k in sorted(in_force, key=lambda k: k.contract_id) if k.expires_on is None)


def contract_in_force(k: Contract, as_of: dt.date) -> bool:
    return k.signed_on is not None and k.signed_on <= as_of and (k.expires_on is None or k.expires_on >= as_of)


def audit_rule(inputs: TraceInputs, arrangement: str) -> Outcome:
    """Covered when a general and a project audit were performed in the 12 months up to D (performed_on on or
    after D minus 12 months); stale when audits are on record but not both kinds in that window; else gap."""
    as_of = inputs.as_of
    start = months_before(as_of, AUDIT_WINDOW_MONTHS)
    history = [a for a in inputs.audits if a.arrangement_id == arrangement and a.performed_on <= as_of]
    recent = sorted((a for a in history if a.performed_on >= start), key=lambda a: (a.performed_on, a.audit_id))
    ids = tuple(a.audit_id for a in recent)
    kinds = {a.kind for a in recent}
    if {"general", "project"} <= kinds:
        return Outcome("covered", "audit_covered", audits=ids)
    if history:
        last = {kind: max((a.performed_on for a in history if a.kind == kind), default=None)
                for kind in ("general", "project")}
        missing = tuple(k for k in ("general", "project") if k not in kinds)
        return Outcome("stale", "audit_stale", audits=ids, cause=(cause(
            "audit_incomplete", missing=missing, window_start=start,
            last_general_on=last["general"], last_project_on=last["project"]),))
    return Outcome("gap", "audit_gap", cause=(cause("audit_missing", arrangement=arrangement),))


def control_links(inputs: TraceInputs, o: Row, subject: Subject) -> list[Row]:
    """The controls satisfying the obligation that apply to the subject: for an arrangement, those applying
    to all arrangements (`*`) or naming it; for the company, all of them."""
    links = inputs.controls.get(o["obligation_id"], [])
    if subject.arrangement is None:
        return list(links)
    return [link for link in links
            if link["applies_to_all"] or subject.subject_id in (link["applies_to"] or ())]


def window(link: Row, o: Row) -> int:
    """The freshness window in months: the control's frequency, else the provision's, else 12."""
    months: int = link["frequency_months"] or o["frequency_months"] or DEFAULT_FREQUENCY_MONTHS
    return months


def evidence_for(inputs: TraceInputs, control_id: str, subject: Subject) -> EvidenceSummary:
    """A control's evidence that counts for the subject: the arrangement's own plus evidence with a blank
    arrangement; for the company, all of it."""
    total = EvidenceSummary()
    for arrangement, summary in inputs.evidence.get(control_id, {}).items():
        if subject.arrangement is None or arrangement in (None, subject.subject_id):
            total = total.plus(summary)
    return total


@dataclass(frozen=True)
class Found:
    """One control's (or approval's) evidence for a subject: the evidence shown, the last day it keeps the
    obligation fresh (None when not fresh), whether it is fresh on D, and the day it stopped being fresh."""

    evidence_id: str | None
    fresh_until: dt.date | None = None
    fresh: bool = False
    stale_since: dt.date | None = None
    collected_on: dt.date | None = None


def control_evidence(inputs: TraceInputs, control_id: str, subject: Subject, months: int) -> Found:
    """Fresh: collected on or before D and on or after D minus the window, and not past its valid_until
    (valid_until = D is still valid). The newest unexpired evidence is shown, else the newest."""
    summary = evidence_for(inputs, control_id, subject)
    return evaluate_summary(inputs, summary, months)


def evaluate_summary(inputs: TraceInputs, summary: EvidenceSummary, months: int) -> Found:
    if not summary.count or summary.latest is None:
        return Found(None)
    as_of = inputs.as_of
    pick = summary.latest_unexpired or summary.latest
    if summary.latest_unexpired and stamp_date(summary.latest_unexpired) >= months_before(as_of, months):
        collected = stamp_date(summary.latest_unexpired)
        return Found(stamp_id(pick), add_months(collected, months), True, collected_on=collected)
    # Not fresh: the day the newest evidence stopped being fresh (its window ended, or its validity).
    candidates = []
    for stamp in filter(None, (summary.latest_unexpired, summary.latest)):
        collected = stamp_date(stamp)
        last = add_months(collected, months)
        valid_until = inputs.evidence_valid_until.get(stamp_id(stamp))
        if stamp != summary.latest_unexpired and valid_until is not None:
            last = min(last, valid_until)
        candidates.append((last + ONE_DAY, collected, stamp_id(stamp)))
    stale_since, collected, _ = max(candidates)
    return Found(stamp_id(pick), None, False, stale_since, collected)


def cites(cited: Iterable[str], o: Row, inputs: TraceInputs) -> bool:
    """Whether provision ids cite the obligation: one of them is the obligation or a provision above it."""
    path = provision_path(inputs, o["obligation_id"])
    return any(pid in path for pid in cited)


def provision_path(inputs: TraceInputs, provision_id: str) -> tuple[str, ...]:
    return inputs.paths.get(provision_id, (provision_id,))


def approvals_for(inputs: TraceInputs, o: Row, subject: Subject) -> list[Approval]:
    """Approvals decided on or before D citing the obligation (or a provision above it) that count for the
    subject: an arrangement's own and the company's (blank arrangement); for the company, all of them."""
    return [ap for ap in inputs.approvals
            if ap.decided_on <= inputs.as_of and cites(ap.provisions, o, inputs)
            and (subject.arrangement is None or ap.arrangement_id in (None, subject.subject_id))]


def approval_evidence(approval: Approval, as_of: dt.date) -> Found:
    """An approval is fresh from decided_on to valid_until (or indefinitely without one)."""
    if approval.valid_until is None or approval.valid_until >= as_of:
        return Found(approval.approval_id, approval.valid_until, True, collected_on=approval.decided_on)
    return Found(approval.approval_id, None, False, approval.valid_until + ONE_DAY, approval.decided_on)


def certificate_valid(c: Certification, as_of: dt.date) -> bool:
    """valid_from ≤ D ≤ valid_until (no valid_from: from any date); the day after valid_until it is not."""
    return (c.valid_from is None or c.valid_from <= as_of) and as_of <= c.valid_until


def scope_covers(c: Certification, arrangement_id: str) -> bool:
    """The register's scope_arrangements names the arrangement, or is `*`; blank claims nothing."""
    return c.scope_all or arrangement_id in c.scope


def certificate_targets(inputs: TraceInputs, c: Certification, o: Row) -> tuple[str, ...]:
    """The control refs of the certificate's framework that a reviewed equal or subset mapping links to the
    obligation or a provision above it (a provision's duty includes those of the provisions below it)."""
    framework = inputs.certified_frameworks.get(c.standard)
    if framework is None:
        return ()
    return tuple(sorted({ref for pid in provision_path(inputs, o["obligation_id"])
                         for ref in inputs.proving.get((framework, pid), ())}))


def certifications_for(inputs: TraceInputs, o: Row, subject: Subject) -> list[tuple[Certification, tuple[str, ...]]]:
    """The certificates that count as evidence for the obligation and an arrangement in effect: of the
    arrangement's CSP, valid on D, whose scope covers the arrangement, whose standard certifies a framework
    with a reviewed equal or subset mapping from the obligation (or a provision above it), and only where the
    obligation is CSP-meetable. Never for the company or an ended arrangement. With their target control refs."""
    a = subject.arrangement
    if a is None or subject.ended or o["obligation_id"] not in inputs.csp_meetable:
        return []
    found = []
    for c in sorted(inputs.certifications, key=lambda c: c.certification_id):
        if c.csp_id != a.csp_id or not scope_covers(c, a.arrangement_id) or not certificate_valid(c, inputs.as_of):
            continue
        targets = certificate_targets(inputs, c, o)
        if targets:
            found.append((c, targets))
    return found


def control_evidence_rule(inputs: TraceInputs, o: Row, subject: Subject) -> Outcome:
    """gap: no control applying to the subject satisfies it (and no approval cites it, no certificate counts);
    unevidenced: controls but no evidence for the subject; stale: evidence but none fresh; covered: some fresh.
    Approvals count as evidence for the provisions they cite, certificates as `certifications_for` says."""
    links = control_links(inputs, o, subject)
    approvals = approvals_for(inputs, o, subject)
    certificates = certifications_for(inputs, o, subject)
    if not links and not approvals and not certificates:
        return Outcome("gap", "no_control", cause=(cause("no_control", obligation=o["obligation_id"]),))
    controls = tuple(sorted({link["control_id"] for link in links}))
    found = [control_evidence(inputs, link["control_id"], subject, window(link, o)) for link in links]
    found += [approval_evidence(ap, inputs.as_of) for ap in approvals]
    outcome = with_certificates(combine(controls, found) if links or approvals else None, certificates)
    return with_vias(outcome, control_vias(inputs, links, o))


def control_vias(inputs: TraceInputs, links: Sequence[Row], o: Row) -> tuple[Via, ...]:
    """The target control ids (FRAMEWORK:ID) a control's satisfies names through which it reaches the
    obligation: those a reviewed equal or subset mapping links to the obligation or a provision above it."""
    path = provision_path(inputs, o["obligation_id"])
    found = set()
    for link in links:
        for ref in (t.strip() for t in (link.get("satisfies_targets") or "").split(";")):
            framework = ref.partition(":")[0]
            if ref and any(ref in inputs.proving.get((framework, pid), ()) for pid in path):
                found.add(Via("control", link["control_id"], ref))
    return tuple(sorted(found))


def with_vias(outcome: Outcome, via: tuple[Via, ...]) -> Outcome:
    """The outcome with the controls' target ids beside the certificates' in mapped_via."""
    return replace(outcome, mapped_via=tuple(sorted({*outcome.mapped_via, *via}))) if via else outcome


def with_certificates(outcome: Outcome | None, certificates: Sequence[tuple[Certification, tuple[str, ...]]]
                      ) -> Outcome:
    """Certificates valid on D are fresh evidence until their valid_until: the outcome of the controls and
    approvals (None: there are none) becomes covered, its reason `certified` unless it was covered already."""
    if not certificates:
        assert outcome is not None
        return outcome
    ids = tuple(c.certification_id for c, _ in certificates)
    via = tuple(sorted(Via("certification", c.certification_id, t) for c, targets in certificates for t in targets))
    until = max(c.valid_until for c, _ in certificates)
    if outcome is not None and outcome.status == "covered":
        fresh = max(until, outcome.fresh_until) if outcome.fresh_until is not None else until
        return replace(outcome, evidence=tuple(sorted({*outcome.evidence, *ids})), fresh_until=fresh,
                       certifications=ids, mapped_via=via)
    return Outcome("covered", "certified", controls=outcome.controls if outcome else (),
                   evidence=tuple(sorted({*(outcome.evidence if outcome else ()), *ids})), fresh_until=until,
                   certifications=ids, mapped_via=via)


def combine(controls: tuple[str, ...], found: Sequence[Found]) -> Outcome:
    """What the controls' and approvals' evidence shows together."""
    shown = [f for f in found if f.evidence_id is not None]
    fresh = [f for f in shown if f.fresh]
    return shows(controls, tuple(sorted({f.evidence_id for f in shown if f.evidence_id is not None})), bool(fresh),
                 max((f.fresh_until for f in fresh if f.fresh_until is not None), default=None),
                 None if fresh or not shown else max(shown, key=lapse_order))


def lapse_order(f: Found) -> tuple[dt.date, str]:
    """Which evidence lapsed last: the latest stale_since, then the greatest id."""
    return f.stale_since or dt.date.min, f.evidence_id or ""


def shows(controls: tuple[str, ...], evidence: tuple[str, ...], fresh: bool, fresh_until: dt.date | None,
          newest: Found | None) -> Outcome:
    """The outcome of the evidence shown (`evidence`, its ids): none, unevidenced; some fresh, covered until the
    latest fresh_until; else stale, caused by the evidence that lapsed last (`newest`)."""
    if not evidence:
        return Outcome("unevidenced", "no_evidence", controls=controls,
                       cause=(cause("no_evidence", controls=controls),))
    if fresh:
        return Outcome("covered", "fresh", controls=controls, evidence=evidence, fresh_until=fresh_until)
    assert newest is not None
    return Outcome("stale", "stale", controls=controls, evidence=evidence, cause=(cause(
        "evidence_lapsed", evidence=newest.evidence_id, collected_on=newest.collected_on,
        stale_since=newest.stale_since),))


def deletion_rule(inputs: TraceInputs, o: Row, subject: Subject) -> Outcome:
    """An ended arrangement: covered when a control satisfying A10.P1.I6.S2 and applying to it has evidence
    for that arrangement (not blank) collected on or after its end_date (no freshness window: a deletion
    record does not go stale); else a gap, "ended on …, no deletion record"."""
    a = subject.arrangement
    assert a is not None and a.end_date is not None
    links = control_links(inputs, o, subject)
    controls = tuple(sorted({link["control_id"] for link in links}))
    records = []
    for link in links:
        own = inputs.evidence.get(link["control_id"], {}).get(a.arrangement_id)
        if own is not None and own.latest is not None and stamp_date(own.latest) >= a.end_date:
            records.append(stamp_id(own.latest))
    if records:
        return Outcome("covered", "deletion_record", controls=controls, evidence=tuple(sorted(set(records))))
    return Outcome("gap", "no_deletion_record", controls=controls,
                   cause=(cause("no_deletion_record", arrangement=a.arrangement_id, end_date=a.end_date),))


def finding_open(f: Finding, as_of: dt.date) -> bool:
    """Open on D: status open, or closed on a date after D."""
    return f.status == "open" or (f.closed_on is not None and f.closed_on > as_of)


def findings_citing(inputs: TraceInputs, o: Row, arrangement: str) -> list[Finding]:
    """The findings of the arrangement's audits (performed on or before D) open on D that cite the obligation:
    the provisions they cite (blank: A9.P1.I3) and, always, A9.P1.I3 (tracking remediation)."""
    audits = {a.audit_id for a in inputs.audits if a.arrangement_id == arrangement and a.performed_on <= inputs.as_of}
    return [f for f in inputs.findings
            if f.audit_id in audits and finding_open(f, inputs.as_of)
            and cites((*(f.provisions or ()), FINDINGS_DEFAULT_PROVISION), o, inputs)]


def overdue_findings(inputs: TraceInputs, o: Row, arrangement: str, outcome: Outcome) -> Outcome:
    """An open finding past its due_on (due_on before D) makes the obligation a gap whatever the evidence
    says; one not yet due leaves the status as it is and is named."""
    found = sorted(findings_citing(inputs, o, arrangement), key=lambda f: f.finding_id)
    overdue = [f for f in found if f.due_on is not None and f.due_on < inputs.as_of]
    pending = tuple(f.finding_id for f in found if f not in overdue)
    if not overdue:
        return replace(outcome, open_findings=pending) if pending else outcome
    causes = tuple(cause("finding_overdue", finding=f.finding_id, audit=f.audit_id, severity=f.severity,
                         due_on=f.due_on) for f in overdue)
    kept = outcome.cause if outcome.status != "covered" else ()
    return replace(outcome, status="gap", reason="finding_overdue", cause=causes + kept, open_findings=pending)


# ---------------------------------------------------------------- rows


def own_outcome(inputs: TraceInputs, o: Row, subject: Subject, facts: frozenset[str]) -> Outcome:
    """An obligation's own status for a subject: applicability, its rule, then the findings."""
    if subject.ended:
        outcome = deletion_rule(inputs, o, subject)
    else:
        not_applicable = applies(o, facts)
        if not_applicable is not None:
            return not_applicable
        outcome = rule_outcome(inputs, o, subject)
    if subject.arrangement is not None:
        outcome = overdue_findings(inputs, o, subject.subject_id, outcome)
    return outcome


def rule_outcome(inputs: TraceInputs, o: Row, subject: Subject) -> Outcome:
    if o["rule"] == "contract_clause" and subject.arrangement is not None:
        return contract_rule(inputs, o, subject.subject_id)
    if o["rule"] == "audit_frequency" and subject.arrangement is not None:
        return audit_rule(inputs, subject.subject_id)
    return control_evidence_rule(inputs, o, subject)


def subject_facts(inputs: TraceInputs, subject: Subject, obligations: Sequence[Row]) -> frozenset[str]:
    """All facts of the subject, contract_incomplete included: some contract item (rule contract_clause)
    that applies to the arrangement is not covered for it on D."""
    facts = base_facts(inputs, subject)
    if subject.arrangement is None or subject.ended:
        return facts
    items = [own_outcome(inputs, o, subject, facts).status for o in obligations if o["rule"] == "contract_clause"]
    return facts | {"contract_incomplete"} if contract_incomplete(items) else facts


def not_in_force(inputs: TraceInputs, provision_id: str) -> tuple[str, ...]:
    """The instruments the provision cites that are not in force on D."""
    return tuple(sorted(i for i in inputs.references.get(provision_id, ())
                        if i in inputs.instruments and not instrument_in_force(inputs.instruments[i], inputs.as_of)))


def leaf_row(inputs: TraceInputs, provision: Row, o: Row, subject: Subject, facts: frozenset[str],
             outcome: Outcome) -> TraceRow:
    return TraceRow(
        provision=o["obligation_id"], label=provision["label"], article=provision["article"],
        ordinal=provision["ordinal"], leaf=not o.get("lead_in"), modality=modality(o, facts), rule=o["rule"],
        subject=subject.subject_id, status=outcome.status, reason=outcome.reason, controls=outcome.controls,
        evidence=outcome.evidence, contracts=outcome.contracts, audits=outcome.audits,
        fresh_until=outcome.fresh_until, cause=outcome.cause, own_status=outcome.status,
        references_not_in_force=not_in_force(inputs, o["obligation_id"]), open_findings=outcome.open_findings,
        warnings=outcome.warnings, certifications=outcome.certifications, mapped_via=outcome.mapped_via)


def worst(statuses: Iterable[Status]) -> Status:
    """The worst applicable status (gap < unevidenced < stale < covered); not_applicable when none applies."""
    applicable = [s for s in statuses if s != "not_applicable"]
    return min(applicable, key=RANK.__getitem__) if applicable else "not_applicable"


def union(parts: Iterable[tuple[Any, ...]]) -> tuple[Any, ...]:
    """The sorted distinct items of the parts."""
    return tuple(sorted(set().union(*parts)))


@dataclass(frozen=True)
class Parent:
    """What the rows below a provision (and a lead-in's own row) decide of its row: `children` the worst applicable
    own status below, `status` the worst of that and the lead-in's own duty, `counted` the rows whose lists it
    unites (those that apply), `causes` those of the rows that make it what it is."""

    children: Status
    status: Status
    counted: list[TraceRow]
    causes: tuple[Cause, ...]


def parent_status(below: Sequence[TraceRow], own: TraceRow | None) -> Parent:
    """A provision above obligations: `children_status` is the worst applicable status of the obligations
    below it (their own duties); a lead-in's `own_status` is its own duty's; `status` is the worst of both.
    Its causes are those of the rows that make it what it is (none when covered)."""
    children = worst(r.own_status for r in below if r.own_status is not None)
    status = worst([children] + ([own.status] if own is not None else []))
    counted = [r for r in below if r.own_status not in (None, "not_applicable")]
    if own is not None and own.status != "not_applicable":
        counted.append(own)
    if status == "not_applicable":
        sources = [r for r in below if r.own_status is not None] + ([own] if own is not None else [])
    else:
        sources = [r for r in counted if r.own_status == status]
    causes = tuple(dict.fromkeys(c for r in sources for c in r.cause)) if status != "covered" else ()
    return Parent(children, status, counted, causes)


def parent_row(inputs: TraceInputs, p: Row, subject: str, below: Sequence[TraceRow], own: TraceRow | None,
               ) -> TraceRow:
    """A provision's row above obligations (`parent_status`): the lists of the rows that apply united; the open
    findings and warnings of all (the lead-in's first, then the rows below in order)."""
    decided = parent_status(below, own)
    status, counted = decided.status, decided.counted
    everyone = ([own] if own is not None else []) + list(below)
    return TraceRow(
        provision=p["provision_id"], label=p["label"], article=p["article"], ordinal=p["ordinal"], leaf=False,
        modality=own.modality if own is not None else p["effective_modality"],
        rule=own.rule if own is not None else None, subject=subject, status=status,
        reason="conditions" if status == "not_applicable" else "lead_in" if own is not None else "rollup",
        controls=union(r.controls for r in counted), evidence=union(r.evidence for r in counted),
        contracts=union(r.contracts for r in counted), audits=union(r.audits for r in counted),
        fresh_until=own.fresh_until if own is not None else None, cause=decided.causes,
        own_status=own.own_status if own is not None else None, children_status=decided.children,
        references_not_in_force=not_in_force(inputs, p["provision_id"]),
        open_findings=union(r.open_findings for r in everyone),
        warnings=tuple(dict.fromkeys(w for r in everyone for w in r.warnings)),
        certifications=union(r.certifications for r in counted),
        mapped_via=union(r.mapped_via for r in counted))


def roll_up(inputs: TraceInputs, own_rows: Sequence[TraceRow]) -> list[TraceRow]:
    """Every provision above an obligation row gets a row per subject (a lead-in's replaces its own row)."""
    by_id = {p["provision_id"]: p for p in inputs.provisions}
    below: dict[tuple[str, str], list[TraceRow]] = {}
    for row in own_rows:
        for ancestor in by_id[row.provision]["path"][:-1]:
            below.setdefault((ancestor, row.subject), []).append(row)
    own = {(r.provision, r.subject): r for r in own_rows}
    parents = [parent_row(inputs, by_id[pid], subject, rows, own.get((pid, subject)))
               for (pid, subject), rows in below.items()]
    return [r for r in own_rows if (r.provision, r.subject) not in below] + parents


def subject_rows(inputs: TraceInputs, subject: Subject, obligations: Sequence[Row],
                 provisions: dict[str, Row]) -> list[TraceRow]:
    mine = [o for o in obligations if falls_on(o, subject)]
    facts = subject_facts(inputs, subject, mine)
    return [leaf_row(inputs, provisions[o["obligation_id"]], o, subject, facts, own_outcome(inputs, o, subject, facts))
            for o in mine]


def evaluate(inputs: TraceInputs, arrangement: str | None = None) -> list[TraceRow]:
    """Every obligation for every subject, then the provisions above them, in document order (the company
    first, then arrangements by id)."""
    provisions = {p["provision_id"]: p for p in inputs.provisions}
    obligations = sorted(inputs.obligations.values(), key=lambda r: r["ordinal"])
    own_rows = [row for s in subjects(inputs, arrangement) for row in subject_rows(inputs, s, obligations, provisions)]
    return sort_rows(roll_up(inputs, own_rows))


def subject_order(subject_id: str) -> tuple[bool, str]:
    """The order of subjects in a trace: the company, then the arrangements by id."""
    return subject_id != COMPANY, subject_id


def sort_rows(rows: Iterable[TraceRow]) -> list[TraceRow]:
    """In document order, each provision's rows in `subject_order`."""
    return sorted(rows, key=lambda r: (r.ordinal, subject_order(r.subject)))
