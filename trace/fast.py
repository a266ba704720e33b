"""The fast path: the same rows as regtrace.trace.rules, computed with the shortcuts a large tenant needs.

Nothing here decides a status: every rule is the plain one (regtrace.trace.rules). What changes is how much
work is repeated, so that the work grows with the (control, arrangement) groups and the rows, not with the
evidence or with every control link for every subject:

* the cyclic garbage collector is paused while tens of thousands of acyclic rows are made (it would scan
  them again and again for nothing; reference counting still frees them);
* each subject's contracts, audits, findings, approvals, certificates and systems are picked out once, by index
  (`_narrow`), so the plain rules run over that subject's handful instead of the whole tenant;
* an obligation's control links are split once into those applying to every arrangement and, per arrangement,
  those naming it (`_Obligation`). The evidence of the links applying to all, counted as blank-arrangement
  evidence, is summarised once per obligation (`_Pool`: the evidence ids shown, which are fresh until when,
  which lapsed last). An arrangement then changes that summary only by what is its own: the links naming it,
  the controls where it has evidence of its own (their blank-only evidence replaced by its own plus blank),
  its approvals. Most arrangements have none of these for most obligations and share the obligation's
  outcome object (found before anything else of the arrangement is looked up); the others adjust the summary
  by those few items, and `rules.shows` decides;
* a control's evidence for a key (control, COMPANY / arrangement / None for blank only, window) is evaluated
  once (`rules.control_evidence`; for an arrangement or blank only, its groups summed directly);
* the outcome of an unmet condition is one object per obligation and unmet facts, and the outcome of a rule
  other than control evidence one per value, so that subjects alike share them;
* rules.overdue_findings is skipped where no open finding of the arrangement cites the obligation or a
  provision above it (then it returns the outcome as it is);
* obligation rows are made without the frozen dataclass's per-field checks, conditions parsed once per
  obligation, the instruments not in force once per provision; the parent rows are
  regtrace.trace.fast_roll_up's: once per distinct set of outcomes below, for all subjects, their status
  decided once per distinct statuses below;
* the rows come out in `rules.sort_rows`'s order without a sort: the subjects taken in that order, each row
  appended to its provision's list (which list, looked up once per kind of subject: its rows come in one order).

tests/test_trace_properties.py checks with hypothesis that this gives the plain rules' rows (and `_Pool` the
plain `rules.combine`).
"""

from __future__ import annotations

import copy
import datetime as dt
from bisect import bisect_left, insort
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from typing import TypeVar

from regtrace.graph.port import Row

from . import rules
from .collector import gc_paused
from .conditions import Expr, parse
from .facts import contract_incomplete
from .fast_roll_up import RollUp, Tree
from .model import (
    COMPANY,
    FINDINGS_DEFAULT_PROVISION,
    Approval,
    Certification,
    EvidenceSummary,
    TraceInputs,
    TraceRow,
    cause,
    row_template,
    template_row,
)
from .rules import Found, Outcome, Subject

T = TypeVar("T")


def evaluate(inputs: TraceInputs, arrangement: str | None = None) -> list[TraceRow]:
    """The rows of regtrace.trace.rules.evaluate, faster."""
    with gc_paused():
        return _Fast(inputs).evaluate(arrangement)


# The evidence a control link counts for a subject: (control_id, evidence key, window); the key is COMPANY,
# an arrangement id (its own plus blank-arrangement evidence) or None (blank-arrangement evidence alone).
_LinkKey = tuple[str, str | None, int]
# What the company's control-and-evidence outcome of an obligation depends on: its link keys and the approvals
# citing it (certificates never count for the company).
_Signature = tuple[tuple[_LinkKey, ...], tuple[str, ...]]
_Link = tuple[Row, int]  # a control link and its window in months


