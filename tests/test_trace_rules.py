"""The rules of issue 10 at their boundaries (the day before, on, after), over the seed regulation in a real
store (every store kind in turn). Expected values are worked out from the regulation and README "Trace
semantics"."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from regtrace.graph.port import Store
from regtrace.trace import COMPANY, TraceRow, trace
from regtrace.trace.coverage import overall
from trace_fixtures import Registers, row

from regtrace.regulation_graph import obligations_under

D = dt.date(2026, 11, 29)
DAY = dt.timedelta(days=1)
MATERIAL_NPD_OFFSHORE = ["material", "natural_person_data", "offshore"]
CONTRACT_ITEMS = [f"A6.P1.I{n}" for n in range(1, 7)]  # I7 applies to material offshore npd systems only
A5P1_BELOW = ["A5.P1.I1", "A5.P1.I2", *(f"A5.P1.I2.S{n}" for n in range(1, 8))]


@pytest.fixture
def store(seeded_store: Store) -> Store:
    """Each store kind in turn, with the seed (tests/store_fixtures.py)."""
    return seeded_store



def causes(r: TraceRow) -> list[dict[str, Any]]:
    return [c.to_json() for c in r.cause]


def registers(*facts: str, end: dt.date | None = None) -> Registers:
    reg = Registers()
    reg.csp()
    reg.arrangement("ARR1", list(facts), end=end)
    return reg


# ---------------------------------------------------------------- 7. exit lifecycle


END = dt.date(2026, 6, 30)


@pytest.mark.parametrize(("as_of", "ended"), [(END - DAY, False), (END, False), (END + DAY, True)])
def test_an_arrangement_is_ended_from_the_day_after_its_end_date(store: Store, as_of: dt.date, ended: bool) -> None:
    registers(end=END).write(store)
    mine = {r.provision for r in trace(store, "t1", as_of) if r.subject == "ARR1"}
    if ended:
        assert mine == {"A10.P1.I6.S2", "A10.P1.I6", "A10.P1", "A10"}
    else:
        assert {"A5.P1.I1", "A7.P1.I1.S2", "A10.P1.I6.S2", "A10.P1.I6.S1"} <= mine


@pytest.mark.parametrize(("collected", "arrangement", "expected"), [
    (END - DAY, "ARR1", "gap"),  # collected before the end: not a record of deletion at termination
    (END, "ARR1", "covered"),
    (END + DAY, "ARR1", "covered"),
    (END + DAY, None, "gap"),  # evidence naming no arrangement is no deletion record of this one
])
def test_deletion_record_on_or_after_the_end_date(store: Store, collected: dt.date, arrangement: str | None,
                                                  expected: str) -> None:
    reg = registers(end=END)
    reg.control("C-DEL", ["A10.P1.I6.S2"], frequency=1)
    reg.evidence("E-DEL", "C-DEL", collected, arrangement, valid_until=END + DAY)
    reg.write(store)
    as_of = dt.date(2029, 1, 1)  # years later, past the window and valid_until: a record does not go stale
    rows = trace(store, "t1", as_of)
    s2 = row(rows, "A10.P1.I6.S2", "ARR1")
    assert s2.status == expected
    if expected == "gap":
        assert causes(s2) == [{"kind": "no_deletion_record", "arrangement": "ARR1", "end_date": "2026-06-30"}]
    lead_in = row(rows, "A10.P1.I6", "ARR1")  # rolls up from that one row alone: its own duty is not asked
    assert (lead_in.status, lead_in.own_status, lead_in.children_status) == (expected, None, expected)


# ---------------------------------------------------------------- 6. findings


def _finding_registers(status: str, due: dt.date, closed: dt.date | None = None) -> Registers:
    reg = registers()
    reg.control("C-FIX", ["A9.P1.I3"], frequency=12)
    reg.evidence("E-FIX", "C-FIX", D - DAY, "ARR1")  # fresh: the evidence alone would say covered
    reg.audit("AU1", "ARR1", "general", dt.date(2026, 3, 1))
    reg.finding("F1", "AU1", status, due, closed)
    return reg


@pytest.mark.parametrize(("due", "expected"), [(D - DAY, "gap"), (D, "covered"), (D + DAY, "covered")])
def test_an_open_finding_past_its_due_date_is_a_gap_whatever_the_evidence(store: Store, due: dt.date,
                                                                          expected: str) -> None:
    _finding_registers("open", due).write(store)
    rows = trace(store, "t1", D)
    tracking = row(rows, "A9.P1.I3", "ARR1")  # blank provisions: the duty to track remediation
    assert tracking.status == expected
    if expected == "gap":
        assert tracking.reason == "finding_overdue"
        assert causes(tracking) == [{"kind": "finding_overdue", "finding": "F1", "audit": "AU1", "severity": "high",
                                     "due_on": due.isoformat()}]
        assert tracking.evidence == ("E-FIX",) and tracking.open_findings == ()
        assert row(rows, "A9.P1", "ARR1").children_status == "gap" and row(rows, "A9", "ARR1").status == "gap"
    else:
        assert tracking.cause == () and tracking.open_findings == ("F1",)  # named, status unchanged


@pytest.mark.parametrize(("closed", "expected"), [(D - DAY, "covered"), (D, "covered"), (D + DAY, "gap")])
def test_a_finding_closed_after_the_date_was_still_open_on_it(store: Store, closed: dt.date, expected: str) -> None:
    _finding_registers("closed", dt.date(2026, 9, 30), closed).write(store)
    assert row(trace(store, "t1", D), "A9.P1.I3", "ARR1").status == expected


# ---------------------------------------------------------------- 2. lead-in duties


def test_a_lead_in_needs_a_control_of_its_own(store: Store) -> None:
    reg = registers()
    reg.control("C-ITEMS", A5P1_BELOW)  # its items only
    reg.evidence("E-ITEMS", "C-ITEMS", D - DAY)
    reg.write(store)
    rows = trace(store, "t1", D)
    lead = row(rows, "A5.P1", "ARR1")
    assert (lead.status, lead.own_status, lead.children_status) == ("gap", "gap", "covered")
    assert causes(lead) == [{"kind": "no_control", "obligation": "A5.P1"}]
    assert lead.to_json()["own_status"] == "gap" and lead.to_json()["children_status"] == "covered"

    reg.control("C-DD", ["A5.P1"])  # 盡職調查及定期審查 itself
    reg.evidence("E-DD", "C-DD", D - DAY)
    reg.write(store)
    rows = trace(store, "t1", D)
    lead = row(rows, "A5.P1", "ARR1")
    assert (lead.status, lead.own_status, lead.children_status) == ("covered", "covered", "covered")
    assert lead.controls == ("C-DD", "C-ITEMS")


def test_a5_p1_i2_is_shall_while_its_items_stay_should(store: Store) -> None:
    registers().write(store)
    rows = trace(store, "t1", D)
    assert row(rows, "A5.P1.I2", "ARR1").modality == "shall"
    assert {row(rows, f"A5.P1.I2.S{n}", "ARR1").modality for n in range(1, 8)} == {"should"}
    assert row(rows, "A10.P1.I6.S1", "ARR1").modality == "shall"


def test_a_control_satisfying_a_provision_above_meets_the_lead_in(store: Store) -> None:
    under = obligations_under(store)
    assert "A5.P1" in under["A5"] and "A5.P1" in under["A5.P1"] and "A5.P1" not in under["A5.P1.I1"]


def test_lead_ins_count_once_in_coverage(store: Store) -> None:
    registers().write(store)
    rows = trace(store, "t1", D)
    # 87 obligations: 22 on the company, 64 on each arrangement, A2.P2 on both (README "Trace semantics").
    on_company = [r for r in rows if r.subject == COMPANY and r.obligation]
    on_arr = [r for r in rows if r.subject == "ARR1" and r.obligation]
    assert (len(on_company), len(on_arr)) == (23, 65)
    assert sum(overall(rows).counts.values()) == 23 + 65


# ---------------------------------------------------------------- 1. conditions


@pytest.mark.parametrize(("facts", "s1", "s2"), [
    (MATERIAL_NPD_OFFSHORE, "gap", "not_applicable"),
    (["material", "natural_person_data"], "not_applicable", "gap"),
    ([], "not_applicable", "gap"),
])
def test_a9_p1_i1_s2_applies_only_where_s1_does_not(store: Store, facts: list[str], s1: str, s2: str) -> None:
    registers(*facts).write(store)
    rows = trace(store, "t1", D)
    assert (row(rows, "A9.P1.I1.S1", "ARR1").status, row(rows, "A9.P1.I1.S2", "ARR1").status) == (s1, s2)
    if s2 == "not_applicable":
        assert causes(row(rows, "A9.P1.I1.S2", "ARR1")) == [{
            "kind": "conditions_unmet", "conditions": "not material_npd_offshore_system",
            "unmet": ["not material_npd_offshore_system"]}]


@pytest.mark.parametrize(("expires", "a6p2"), [(D - DAY, "gap"), (D, "not_applicable"), (None, "not_applicable")])
def test_a6_p2_applies_only_while_the_contract_is_incomplete(store: Store, expires: dt.date | None,
                                                             a6p2: str) -> None:
    reg = registers()
    reg.contract("K1", "ARR1", CONTRACT_ITEMS, dt.date(2024, 1, 1), expires)
    reg.write(store)
    rows = trace(store, "t1", D)
    assert row(rows, "A6.P2", "ARR1").status == a6p2
    if expires is not None and expires < D:
        assert causes(row(rows, "A6.P1.I1", "ARR1")) == [
            {"kind": "contract_expired", "contract": "K1", "expires_on": expires.isoformat()}]


def test_a6_p2_applies_when_one_applicable_item_is_missing(store: Store) -> None:
    reg = registers()
    reg.contract("K1", "ARR1", CONTRACT_ITEMS[:-1], dt.date(2024, 1, 1))
    reg.write(store)
    rows = trace(store, "t1", D)
    assert row(rows, "A6.P1.I6", "ARR1").status == "gap"
    assert causes(row(rows, "A6.P1.I6", "ARR1")) == [{"kind": "no_contract", "arrangement": "ARR1"}]
    assert row(rows, "A6.P2", "ARR1").status == "gap"


@pytest.mark.parametrize(("performed", "independent", "expected"), [
    (D, True, "gap"), (D + DAY, True, "not_applicable"), (D - DAY, False, "not_applicable")])
def test_a9_p1_i2_applies_with_an_independent_audit_on_or_before_the_date(
        store: Store, performed: dt.date, independent: bool, expected: str) -> None:
    reg = registers()
    reg.audit("AU1", "ARR1", "general", performed, independent)
    reg.write(store)
    assert row(trace(store, "t1", D), "A9.P1.I2", "ARR1").status == expected


# ---------------------------------------------------------------- 9. instruments in time


@pytest.mark.parametrize(("as_of", "expected"), [
    (dt.date(2026, 1, 1), []), (dt.date(2026, 1, 2), ["FSC-OUTSOURCING-DIRECTIONS"])])
def test_references_to_the_directions_are_flagged_from_their_abolition(store: Store, as_of: dt.date,
                                                                       expected: list[str]) -> None:
    registers().write(store)
    rows = trace(store, "t1", as_of)
    assert row(rows, "A6.P1", "ARR1").to_json()["references_not_in_force"] == expected  # 第九點及第十六點
    assert row(rows, "A2.P1", COMPANY).to_json()["references_not_in_force"] == expected
    assert row(rows, "A7.P1.I1.S2", "ARR1").to_json()["references_not_in_force"] == []


# ---------------------------------------------------------------- 10. causes


@pytest.mark.parametrize(("as_of", "expected"), [(D, "covered"), (D + DAY, "stale")])
def test_evidence_lapsed_names_the_day_it_stopped_being_fresh(store: Store, as_of: dt.date, expected: str) -> None:
    reg = registers()
    reg.control("C1", ["A7.P1.I1.S2"], frequency=12)
    reg.evidence("E1", "C1", dt.date(2025, 11, 29), "ARR1")
    reg.write(store)
    r = row(trace(store, "t1", as_of), "A7.P1.I1.S2", "ARR1")
    assert r.status == expected
    if expected == "stale":
        assert causes(r) == [{"kind": "evidence_lapsed", "evidence": "E1", "collected_on": "2025-11-29",
                              "stale_since": "2026-11-30"}]


def test_evidence_past_valid_until_stopped_being_fresh_the_day_after(store: Store) -> None:
    reg = registers()
    reg.control("C1", ["A7.P1.I1.S2"], frequency=12)
    reg.evidence("E1", "C1", dt.date(2026, 6, 1), "ARR1", valid_until=dt.date(2026, 11, 28))
    reg.write(store)
    r = row(trace(store, "t1", D), "A7.P1.I1.S2", "ARR1")
    assert r.status == "stale"
    assert causes(r) == [{"kind": "evidence_lapsed", "evidence": "E1", "collected_on": "2026-06-01",
                          "stale_since": "2026-11-29"}]


def test_audit_causes(store: Store) -> None:
    reg = registers(*MATERIAL_NPD_OFFSHORE)
    reg.arrangement("ARR2", MATERIAL_NPD_OFFSHORE)
    reg.audit("AU1", "ARR1", "general", dt.date(2025, 11, 29))  # the first day of the 12-month window
    reg.write(store)
    rows = trace(store, "t1", D)
    incomplete = row(rows, "A9.P1.I1.S1", "ARR1")
    assert incomplete.status == "stale" and causes(incomplete) == [{
        "kind": "audit_incomplete", "missing": ["project"], "window_start": "2025-11-29",
        "last_general_on": "2025-11-29", "last_project_on": None}]
    assert causes(row(rows, "A9.P1.I1.S1", "ARR2")) == [{"kind": "audit_missing", "arrangement": "ARR2"}]


def test_every_row_not_covered_names_a_cause(store: Store) -> None:
    reg = registers(*MATERIAL_NPD_OFFSHORE)
    reg.control("C1", ["A7.P1.I1.S2", "A4.P1.I1"])
    reg.write(store)
    rows = trace(store, "t1", D)
    assert all(r.cause for r in rows if r.status != "covered")
    assert {c.kind for r in rows for c in r.cause} >= {"no_control", "no_evidence", "no_contract", "audit_missing",
                                                       "conditions_unmet"}


# ---------------------------------------------------------------- 3. the company


@pytest.mark.parametrize(("company_branch", "arrangement_branch", "on_company", "on_arrangement"), [
    (True, False, "gap", "not_applicable"),
    (False, True, "not_applicable", "gap"),
    (None, False, "not_applicable", "not_applicable"),  # no company row: not a foreign branch
])
def test_a2_p2_falls_on_the_arrangement_and_on_the_company(
        store: Store, company_branch: bool | None, arrangement_branch: bool, on_company: str,
        on_arrangement: str) -> None:
    reg = registers(*(["foreign_branch"] if arrangement_branch else []))
    if company_branch is not None:
        reg.company(foreign_branch=company_branch)
    reg.write(store)
    rows = trace(store, "t1", D)
    assert (row(rows, "A2.P2", COMPANY).status, row(rows, "A2.P2", "ARR1").status) == (on_company, on_arrangement)


@pytest.mark.parametrize(("multi_cloud", "modality"), [(False, "should"), (True, "shall")])
def test_a4_p2_i3_binds_as_shall_with_multi_cloud(store: Store, multi_cloud: bool, modality: str) -> None:
    reg = registers()
    reg.company(multi_cloud=multi_cloud)
    reg.write(store)
    r = row(trace(store, "t1", D), "A4.P2.I3", COMPANY)
    assert (r.modality, r.status) == (modality, "gap")


# ---------------------------------------------------------------- 4. systems decide materiality


@pytest.mark.parametrize(("flags", "systems", "s1"), [
    (MATERIAL_NPD_OFFSHORE, [], "gap"),  # no system describes it: the arrangement's flags decide
    ([], [(True, True, ["TW", "JP"])], "gap"),  # one material npd system processed in JP
    ([], [(True, True, ["TW"])], "not_applicable"),  # in Taiwan only
    ([], [(True, None, ["SG"]), (None, True, ["SG"])], "not_applicable"),  # no one system has all three
    (MATERIAL_NPD_OFFSHORE, [(False, None, None)], "not_applicable"),  # a system says it is not material
    (MATERIAL_NPD_OFFSHORE, [(None, None, None)], "gap"),  # systems without the columns: the flags decide
])
def test_material_npd_offshore_system(store: Store, flags: list[str],
                                      systems: list[tuple[bool | None, bool | None, list[str] | None]],
                                      s1: str) -> None:
    reg = registers(*flags)
    for n, (material, npd, locations) in enumerate(systems):
        reg.system(f"S{n}", "ARR1", material, npd, locations)
    reg.write(store)
    rows = trace(store, "t1", D)
    assert row(rows, "A9.P1.I1.S1", "ARR1").status == s1
    assert row(rows, "A6.P1.I7", "ARR1").status == s1  # no contract: a gap where it applies


# ---------------------------------------------------------------- 8. approvals


@pytest.mark.parametrize(("decided", "valid_until", "expected"), [
    (D + DAY, None, "gap"),  # not decided yet on D
    (D, None, "covered"),
    (dt.date(2020, 1, 1), D, "covered"),  # valid through its valid_until
    (dt.date(2020, 1, 1), D - DAY, "stale"),
])
def test_an_approval_counts_as_evidence_for_what_it_cites(store: Store, decided: dt.date,
                                                          valid_until: dt.date | None, expected: str) -> None:
    reg = registers()
    reg.approval("AP1", ["A4.P1.I1"], decided, valid_until)
    reg.write(store)
    r = row(trace(store, "t1", D), "A4.P1.I1", COMPANY)
    assert r.status == expected
    if expected == "covered":
        assert r.evidence == ("AP1",)
    if expected == "stale":
        assert causes(r) == [{"kind": "evidence_lapsed", "evidence": "AP1", "collected_on": "2020-01-01",
                              "stale_since": D.isoformat()}]


def test_an_arrangements_approval_counts_for_that_arrangement_only(store: Store) -> None:
    reg = registers()
    reg.arrangement("ARR2", [])
    reg.approval("AP1", ["A7.P1.I1.S2"], dt.date(2026, 1, 1), arrangement="ARR1", kind="fsc_approval")
    reg.write(store)
    rows = trace(store, "t1", D)
    assert (row(rows, "A7.P1.I1.S2", "ARR1").status, row(rows, "A7.P1.I1.S2", "ARR2").status) == ("covered", "gap")


# ---------------------------------------------------------------- 6. findings citing provisions


def test_an_overdue_finding_makes_what_it_cites_and_a9_p1_i3_gaps(store: Store) -> None:
    reg = registers()
    reg.control("C1", ["A7.P1.I1.S2", "A9.P1.I3"])
    reg.evidence("E1", "C1", D - DAY)
    reg.audit("AU1", "ARR1", "project", dt.date(2026, 5, 1))
    reg.finding("F1", "AU1", "open", dt.date(2026, 10, 31), severity="medium", cites=["A7.P1.I1.S2"])
    reg.write(store)
    rows = trace(store, "t1", D)
    for provision in ("A7.P1.I1.S2", "A9.P1.I3"):
        assert row(rows, provision, "ARR1").status == "gap"
        assert causes(row(rows, provision, "ARR1")) == [{
            "kind": "finding_overdue", "finding": "F1", "audit": "AU1", "severity": "medium",
            "due_on": "2026-10-31"}]
    assert row(rows, "A7.P1.I1.S2", "ARR1").evidence == ("E1",)
    assert row(rows, "A7.P1.I1", "ARR1").status == "gap"  # the roll-up follows


@pytest.mark.parametrize(("as_of", "warned"), [(dt.date(2026, 1, 1), False), (dt.date(2026, 1, 2), True)])
def test_a_contract_without_a_term_is_warned_about_once_the_regulations_are_in_force(
        store: Store, as_of: dt.date, warned: bool) -> None:
    reg = registers()
    reg.contract("K1", "ARR1", ["A6.P1.I1"], dt.date(2024, 1, 1))  # no expires_on
    reg.contract("K2", "ARR1", ["A6.P1.I2"], dt.date(2024, 1, 1), dt.date(2028, 12, 31))
    reg.write(store)
    rows = trace(store, "t1", as_of)
    item1, item2 = row(rows, "A6.P1.I1", "ARR1"), row(rows, "A6.P1.I2", "ARR1")
    assert item1.status == item2.status == "covered" and item2.warnings == ()
    assert bool(item1.warnings) == warned
    if warned:
        assert "K1" in item1.warnings[0] and "FSC-OUTSOURCING-REGS" in item1.warnings[0]
        assert item1.to_json()["warnings"] == list(item1.warnings)
