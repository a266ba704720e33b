"""The fast path gives the plain rules' rows: hypothesis draws random tenants over the seed regulation (company
facts, arrangements in effect, ended and not yet started, systems, controls, evidence, contracts, audits,
findings, approvals, CSP certificates with their scopes, and reviewed mappings that prove a provision) and
dates, and compares regtrace.trace.fast with regtrace.trace.rules row by row."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from functools import cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from regtrace.graph.port import Row
from regtrace.trace import evidence_groups, fast, fast_roll_up, rules
from regtrace.trace.model import (
    Approval,
    Arrangement,
    Audit,
    Certification,
    Contract,
    EvidenceSummary,
    Finding,
    System,
    TraceInputs,
    TraceRow,
    Via,
    cause,
)

from regtrace.seed import seed_graph

DAY0 = dt.date(2024, 1, 1)
CSPS = ("CSP1", "CSP2")
CERTIFIED = {"ISO27001": "ISO27001", "ISO27017": "ISO27017", "CSA-STAR": "CCM"}  # SOC2: no framework
# Mapped provisions: CSP-meetable ones, parents of some (A5.P1.I2, A9.P1.I4), and ones a CSP cannot meet.
MAPPED = ("A5.P1.I2.S6", "A7.P1.I3.S1", "A9.P1.I4.S2", "A9.P1.I4.S3", "A5.P1.I2", "A9.P1.I4", "A4.P3", "A6.P1.I1",
          "A7.P1.I1.S3")
ARRANGEMENT_FLAGS = ("material", "offshore", "natural_person_data", "customer_data", "self_managed", "hybrid_cloud",
                     "internet_access", "vm_or_container_images", "subcontracting", "foreign_branch")


@cache
def regulation() -> tuple[list[Row], dict[str, Row], dict[str, tuple[str, ...]], dict[str, Row], dict[str, str]]:
    graph = seed_graph()
    references: dict[str, tuple[str, ...]] = {}
    for link in graph.links[("REFERENCES", "Provision", "Instrument")]:
        references[link.source] = tuple(sorted({*references.get(link.source, ()), link.target}))
    instruments = {r["instrument_id"]: r for r in graph.instruments}
    successors = {link.source: link.target for link in graph.links[("SUPERSEDED_BY", "Instrument", "Instrument")]}
    return graph.provisions, {o["obligation_id"]: o for o in graph.obligations}, references, instruments, successors


def dates() -> st.SearchStrategy[dt.date]:
    return st.integers(0, 4 * 365).map(lambda n: DAY0 + dt.timedelta(days=n))


def maybe_dates() -> st.SearchStrategy[dt.date | None]:
    return st.none() | dates()


Evidence = tuple[str, str, str | None, dt.date, dt.date | None]  # evidence_id, control, arrangement, collected, until


@st.composite
def tenants(draw: st.DrawFn) -> TraceInputs:
    return tenant(draw, late=False)[0]


@st.composite
def late_tenants(draw: st.DrawFn) -> tuple[TraceInputs, list[Evidence]]:
    """A tenant traced on or after its newest evidence (every trace of today after a load), with its evidence."""
    return tenant(draw, late=True)


def tenant(draw: st.DrawFn, late: bool) -> tuple[TraceInputs, list[Evidence]]:
    provisions, obligations, references, instruments, successors = regulation()
    obligation_ids = sorted(obligations)
    cited_ids = [*obligation_ids, "A5", "A6.P1", "A9.P1", "A10.P1.I6", "A7.P1.I5"]
    contract_items = [o for o in obligation_ids if obligations[o]["rule"] == "contract_clause"]
    as_of = draw(dates())
    arrangement_ids = [f"ARR{n}" for n in range(draw(st.integers(0, 4)))]
    arrangements = []
    for aid in arrangement_ids:
        start = draw(maybe_dates())
        end = draw(maybe_dates())
        arrangements.append(Arrangement(aid, aid, draw(st.sampled_from(CSPS)),
                                        frozenset(draw(st.sets(st.sampled_from(ARRANGEMENT_FLAGS)))),
                                        draw(st.booleans()), start, end))
    systems = [System(f"S{n}", draw(st.sampled_from(arrangement_ids)), draw(st.none() | st.booleans()),
                      draw(st.none() | st.booleans()),
                      draw(st.none() | st.lists(st.sampled_from(("TW", "JP", "SG")), max_size=2).map(tuple)))
               for n in range(draw(st.integers(0, 3)))] if arrangement_ids else []
    controls: dict[str, list[Row]] = {}
    control_ids = [f"C{n}" for n in range(draw(st.integers(0, 6)))]
    for cid in control_ids:
        applies_all = draw(st.booleans())
        applies_to = [] if applies_all or not arrangement_ids else draw(st.lists(st.sampled_from(arrangement_ids)))
        frequency = draw(st.none() | st.sampled_from((3, 6, 12, 24)))
        for oid in draw(st.sets(st.sampled_from(obligation_ids), min_size=1, max_size=12)):
            controls.setdefault(oid, []).append({"control_id": cid, "obligation_id": oid,
                                                 "frequency_months": frequency, "applies_to_all": applies_all,
                                                 "applies_to": applies_to})
    raw = [(f"E{n}", draw(st.sampled_from(control_ids)), draw(st.none() | st.sampled_from(arrangement_ids or [None])),
            draw(dates()), draw(maybe_dates())) for n in range(draw(st.integers(0, 14)))] if control_ids else []
    if late:
        as_of = max([as_of, *(collected for _, _, _, collected, _ in raw)])
    evidence: dict[str, dict[str | None, EvidenceSummary]] = {}
    for eid, cid, aid, collected, valid_until in raw:
        if collected > as_of:
            continue
        stamp = f"{collected.isoformat()}|{eid}"
        unexpired = stamp if valid_until is None or valid_until >= as_of else None
        evidence.setdefault(cid, {}).setdefault(aid, EvidenceSummary()).add(
            {"count": 1, "latest": stamp, "latest_unexpired": unexpired})
    contracts = [Contract(f"K{n}", draw(st.sampled_from(arrangement_ids)), draw(maybe_dates()),
                          draw(maybe_dates()), frozenset(draw(st.sets(st.sampled_from(contract_items)))))
                 for n in range(draw(st.integers(0, 4)))] if arrangement_ids else []
    audits = [Audit(f"AU{n}", draw(st.sampled_from(arrangement_ids)), draw(st.sampled_from(("general", "project"))),
                    draw(dates()), draw(st.booleans()))
              for n in range(draw(st.integers(0, 6)))] if arrangement_ids else []
    audits = [a for a in audits if a.performed_on <= as_of]  # as the store reads them
    findings = [Finding(f"F{n}", draw(st.sampled_from([a.audit_id for a in audits])), "high",
                        draw(st.sampled_from(("open", "closed"))), draw(st.none() | dates()), draw(maybe_dates()),
                        tuple(draw(st.lists(st.sampled_from(cited_ids), max_size=2))))
                for n in range(draw(st.integers(0, 5)))] if audits else []
    approvals = [Approval(f"AP{n}", draw(st.none() | st.sampled_from(arrangement_ids or [None])),
                          draw(st.sampled_from(("fsc_approval", "board_resolution"))), draw(dates()),
                          draw(maybe_dates()),
                          tuple(draw(st.lists(st.sampled_from(cited_ids), min_size=1, max_size=2))))
                 for n in range(draw(st.integers(0, 3)))]
    certifications = [Certification(f"CERT{n}", draw(st.sampled_from(CSPS)),
                                    draw(st.sampled_from((*CERTIFIED, "SOC2"))), draw(maybe_dates()), draw(dates()),
                                    draw(st.booleans()), frozenset(draw(st.sets(st.sampled_from(arrangement_ids)))
                                                                   if arrangement_ids else ()))
                      for n in range(draw(st.integers(0, 4)))]
    proving = {(framework, pid): tuple(sorted(f"{framework}:{code}"
                                              for code in draw(st.sets(st.sampled_from(("X-1", "X-2")), min_size=1))))
               for framework, pid in draw(st.sets(st.tuples(st.sampled_from(sorted(set(CERTIFIED.values()))),
                                                           st.sampled_from(MAPPED)), max_size=8))}
    return TraceInputs(
        as_of=as_of, provisions=provisions, obligations=obligations, arrangements=arrangements,
        company_facts=frozenset(draw(st.sets(st.sampled_from(("foreign_branch", "multi_cloud"))))),
        systems=systems, controls=controls, evidence=evidence,
        evidence_valid_until={eid: valid_until for eid, _, _, _, valid_until in raw},
        contracts=contracts, audits=audits, findings=findings, approvals=approvals,
        references=references, instruments=instruments, successors=successors,
        certifications=certifications, certified_frameworks=CERTIFIED, proving=proving), raw


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(tenants())
def test_fast_path_equals_the_plain_rules(inputs: TraceInputs) -> None:
    assert fast.evaluate(inputs) == rules.evaluate(inputs)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(tenants(), st.integers(0, 3))
def test_fast_path_equals_the_plain_rules_for_one_arrangement(inputs: TraceInputs, n: int) -> None:
    assert fast.evaluate(inputs, f"ARR{n}") == rules.evaluate(inputs, f"ARR{n}")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(late_tenants())
def test_fast_path_reading_the_evidence_summary_equals_the_plain_rules(drawn: tuple[TraceInputs, list[Evidence]],
                                                                       ) -> None:
    """The trace of the store reads the evidence through the summary kept per control and arrangement
    (regtrace.trace.evidence_groups): the fast path over it gives the plain rules' rows over the evidence rows."""
    inputs, raw = drawn
    groups = evidence_groups.group_rows("t1", [(cid, aid, collected, eid, until)
                                               for eid, cid, aid, collected, until in raw])
    summarised = evidence_groups.summaries_on(groups, inputs.as_of)
    assert summarised is not None
    through_summary = replace(inputs, evidence=summarised[0], evidence_valid_until=summarised[1])
    assert fast.evaluate(through_summary) == rules.evaluate(inputs)