class _Pool:
    """What `rules.combine` needs from a multiset of Found (one per control link, by control id): the evidence
    ids shown, whether some is fresh and until when, and which lapsed last; adjusted by removing the Found of
    some controls and adding others, without going over the rest again."""

    def __init__(self, entries: Sequence[tuple[str, Found]]) -> None:
        shown = [(c, f) for c, f in entries if f.evidence_id is not None]
        self.count = Counter(f.evidence_id for _, f in shown)
        self.evidence: tuple[str, ...] = tuple(sorted(e for e in self.count if e is not None))
        self.ids = frozenset(self.evidence)
        self.by_control: dict[str, list[Found]] = {}
        for c, f in shown:
            self.by_control.setdefault(c, []).append(f)
        # fresh ones with a fresh_until first, latest first, then those without; the stale ones, lapsed last first
        self.fresh = sorted(((c, f) for c, f in shown if f.fresh),
                            key=lambda e: (e[1].fresh_until is not None, e[1].fresh_until or _DAY_MIN), reverse=True)
        self.stale = sorted(((c, f) for c, f in shown if not f.fresh), key=lambda e: rules.lapse_order(e[1]),
                            reverse=True)
        # with no control removed: the fresh one first in that order, and the one lapsed last
        self.first_fresh = self.fresh[0][1] if self.fresh else None
        self.first_stale = self.stale[0][1] if self.stale else None

    def combine(self, controls: tuple[str, ...], removed: Collection[str] = (), added: Sequence[Found] = (),
                ) -> tuple[Outcome, list[str], list[str]]:
        """rules.combine(controls, the pool's Found less the removed controls' plus `added`); with the evidence
        ids it shows beyond the pool's and those of the pool it no longer shows."""
        removed = frozenset(removed) if removed else _NONE
        new = {f.evidence_id for f in added if f.evidence_id is not None}
        dropped = []
        if removed:
            gone = Counter(f.evidence_id for c in removed for f in self.by_control.get(c, ()))
            dropped = [e for e, n in gone.items() if e is not None and self.count[e] == n and e not in new]
        inserted = [e for e in new if e not in self.ids]
        evidence = self.evidence
        if dropped or inserted:
            ids = list(evidence)
            for e in dropped:
                del ids[bisect_left(ids, e)]
            for e in inserted:
                insort(ids, e)
            evidence = tuple(ids)
        kept_fresh = next((f for c, f in self.fresh if c not in removed), None) if removed else self.first_fresh
        fresh_added = [f for f in added if f.evidence_id is not None and f.fresh]
        untils = [f.fresh_until for f in fresh_added if f.fresh_until is not None]
        if kept_fresh is not None and kept_fresh.fresh_until is not None:
            untils.append(kept_fresh.fresh_until)
        fresh = kept_fresh is not None or bool(fresh_added)
        newest = None
        if not fresh:
            lapsed = [f for f in added if f.evidence_id is not None]
            kept_stale = next((f for c, f in self.stale if c not in removed), None) if removed else self.first_stale
            if kept_stale is not None:
                lapsed.append(kept_stale)
            newest = max(lapsed, key=rules.lapse_order) if lapsed else None
        return rules.shows(controls, evidence, fresh, max(untils, default=None), newest), inserted, dropped


_DAY_MIN = dt.date.min
_NONE: frozenset[str] = frozenset()


