"""`regtrace approvals`: arrangements in effect that need the FSC's prior approval and the approval on record
(README "Registers": approvals). Expected values worked out from the rule: needs approval when a material system
with natural-person data lists a location outside TW (or, where no system describes it, the arrangement's own
material, natural_person_data and offshore flags); ok when an fsc_approval for it was decided on or before its
start_date and is valid on the date."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from regtrace.graph.ladybug_store import LadybugStore
from regtrace.loaders.registers import load_registers
from store_fixtures import seeded_ladybug
from test_cli import regtrace
from test_register_validation import FLAGS, write_csv

from regtrace.approvals import fsc_approvals, missing_count
from regtrace.regulation_graph import obligations_under

YES = {"material", "offshore", "natural_person_data"}


def arrangement(aid: str, start: str, facts: set[str], end: str = "") -> dict[str, str]:
    return {"arrangement_id": aid, "name": f"委外 {aid}", "csp_id": "C1", "service_model": "SaaS",
            **{f: "Y" if f in facts else "N" for f in FLAGS}, "data_locations": "", "start_date": start,
            "end_date": end}


def folder(tmp_path: Path) -> Path:
    regs = tmp_path / "regs"
    regs.mkdir()
    write_csv(regs / "csps.csv", [{"csp_id": "C1", "name": "Cloud One", "country": "SG"}])
    write_csv(regs / "arrangements.csv", [
        arrangement("A1", "2024-01-01", YES),  # its system decides: material, natural-person data, JP
        arrangement("A2", "2024-06-01", YES),  # its system decides: no natural-person data, so no approval needed
        arrangement("A3", "2025-01-01", YES),  # no systems: its own flags decide
        arrangement("A4", "2024-01-01", YES),  # approved, but the approval runs out on 2026-06-30
        arrangement("A5", "2020-01-01", YES, end="2025-12-31"),  # ended: not in effect in 2026
        arrangement("A6", "2024-01-01", {"material", "natural_person_data"}),  # onshore: no approval needed
    ])
    write_csv(regs / "systems.csv", [
        {"system_id": "S1", "name": "核心", "arrangement_id": "A1", "material": "Y", "natural_person_data": "Y",
         "data_locations": "TW;JP"},
        {"system_id": "S2", "name": "報表", "arrangement_id": "A2", "material": "Y", "natural_person_data": "N",
         "data_locations": "SG"},
    ])
    write_csv(regs / "controls.csv", [{"control_id": "CT1", "name": "x", "satisfies": "A4.P1.I1", "applies_to": ""}])
    write_csv(regs / "approvals.csv", [
        {"approval_id": "AP1", "arrangement_id": "A1", "kind": "fsc_approval", "reference": "金管保綜字第1130000001號",
         "decided_on": "2024-01-01", "valid_until": "", "provisions": ""},  # on the start date: counts
        {"approval_id": "AP3", "arrangement_id": "A3", "kind": "fsc_approval", "reference": "金管保綜字第1140000003號",
         "decided_on": "2025-02-01", "valid_until": "", "provisions": ""},  # after the start: late
        {"approval_id": "AP3B", "arrangement_id": "A3", "kind": "board_resolution", "reference": "董事會決議",
         "decided_on": "2024-12-01", "valid_until": "", "provisions": ""},  # not the FSC's
        {"approval_id": "AP4", "arrangement_id": "A4", "kind": "fsc_approval", "reference": "金管保綜字第1120000004號",
         "decided_on": "2023-06-01", "valid_until": "2026-06-30", "provisions": ""},
    ])
    return regs


@pytest.fixture
def store(tmp_path: Path) -> Iterator[LadybugStore]:
    s = seeded_ladybug(tmp_path / "store")
    load_registers(s, folder(tmp_path), "t1", obligations_under(s))
    yield s
    s.close()


def test_who_needs_the_fscs_approval_and_who_has_it(store: LadybugStore) -> None:
    rows = {c.arrangement: c for c in fsc_approvals(store, "t1", dt.date(2026, 6, 30))}
    assert list(rows) == ["A1", "A2", "A3", "A4", "A6"]
    assert {a: (c.needs_fsc_approval, c.approval, c.ok) for a, c in rows.items()} == {
        "A1": (True, "AP1", True), "A2": (False, None, True), "A3": (True, None, False),
        "A4": (True, "AP4", True), "A6": (False, None, True)}
    assert rows["A3"].late == ("AP3",) and rows["A1"].reference == "金管保綜字第1130000001號"
    assert missing_count(list(rows.values())) == 1


def test_an_approval_past_its_valid_until_no_longer_counts(store: LadybugStore) -> None:
    rows = {c.arrangement: c for c in fsc_approvals(store, "t1", dt.date(2026, 7, 1))}
    assert (rows["A4"].approval, rows["A4"].ok) == (None, False)
    assert missing_count(list(rows.values())) == 2


def test_the_command_json_and_an_unknown_tenant(tmp_path: Path) -> None:
    regs = folder(tmp_path)
    db = tmp_path / "s"
    regtrace("load", str(regs), "--tenant", "t1", store=db)
    data = json.loads(regtrace("approvals", "--tenant", "t1", "--as-of", "2026-06-30", "--json", store=db).stdout)
    assert [(d["arrangement"], d["needs_fsc_approval"], d["approval"], d["ok"]) for d in data] == [
        ("A1", True, "AP1", True), ("A2", False, None, True), ("A3", True, None, False), ("A4", True, "AP4", True),
        ("A6", False, None, True)]
    table = regtrace("approvals", "--tenant", "t1", "--as-of", "2026-06-30", store=db).stdout
    assert "缺少 1 missing" in table
    missing = regtrace("approvals", "--tenant", "nobody", store=db, check=False)
    assert missing.returncode == 3 and "nobody" in missing.stderr