EVIDENCE_IDS = ("E0", "E1", "E2", "E3", "E4")


@st.composite
def found(draw: st.DrawFn) -> rules.Found:
    """A control's (or approval's) Found as rules.control_evidence makes them: an evidence id names one item, so
    one collected_on."""
    evidence_id = draw(st.none() | st.sampled_from(EVIDENCE_IDS))
    if evidence_id is None:
        return rules.Found(None)
    collected = DAY0 + dt.timedelta(days=EVIDENCE_IDS.index(evidence_id))
    if draw(st.booleans()):
        return rules.Found(evidence_id, draw(maybe_dates()), True, collected_on=collected)
    return rules.Found(evidence_id, None, False, draw(dates()), collected)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(("C0", "C1", "C2", "C3")), found()), max_size=6),
       st.sets(st.sampled_from(("C0", "C1", "C2", "C3"))), st.lists(found(), max_size=3))
def test_an_obligations_evidence_adjusted_per_arrangement_is_the_plain_combination(
        entries: list[tuple[str, rules.Found]], removed: set[str], added: list[rules.Found]) -> None:
    """The fast path summarises the evidence of the links applying to every arrangement once and adjusts it by an
    arrangement's own (the controls whose evidence it replaces, the Found it adds): rules.combine of the result."""
    controls = tuple(sorted({c for c, _ in entries}))
    kept = [f for c, f in entries if c not in removed]
    assert fast._Pool(entries).combine(controls, removed, added)[0] == rules.combine(controls, kept + added)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sets(st.sampled_from("abcdefgh")), min_size=1, max_size=4),
       st.lists(st.tuples(st.integers(0, 3), st.sets(st.sampled_from("abcdefghij")), st.booleans()), max_size=6))