class _Obligation:
    """One obligation and what every subject shares of it."""

    def __init__(self, fast: _Fast, o: Row, provision: Row) -> None:
        i = fast.i
        self.row = o
        self.id: str = o["obligation_id"]
        self.rule: str = o["rule"]
        self.template = row_template({
            "provision": self.id, "label": provision["label"], "article": provision["article"],
            "ordinal": provision["ordinal"], "leaf": not o.get("lead_in"), "modality": o["modality"],
            "rule": o["rule"], "references_not_in_force": fast.not_in_force(self.id)})
        self.condition: Expr | None = parse(o["applies_when"]) if o.get("applies_when") else None
        self.shall: Expr | None = parse(o["shall_when"]) if o.get("shall_when") else None
        # whether its applicability reads the fact the contract items decide (else their outcomes stand with it)
        self.reads_contract_incomplete = self.condition is not None and "contract_incomplete" in self.condition.facts()
        self.links: list[_Link] = [(link, rules.window(link, o)) for link in i.controls.get(self.id, [])]
        self.all_links = [(link, m) for link, m in self.links if link["applies_to_all"]]
        # arrangement id -> the links naming it (not applying to all), with their control ids
        self.naming: dict[str, list[tuple[str, int, Row]]] = {}
        for link, m in self.links:
            if not link["applies_to_all"]:
                for a in dict.fromkeys(link["applies_to"] or ()):
                    self.naming.setdefault(a, []).append((link["control_id"], m, link))
        self.all_controls = frozenset(link["control_id"] for link, _ in self.all_links)
        self.controls = tuple(sorted(self.all_controls))
        self.applying = [link for link, _ in self.all_links if link.get("satisfies_targets")]
        # whether an arrangement with nothing of its own here takes the shared outcome as it is
        self.shares = bool(self.all_links) and not self.applying
        self.csp_meetable = self.id in i.csp_meetable
        self.path = rules.provision_path(i, self.id)
        self._pool: _Pool | None = None
        self._shared: Outcome | None = None

    def pool(self, fast: _Fast) -> _Pool:
        """The Found of the links applying to all, counting blank-arrangement evidence only."""
        if self._pool is None:
            self._pool = _Pool([(link["control_id"], fast.found((link["control_id"], None, m)))
                                for link, m in self.all_links])
        return self._pool

    def shared(self, fast: _Fast) -> Outcome:
        """The outcome of the links applying to all for an arrangement with nothing of its own here."""
        if self._shared is None:
            self._shared = self.pool(fast).combine(self.controls)[0]
        return self._shared


class _Arrangement:
    """What one arrangement in effect adds to what every arrangement shares."""

    def __init__(self, fast: _Fast, subject: Subject, narrow: TraceInputs) -> None:
        a = subject.arrangement
        assert a is not None
        self.subject = subject
        self.id = subject.subject_id
        self.narrow = narrow
        self.own = fast.own_controls.get(self.id, frozenset())
        # obligation id -> the links applying to all whose control has evidence of the arrangement's own here
        self.replaced: dict[str, list[tuple[str, int]]] = {}
        for c in self.own:
            for oid, m in fast.all_obligations.get(c, ()):
                self.replaced.setdefault(oid, []).append((c, m))
        as_of = narrow.as_of
        self.certificates = [c for c in sorted(narrow.certifications, key=lambda c: c.certification_id)
                             if c.csp_id == a.csp_id and rules.scope_covers(c, a.arrangement_id)
                             and rules.certificate_valid(c, as_of)]
        audits = {x.audit_id for x in narrow.audits if x.arrangement_id == self.id and x.performed_on <= as_of}
        open_findings = [f for f in narrow.findings if f.audit_id in audits and rules.finding_open(f, as_of)]
        # the provisions its open findings cite (rules.findings_citing: blank cites A9.P1.I3, and all cite it)
        self.cited = frozenset(p for f in open_findings for p in (*(f.provisions or ()), FINDINGS_DEFAULT_PROVISION))
        self.approvals = bool(narrow.approvals)


