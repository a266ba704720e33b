"""Trace statuses at their boundaries, through a real store."""

from __future__ import annotations

import datetime as dt

import pytest
from regtrace.graph.port import Store
from regtrace.trace import COMPANY, TraceRow, gaps, trace
from trace_fixtures import MATERIAL_OFFSHORE, Registers, write_test_regulation

D = dt.date(2026, 11, 29)


@pytest.fixture
def store(store: Store) -> Store:
    """Every store kind in turn (tests/store_fixtures.py), holding the test regulation."""
    write_test_regulation(store)
    return store


def status(rows: list[TraceRow], provision: str, subject: str) -> str:
    found = [r for r in rows if r.provision == provision and r.subject == subject]
    assert len(found) == 1, f"{provision}/{subject}: {found}"
    return found[0].status


def row(rows: list[TraceRow], provision: str, subject: str) -> TraceRow:
    return next(r for r in rows if r.provision == provision and r.subject == subject)


def basic(reg: Registers) -> None:
    reg.csp()
    reg.arrangement("ARR1")


def test_no_control_is_a_gap_and_a_control_without_evidence_is_unevidenced(store: Store) -> None:
    reg = Registers()
    basic(reg)
    reg.control("C1", ["A7.P1.I1"])
    reg.write(store)
    rows = trace(store, "t1", D)
    assert status(rows, "A7.P1.I1", "ARR1") == "unevidenced"
    assert row(rows, "A7.P1.I1", "ARR1").controls == ("C1",)
    assert status(rows, "A8.P1", COMPANY) == "gap"


@pytest.mark.parametrize(("as_of", "expected"), [(D, "covered"), (D + dt.timedelta(days=1), "stale")])
def test_evidence_turns_stale_the_day_after_its_frequency_window(store: Store, as_of: dt.date, expected: str) -> None:
    reg = Registers()
    basic(reg)
    reg.control("C1", ["A7.P1.I1"], frequency=12)
    reg.evidence("E1", "C1", dt.date(2025, 11, 29), "ARR1")
    reg.write(store)
    assert status(trace(store, "t1", as_of), "A7.P1.I1", "ARR1") == expected


def test_control_frequency_wins_over_the_default(store: Store) -> None:
    reg = Registers()
    basic(reg)
    reg.control("C1", ["A7.P1.I1"], frequency=6)
    reg.evidence("E1", "C1", dt.date(2026, 5, 28), "ARR1")
    reg.write(store)
    assert status(trace(store, "t1", D), "A7.P1.I1", "ARR1") == "stale"
    assert status(trace(store, "t1", dt.date(2026, 11, 28)), "A7.P1.I1", "ARR1") == "covered"


@pytest.mark.parametrize(("valid_until", "expected"), [(D, "covered"), (D - dt.timedelta(days=1), "stale")])
def test_valid_until_today_is_still_fresh(store: Store, valid_until: dt.date, expected: str) -> None:
    reg = Registers()
    basic(reg)
    reg.control("C1", ["A7.P1.I1"])
    reg.evidence("E1", "C1", dt.date(2026, 10, 1), "ARR1", valid_until=valid_until)
    reg.write(store)
    r = row(trace(store, "t1", D), "A7.P1.I1", "ARR1")
    assert r.status == expected
    assert r.evidence == ("E1",)


def test_evidence_collected_after_the_date_does_not_exist_yet(store: Store) -> None:
    reg = Registers()
    basic(reg)
    reg.control("C1", ["A7.P1.I1"])
    reg.evidence("E1", "C1", D + dt.timedelta(days=1), "ARR1")
    reg.write(store)
    assert status(trace(store, "t1", D), "A7.P1.I1", "ARR1") == "unevidenced"


def test_control_scoped_to_one_arrangement(store: Store) -> None:
    reg = Registers()
    reg.csp()
    reg.arrangement("ARR1")
    reg.arrangement("ARR2")
    reg.control("C1", ["A7.P1.I1"], applies_to=["ARR1"])
    reg.evidence("E1", "C1", dt.date(2026, 10, 1))
    reg.write(store)
    rows = trace(store, "t1", D)
    assert status(rows, "A7.P1.I1", "ARR1") == "covered"
    assert status(rows, "A7.P1.I1", "ARR2") == "gap"


def test_blank_arrangement_evidence_counts_for_every_arrangement_of_the_control(store: Store) -> None:
    reg = Registers()
    reg.csp()
    reg.arrangement("ARR1")
    reg.arrangement("ARR2")
    reg.arrangement("ARR3")
    reg.control("C1", ["A7.P1.I1"])
    reg.control("C2", ["A7.P1.I1"], applies_to=["ARR3"])
    reg.evidence("E1", "C1", dt.date(2026, 10, 1))
    reg.evidence("E2", "C2", dt.date(2026, 10, 1), "ARR3")
    reg.write(store)
    rows = trace(store, "t1", D)
    assert status(rows, "A7.P1.I1", "ARR1") == "covered"
    assert status(rows, "A7.P1.I1", "ARR2") == "covered"
    assert row(rows, "A7.P1.I1", "ARR3").evidence == ("E1", "E2")


def test_evidence_for_another_arrangement_does_not_count(store: Store) -> None:
    reg = Registers()
    reg.csp()
    reg.arrangement("ARR1")
    reg.arrangement("ARR2")
    reg.control("C1", ["A7.P1.I1"])
    reg.evidence("E1", "C1", dt.date(2026, 10, 1), "ARR1")
    reg.write(store)
    assert status(trace(store, "t1", D), "A7.P1.I1", "ARR2") == "unevidenced"