def test_the_roll_up_unions_from_shared_bases_are_the_plain_unions(
        shared: list[set[str]], parts: list[tuple[int, set[str], bool]]) -> None:
    """A part made from a shared tuple (the obligation's evidence or controls, less and plus an arrangement's own)
    is united through its base: the answer is rules.union of the parts as they are."""
    bases = [tuple(sorted(s)) for s in shared]
    engine = fast_roll_up.RollUp(lambda provision_id: ())
    made: list[tuple[str, ...]] = []
    for n, items, derived in parts:
        base = bases[n % len(bases)]
        part = tuple(sorted(items))
        if derived:
            engine.derived(part, base, set(part) - set(base), set(base) - set(part))
        made.append(part)
    for chosen in (made, made + bases, bases, made[:1] * 3):  # the last: one made tuple, several times
        assert engine.union(chosen) == rules.union(chosen)


STATUS_WORDS = ("gap", "unevidenced", "stale", "covered", "not_applicable")


@st.composite
def obligation_rows(draw: st.DrawFn, provision: str) -> TraceRow:
    """An obligation's row as the rules make them: an own status, and the lists a parent unites."""
    status = draw(st.sampled_from(STATUS_WORDS))

    def ids(alphabet: str) -> tuple[str, ...]:
        return tuple(sorted(draw(st.sets(st.sampled_from(alphabet), max_size=3))))

    return TraceRow(
        provision=provision, label=provision, article=1, ordinal=draw(st.integers(0, 9)), leaf=True,
        modality=draw(st.sampled_from(("shall", "should"))), rule="control_evidence", subject="A1", status=status,
        reason="fresh", controls=ids("CDE"), evidence=ids("abcd"), contracts=ids("KL"), audits=ids("UV"),
        fresh_until=draw(maybe_dates()),
        cause=tuple(cause(k, n=draw(st.integers(0, 2)))  # type: ignore[arg-type]
                    for k in draw(st.lists(st.sampled_from(("no_evidence", "no_control", "evidence_lapsed")),
                                           max_size=2))),
        own_status=status, open_findings=ids("FG"), warnings=ids("wx"), certifications=ids("Z"),
        mapped_via=tuple(sorted(Via("control", c, "ISO27001:A.5") for c in ids("CD"))))