class _Fast:
    def __init__(self, inputs: TraceInputs) -> None:
        i = self.i = inputs
        i.paths, i.csp_meetable  # noqa: B018  (computed once, before the per-subject copies share them)
        self._found: dict[_LinkKey, Found] = {}
        self._company: dict[_Signature, Outcome] = {}
        self._company_found_: dict[_LinkKey, Found] = {}
        self._not_in_force: dict[str, tuple[str, ...]] = {}
        self._targets: dict[tuple[str, str], tuple[str, ...]] = {}
        self.contracts = _group(i.contracts, lambda k: k.arrangement_id)
        self.audits = _group(i.audits, lambda a: a.arrangement_id)
        self.findings = _group(i.findings, lambda f: f.audit_id)
        self.systems = _group(i.systems, lambda s: s.arrangement_id)
        self.certifications = _group(i.certifications, lambda c: c.csp_id)
        self.approvals: dict[str | None, list[Approval]] = {}
        for ap in i.approvals:
            self.approvals.setdefault(ap.arrangement_id, []).append(ap)
        self.approval_order = {id(ap): n for n, ap in enumerate(i.approvals)}
        own: dict[str, set[str]] = {}
        for control_id, per in i.evidence.items():
            for a in per:
                if a is not None:
                    own.setdefault(a, set()).add(control_id)
        # arrangement id -> the controls with evidence of its own
        self.own_controls: dict[str, frozenset[str]] = {a: frozenset(c) for a, c in own.items()}
        self.provisions = {p["provision_id"]: p for p in i.provisions}
        self.obligations = [_Obligation(self, o, self.provisions[o["obligation_id"]])
                            for o in sorted(i.obligations.values(), key=lambda r: r["ordinal"])]
        # control id -> (obligation, window) of each of its links applying to every arrangement
        self.all_obligations: dict[str, list[tuple[str, int]]] = {}
        for ob in self.obligations:
            for link, m in ob.all_links:
                self.all_obligations.setdefault(link["control_id"], []).append((ob.id, m))
        self.roll = RollUp(self.not_in_force)
        # per kind of subject: the obligations falling on it, and where their rows go in the roll-up
        self._trees: dict[tuple[bool, bool], tuple[list[_Obligation], Tree]] = {}
        self._unmet_: dict[tuple[str, tuple[str, ...]], Outcome] = {}
        self._outcomes: dict[Outcome, Outcome] = {}  # one object for outcomes alike (by value)

    # ------------------------------------------------------------ subjects

    def evaluate(self, arrangement: str | None) -> list[TraceRow]:
        # rules.sort_rows's order without sorting the rows: the subjects taken in `rules.subject_order`, their rows
        # put in one list per provision (a provision has one row per subject); a kind of subject's rows come in one
        # order of provisions, so where each goes is looked up once per kind
        by_provision: dict[int, list[TraceRow]] = {}
        places: dict[tuple[bool, bool], list[Callable[[TraceRow], None]]] = {}
        for subject in sorted(rules.subjects(self.i, arrangement), key=lambda s: rules.subject_order(s.subject_id)):
            kind = (subject.arrangement is None, subject.ended)
            known = self._trees.get(kind)
            if known is None:  # rules.falls_on depends on the kind of subject only
                mine = [ob for ob in self.obligations if rules.falls_on(ob.row, subject)]
                known = self._trees[kind] = (mine, Tree(self.provisions, [(ob.id, ob.rule) for ob in mine]))
            own_rows, outcomes = self._subject_rows(subject, known[0])
            rows = self.roll.roll_up(subject.subject_id, known[1], own_rows, outcomes)
            put = places.get(kind)
            if put is None:
                put = places[kind] = [by_provision.setdefault(row.ordinal, []).append for row in rows]
            for append, row in zip(put, rows, strict=True):
                append(row)
        return [row for ordinal in sorted(by_provision) for row in by_provision[ordinal]]

    def _subject_rows(self, subject: Subject, mine: Sequence[_Obligation]) -> tuple[list[TraceRow], list[Outcome]]:
        """The subject's obligation rows, in the order of `mine`, and the outcome each row was made from."""
        narrow = self._narrow(subject)
        facts = rules.base_facts(narrow, subject)
        here = _Arrangement(self, subject, narrow) if subject.arrangement is not None and not subject.ended else None
        items: dict[str, Outcome] = {}  # the contract items' outcomes, which decide contract_incomplete
        if here is not None:
            items = {ob.id: self._own(ob, subject, narrow, facts, here) for ob in mine if ob.rule == "contract_clause"}
            if contract_incomplete(outcome.status for outcome in items.values()):
                facts = facts | {"contract_incomplete"}
        rows = []
        outcomes = []
        subject_id = subject.subject_id
        for ob in mine:
            outcome = items.get(ob.id) if not ob.reads_contract_incomplete else None
            if outcome is None:
                outcome = self._own(ob, subject, narrow, facts, here)
            outcomes.append(outcome)
            row = template_row(ob.template)
            values = row.__dict__
            values.update(outcome.__dict__)
            values["subject"] = subject_id
            values["own_status"] = outcome.status
            if ob.shall is not None and ob.shall.holds(facts):  # rules.modality
                values["modality"] = "shall"
            rows.append(row)
        return rows, outcomes

    def _narrow(self, subject: Subject) -> TraceInputs:
        """The inputs with only what concerns the subject in the per-subject lists."""
        if subject.arrangement is None:
            return self.i
        aid = subject.subject_id
        narrow = copy.copy(self.i)
        audits = self.audits.get(aid, [])
        narrow.contracts = self.contracts.get(aid, [])
        narrow.audits = audits
        narrow.findings = [f for a in audits for f in self.findings.get(a.audit_id, [])]
        narrow.approvals = sorted(self.approvals.get(None, []) + self.approvals.get(aid, []),
                                  key=lambda ap: self.approval_order[id(ap)])
        csp_id = subject.arrangement.csp_id
        narrow.certifications = self.certifications.get(csp_id, []) if csp_id is not None else []
        narrow.systems = self.systems.get(aid, [])
        return narrow

    def not_in_force(self, provision_id: str) -> tuple[str, ...]:
        found = self._not_in_force.get(provision_id)
        if found is None:
            found = self._not_in_force[provision_id] = rules.not_in_force(self.i, provision_id)
        return found

    # ------------------------------------------------------------ one obligation for one subject

    def _own(self, ob: _Obligation, subject: Subject, narrow: TraceInputs, facts: frozenset[str],
             here: _Arrangement | None) -> Outcome:
        o = ob.row
        if subject.ended:
            outcome = rules.deletion_rule(narrow, o, subject)
        else:
            expr = ob.condition
            if expr is not None and not expr.holds(facts):
                return self._unmet(ob, expr, tuple(expr.unmet(facts)))
            if here is None:
                outcome = self._company_evidence(o, subject)
            elif ob.rule == "control_evidence":
                outcome = self._arrangement_evidence(ob, here)
            else:  # the other rules' outcomes are small, and alike for many subjects: one object for those alike
                outcome = rules.rule_outcome(narrow, o, subject)
                outcome = self._outcomes.setdefault(outcome, outcome)
        if subject.arrangement is not None and narrow.findings and (here is None or not here.cited.isdisjoint(ob.path)):
            # rules.overdue_findings, skipped where no open finding of the arrangement cites the obligation (then
            # it returns the outcome as it is)
            outcome = rules.overdue_findings(narrow, o, subject.subject_id, outcome)
        return outcome

    def _unmet(self, ob: _Obligation, expr: Expr, unmet: tuple[str, ...]) -> Outcome:
        """rules.applies where the condition fails: one object per obligation and facts unmet (the subjects alike
        share it, and so their parents' roll-up)."""
        key = (ob.id, unmet)
        outcome = self._unmet_.get(key)
        if outcome is None:
            outcome = self._unmet_[key] = Outcome("not_applicable", "conditions", cause=(
                cause("conditions_unmet", conditions=str(expr), unmet=unmet),))
        return outcome

    def _company_evidence(self, o: Row, subject: Subject) -> Outcome:
        """rules.control_evidence_rule for the company (every link counts, all the evidence)."""
        links = [(link, rules.window(link, o)) for link in self.i.controls.get(o["obligation_id"], [])]
        approvals = rules.approvals_for(self.i, o, subject) if self.i.approvals else []
        if not links and not approvals:  # certificates never count for the company
            return Outcome("gap", "no_control", cause=(cause("no_control", obligation=o["obligation_id"]),))
        keys = tuple(sorted({(link["control_id"], COMPANY, m) for link, m in links}))
        signature: _Signature = (keys, tuple(sorted(ap.approval_id for ap in approvals)))
        outcome = self._company.get(signature)
        if outcome is None:
            found = [self._company_found(key, subject) for key in keys]
            found += [rules.approval_evidence(ap, self.i.as_of) for ap in approvals]
            outcome = self._company[signature] = rules.combine(tuple(sorted({k[0] for k in keys})), found)
        applying = [link for link, _ in links if link.get("satisfies_targets")]
        return rules.with_vias(outcome, rules.control_vias(self.i, applying, o)) if applying else outcome

    def _arrangement_evidence(self, ob: _Obligation, here: _Arrangement) -> Outcome:
        """rules.control_evidence_rule for an arrangement in effect: the links applying to all (their evidence
        in the obligation's pool), adjusted by what is the arrangement's own."""
        if ob.shares and not here.approvals and here.id not in ob.naming and ob.id not in here.replaced \
                and not (here.certificates and ob.csp_meetable):
            return ob.shared(self)  # nothing of its own here: the outcome every such arrangement shares
        narrow, subject, o = here.narrow, here.subject, ob.row
        naming = ob.naming.get(here.id, ())
        replaced = here.replaced.get(ob.id, ())
        approvals = rules.approvals_for(narrow, o, subject) if narrow.approvals else []
        certificates = self._certificates(ob, here) if here.certificates and ob.csp_meetable else []
        if not ob.all_links and not naming and not approvals and not certificates:
            return Outcome("gap", "no_control", cause=(cause("no_control", obligation=ob.id),))
        combined: Outcome | None = None
        if not naming and not replaced and not approvals:
            if ob.all_links:
                combined = ob.shared(self)
        else:
            added = [self.found((c, here.id, m)) for c, m in replaced]
            aid, own = here.id, here.own
            added += [self.found((c, aid if c in own else None, m)) for c, m, _ in naming]
            added += [rules.approval_evidence(ap, narrow.as_of) for ap in approvals]
            controls = ob.controls
            extra = {c for c, _, _ in naming} - ob.all_controls if naming else set()
            if extra:
                listed = list(controls)
                for c in extra:
                    insort(listed, c)
                controls = tuple(listed)
            pool = ob.pool(self)
            combined, inserted, dropped = pool.combine(controls, [c for c, _ in replaced], added)
            self.roll.derived(combined.controls, ob.controls, extra, ())
            self.roll.derived(combined.evidence, pool.evidence, inserted, dropped)
        outcome = rules.with_certificates(combined, certificates) if certificates else combined
        assert outcome is not None
        applying = ob.applying + [link for _, _, link in naming if link.get("satisfies_targets")] if naming \
            else ob.applying
        return rules.with_vias(outcome, rules.control_vias(self.i, applying, o)) if applying else outcome

    def _certificates(self, ob: _Obligation, here: _Arrangement) -> list[tuple[Certification, tuple[str, ...]]]:
        """rules.certifications_for: the arrangement's certificates (its CSP's, in scope, valid; by id) with
        targets for the obligation."""
        found = []
        for c in here.certificates:
            key = (c.standard, ob.id)
            targets = self._targets.get(key)
            if targets is None:
                targets = self._targets[key] = rules.certificate_targets(self.i, c, ob.row)
            if targets:
                found.append((c, targets))
        return found

    def found(self, key: _LinkKey) -> Found:
        """rules.control_evidence for a link key, once per key."""
        found = self._found.get(key)
        if found is None:
            control_id, evidence_key, months = key
            per = self.i.evidence.get(control_id)
            blank = own = None
            if per is not None:  # rules.evidence_for: blank-arrangement evidence, plus the arrangement's own
                blank = per.get(None)
                own = per.get(evidence_key) if evidence_key is not None else None
            summary = blank.plus(own) if blank is not None and own is not None else blank or own or _EMPTY
            found = self._found[key] = rules.evaluate_summary(self.i, summary, months)
        return found

    def _company_found(self, key: _LinkKey, subject: Subject) -> Found:
        """rules.control_evidence for the company (all the evidence), once per key."""
        found = self._company_found_.get(key)
        if found is None:
            found = self._company_found_[key] = rules.control_evidence(self.i, key[0], subject, key[2])
        return found

_EMPTY = EvidenceSummary()  # no evidence (read, never changed)


def _group(items: Sequence[T], key: Callable[[T], str]) -> dict[str, list[T]]:
    grouped: dict[str, list[T]] = {}
    for item in items:
        grouped.setdefault(key(item), []).append(item)
    return grouped