@pytest.mark.parametrize(
    ("expires", "expected"),
    [(None, "covered"), (D, "covered"), (D - dt.timedelta(days=1), "gap")],
    ids=["no-expiry", "expires-today", "expired-yesterday"],
)
def test_contract_in_force_covers_its_clauses(store: Store, expires: dt.date | None, expected: str) -> None:
    reg = Registers()
    basic(reg)
    reg.contract("K1", "ARR1", ["A6.P1.I1"], dt.date(2024, 1, 1), expires)
    reg.write(store)
    rows = trace(store, "t1", D)
    assert status(rows, "A6.P1.I1", "ARR1") == expected
    assert status(rows, "A6.P1.I7", "ARR1") == "not_applicable"


def test_contract_signed_after_the_date_is_not_in_force(store: Store) -> None:
    reg = Registers()
    basic(reg)
    reg.contract("K1", "ARR1", ["A6.P1.I1"], D + dt.timedelta(days=1))
    reg.write(store)
    assert status(trace(store, "t1", D), "A6.P1.I1", "ARR1") == "gap"


@pytest.mark.parametrize(
    ("audits", "expected"),
    [
        ([("general", dt.date(2025, 11, 29)), ("project", dt.date(2026, 6, 1))], "covered"),
        ([("general", dt.date(2025, 11, 28)), ("project", dt.date(2026, 6, 1))], "stale"),
        ([("general", dt.date(2026, 1, 1))], "stale"),
        ([], "gap"),
    ],
    ids=["both-in-window", "general-a-day-too-old", "only-general", "none"],
)
def test_audit_frequency(store: Store, audits: list[tuple[str, dt.date]], expected: str) -> None:
    reg = Registers()
    reg.csp()
    reg.arrangement("ARR1", MATERIAL_OFFSHORE)
    for i, (kind, day) in enumerate(audits):
        reg.audit(f"AU{i}", "ARR1", kind, day)
    reg.write(store)
    assert status(trace(store, "t1", D), "A9.P1.I1.S1", "ARR1") == expected


@pytest.mark.parametrize("fact", ["internet_access"])
def test_conditions_decide_applicability(store: Store, fact: str) -> None:
    reg = Registers()
    reg.csp()
    reg.arrangement("WITH", [fact])
    reg.arrangement("WITHOUT", [])
    reg.write(store)
    rows = trace(store, "t1", D)
    assert status(rows, "A7.P1.I2", "WITH") == "gap"
    assert status(rows, "A7.P1.I2", "WITHOUT") == "not_applicable"


def test_parents_roll_up_the_worst_applicable_child(store: Store) -> None:
    reg = Registers()
    basic(reg)
    reg.control("C1", ["A7.P1.I1"])
    reg.evidence("E1", "C1", dt.date(2026, 10, 1))
    reg.contract("K1", "ARR1", ["A6.P1.I1"], dt.date(2024, 1, 1))
    reg.write(store)
    rows = trace(store, "t1", D)
    # A7.P1.I2 does not apply (no internet access), so A7.P1 is covered by A7.P1.I1 alone.
    assert status(rows, "A7.P1", "ARR1") == "covered"
    assert status(rows, "A7", "ARR1") == "covered"
    # A6.P1.I7 does not apply; A6.P1.I1 is covered by the contract.
    assert status(rows, "A6.P1", "ARR1") == "covered"
    # A9.P1.I1.S1 does not apply and is the only obligation under A9.
    assert status(rows, "A9", "ARR1") == "not_applicable"
    assert not [r for r in rows if r.provision == "A9.P1.I2"], "a permission bears no obligation"


def test_ended_arrangements_are_not_traced(store: Store) -> None:
    reg = Registers()
    reg.csp()
    reg.arrangement("OLD", end=D - dt.timedelta(days=1))
    reg.arrangement("FUTURE", start=D + dt.timedelta(days=1))
    reg.arrangement("NOW", end=D)
    reg.write(store)
    subjects = {r.subject for r in trace(store, "t1", D)}
    assert subjects == {COMPANY, "NOW"}


def test_tenants_do_not_see_each_other(store: Store) -> None:
    a, b = Registers("t1"), Registers("t2")
    basic(a)
    basic(b)
    b.control("C1", ["A7.P1.I1", "A8.P1"])
    b.evidence("E1", "C1", dt.date(2026, 10, 1))
    a.write(store)
    b.write(store)
    rows = trace(store, "t1", D)
    assert status(rows, "A7.P1.I1", "ARR1") == "gap"
    assert status(rows, "A8.P1", COMPANY) == "gap"
    assert status(trace(store, "t2", D), "A8.P1", COMPANY) == "covered"


def test_trace_for_one_arrangement_and_gaps_worst_first(store: Store) -> None:
    reg = Registers()
    reg.csp()
    reg.arrangement("ARR1")
    reg.arrangement("ARR2", ["material"])
    reg.control("C1", ["A7.P1.I1"])
    reg.evidence("E1", "C1", dt.date(2024, 1, 1))
    reg.write(store)
    only = trace(store, "t1", D, "ARR2")
    assert {r.subject for r in only} == {"ARR2"}
    worst = gaps(trace(store, "t1", D), {"ARR1": False, "ARR2": True})
    assert [r.status for r in worst] == sorted((r.status for r in worst), key=["gap", "unevidenced", "stale"].index)
    first_gap_subjects = [r.subject for r in worst if r.provision == "A6.P1.I1"]
    assert first_gap_subjects == ["ARR2", "ARR1"], "material arrangements first"