@settings(max_examples=300, deadline=None)
@given(st.lists(obligation_rows("A1.P1.I1"), max_size=6), st.none() | obligation_rows("A1.P1"),
       st.sampled_from(("shall", "should")), st.booleans())
def test_a_parent_row_of_the_fast_path_is_the_plain_one(below: list[TraceRow], own: TraceRow | None,
                                                        modality: str, shared: bool) -> None:
    """The fast path's roll-up (rules.parent_status's decision, the lists gathered in one pass and united through
    the remembering unions, quick rows) gives the plain row, whatever the statuses below (all not applicable,
    ties, a lead-in's own duty worse or better than its children's)."""
    p = {"provision_id": "A1.P1", "label": "A1.P1", "article": 1, "ordinal": 0, "effective_modality": modality}
    inputs = TraceInputs(as_of=DAY0, provisions=[], obligations={}, arrangements=[])
    engine = fast_roll_up.RollUp(lambda provision_id: rules.not_in_force(inputs, provision_id))
    if shared and below:  # a part derived from another's evidence goes through the shared bases
        engine.derived(below[0].evidence, below[-1].evidence, set(below[0].evidence) - set(below[-1].evidence),
                        set(below[-1].evidence) - set(below[0].evidence))
    quick = engine.parent_row(p, "A1", engine.parent_values(below, own), own)
    assert quick == rules.parent_row(inputs, p, "A1", below, own)
    # the decision is remembered by the statuses: rows of the same statuses with other causes give theirs
    moved = [replace(r, cause=(*r.cause[::-1], cause("no_control", n=n))) for n, r in enumerate(below)]
    assert engine.parent_row(p, "A1", engine.parent_values(moved, own), own) == rules.parent_row(
        inputs, p, "A1", moved, own)
