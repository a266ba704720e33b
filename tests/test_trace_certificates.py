"""A CSP's certificate as evidence (issue 12 point 3), over the seed regulation and the shipped, reviewed
crosswalks in a real store (each store kind in turn). Expected values come from the regulation and README
"Trace semantics":

* A9.P1.I4.S2 「評估資料中心實體安全控制之充足性」 (should; applies to material arrangements) is CSP-meetable and
  ISO/IEC 27001:2022 A.7 (the physical controls theme) is mapped `subset` in a reviewed set; CSA CCM DCS too.
* A5.P1.I2.S6 (logical separation from other tenants; should; every arrangement) is CSP-meetable and mapped
  `subset` to ISO/IEC 27017 CLD.9.5.1 and CCM IVS-06.
* A7.P1.I3.S1 (encryption of customer data) is mapped `subset` to CCM CEK-03 but is not CSP-meetable (the
  insurer's own measure): a certificate never counts for it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from regtrace.crosswalk.importing import SetOptions
from regtrace.crosswalk.store_io import import_mapping_file
from regtrace.graph.port import Store
from regtrace.trace import trace
from trace_fixtures import Registers, row

D = dt.date(2026, 11, 29)
DAY = dt.timedelta(days=1)
PHYSICAL = "A9.P1.I4.S2"
TENANCY = "A5.P1.I2.S6"


@pytest.fixture
def store(seeded_store: Store) -> Store:
    """Each store kind in turn, with the seed (tests/store_fixtures.py)."""
    return seeded_store



def two_arrangements(*facts: str) -> Registers:
    reg = Registers()
    reg.csp("CSP1")
    reg.csp("CSP2")
    reg.arrangement("ARR1", list(facts))
    reg.arrangement("ARR2", list(facts))
    reg.arrangement("ARR3", list(facts), csp="CSP2")
    return reg


def test_a_certificate_counts_through_valid_until_and_not_the_day_after(store: Store) -> None:
    reg = two_arrangements("material")
    reg.certification("CERT-ISO", "ISO27001", valid_until=D, valid_from=D - 365 * DAY)
    reg.write(store)
    on_d = row(trace(store, "t1", D), PHYSICAL, "ARR1")
    assert (on_d.status, on_d.reason) == ("covered", "certified")
    assert on_d.certifications == ("CERT-ISO",) and "CERT-ISO" in on_d.evidence and on_d.fresh_until == D
    assert on_d.to_json()["mapped_via"] == [{"certification": "CERT-ISO", "target": "ISO27001:A.7"}]
    assert "CERT-ISO → ISO27001:A.7" in on_d.explanation
    after = row(trace(store, "t1", D + DAY), PHYSICAL, "ARR1")
    assert (after.status, after.certifications, after.to_json()["certifications"]) == ("gap", (), [])
    before = row(trace(store, "t1", D - 366 * DAY), PHYSICAL, "ARR1")  # the day before valid_from
    assert before.status == "gap" and before.certifications == ()
    # the roll-up above names it; the company is no arrangement and never gets a certificate
    rows = trace(store, "t1", D)
    assert row(rows, "A9.P1.I4", "ARR1").certifications == ("CERT-ISO",)
    assert all(r.certifications == () for r in rows if r.subject == "company")
    # no reviewed equal/subset ISO 27001 mapping reaches A5.P1.I2.S6 (A.8.22 is intersect): still a gap
    assert row(rows, TENANCY, "ARR1").status == "gap"


def test_scope_star_named_blank_and_another_csp(store: Store) -> None:
    reg = two_arrangements()
    reg.certification("C-STAR", "ISO27017", D, scope=None)  # *: ARR1 and ARR2 (CSP1), not ARR3 (CSP2)
    reg.certification("C-NAMED", "CSA-STAR", D, csp="CSP2", scope=["ARR3"])
    reg.certification("C-BLANK", "CSA-STAR", D, scope=[])  # no claim: counts nowhere
    reg.write(store)
    rows = trace(store, "t1", D)
    assert [row(rows, TENANCY, a).certifications for a in ("ARR1", "ARR2", "ARR3")] == [
        ("C-STAR",), ("C-STAR",), ("C-NAMED",)]
    assert row(rows, TENANCY, "ARR3").to_json()["mapped_via"] == [{"certification": "C-NAMED", "target": "CCM:IVS-06"}]
    assert row(rows, TENANCY, "ARR1").to_json()["mapped_via"] == [
        {"certification": "C-STAR", "target": "ISO27017:CLD.9.5.1"}]


def test_scope_naming_one_arrangement_leaves_the_other_uncovered(store: Store) -> None:
    reg = two_arrangements("material")
    reg.certification("C-ONE", "CSA-STAR", D, scope=["ARR2"])
    reg.write(store)
    rows = trace(store, "t1", D)
    assert row(rows, PHYSICAL, "ARR1").status == "gap"
    two = row(rows, PHYSICAL, "ARR2")
    assert two.status == "covered" and two.to_json()["mapped_via"] == [{"certification": "C-ONE", "target": "CCM:DCS"}]
    assert row(rows, "A9.P1.I4.S3", "ARR2").certifications == ("C-ONE",)  # BCR subset: continuity controls


def test_standards_without_a_framework_and_provisions_a_csp_cannot_meet(store: Store) -> None:
    reg = two_arrangements("material", "customer_data")
    reg.certification("C-SOC", "SOC2", D)  # no SOC 2 set in the store
    reg.certification("C-27018", "ISO27018", D)
    reg.certification("C-STAR", "CSA-STAR", D)
    reg.write(store)
    rows = trace(store, "t1", D)
    # CCM CEK-03 is a subset mapping of A7.P1.I3.S1, but encrypting its customer data is the insurer's duty
    assert row(rows, "A7.P1.I3.S1", "ARR1").status == "gap"
    assert all(set(r.certifications) <= {"C-STAR"} for r in rows)
    counted = {r.provision for r in rows if r.subject == "ARR1" and r.leaf and r.certifications}
    assert counted == {TENANCY, PHYSICAL, "A9.P1.I4.S3"}


OURS = """source,target,relationship,rationale
A5.P1.I2.S2,ISO27001:A.8.8,superset,The provision asks more than vulnerability management.
A5.P1.I2.S7,ISO27001:A.8.15,intersect,They overlap.
A5.P1.I2.S4,ISO27001:A.5.30,subset,Our reading: continuity readiness demands at least this.
A5.P1.I2.S5,ISO27001:A.5.23,equal,Exit from cloud services.
"""


@pytest.mark.parametrize("status", ["reviewed", "draft"])
def test_imported_sets_superset_intersect_draft_and_not_meetable(store: Store, tmp_path: Path, status: str) -> None:
    path = tmp_path / "ours.csv"
    path.write_text(OURS, encoding="utf-8")
    import_mapping_file(store, path, SetOptions(set_id="ours", status=status))
    reg = two_arrangements()
    reg.certification("C-ISO", "ISO27001", D)
    reg.write(store)
    rows = trace(store, "t1", D)
    assert row(rows, "A5.P1.I2.S2", "ARR1").status == "gap"  # superset: never
    assert row(rows, "A5.P1.I2.S7", "ARR1").status == "gap"  # intersect: never
    assert row(rows, "A5.P1.I2.S5", "ARR1").status == "gap"  # equal, but leaving the cloud is the insurer's
    s4 = row(rows, "A5.P1.I2.S4", "ARR1")  # an admin's reviewed import counts; a draft one does not
    assert (s4.status, s4.certifications) == (("covered", ("C-ISO",)) if status == "reviewed" else ("gap", ()))


def test_findings_applicability_controls_and_ended_arrangements(store: Store) -> None:
    reg = two_arrangements("material")
    reg.arrangement("ARR-END", ["material"], end=D - 10 * DAY)
    reg.arrangement("ARR-SMALL", [])  # not material: A9.P1.I4.S2 does not apply
    reg.control("C-OLD", [PHYSICAL], frequency=12)
    reg.evidence("E-OLD", "C-OLD", D - 800 * DAY, "ARR2")  # stale without the certificate
    reg.audit("AU1", "ARR1", "general", D - 100 * DAY)
    reg.finding("F1", "AU1", "open", due=D - DAY, cites=[PHYSICAL])  # overdue
    reg.certification("C-ISO", "ISO27001", D + 100 * DAY)
    reg.write(store)
    rows = trace(store, "t1", D)
    one = row(rows, PHYSICAL, "ARR1")  # an overdue finding makes it a gap whatever the certificate shows
    assert (one.status, one.reason, one.certifications) == ("gap", "finding_overdue", ("C-ISO",))
    two = row(rows, PHYSICAL, "ARR2")  # a stale control does not hold back a valid certificate
    assert (two.status, two.reason, two.controls, two.fresh_until) == (
        "covered", "certified", ("C-OLD",), D + 100 * DAY)
    assert set(two.evidence) == {"E-OLD", "C-ISO"}
    assert row(rows, PHYSICAL, "ARR-SMALL").status == "not_applicable"
    assert row(rows, PHYSICAL, "ARR-SMALL").certifications == ()
    ended = [r for r in rows if r.subject == "ARR-END"]
    assert {r.provision for r in ended} == {"A10.P1.I6.S2", "A10.P1.I6", "A10.P1", "A10"}
    assert all(r.certifications == () for r in ended)
