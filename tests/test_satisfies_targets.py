"""A control naming target control ids (FRAMEWORK:ID) in `satisfies` (issue 12 point 4), loaded from CSV into a
real store with the seed and its shipped, reviewed crosswalks. Expected values worked out by hand from the
mapping files (README "Registers" and "Crosswalks"):

* ISO27001:A.5.22 is mapped `subset` from A5.P3.I4 only (「應定期確認雲端服務是否維持所需之服務水準」); its other
  mappings (A4.P1.I4, A4.P1.I5, A5.P1, A5.P3, A5.P3.I1, A9.P1, A9.P1.I1.S1, A9.P1.I1.S2, A9.P1.I3) are intersect.
* CCM:IVS-05 is mapped `equal` from A7.P1.I1.S3 only (「應依雲端服務之正式及非正式區進行適當區隔」).
* ISO27001:A.5.23 is mapped only `intersect` (A4.P1.I1, A4.P2.I5, A5.P1.I2.S5, A7.P1.I1.S4, A10.P1.I6 and its
  items): it covers no provision.
* tests/data/mappings-our-framework.csv maps A7.P1.I1.S3 `equal` to OURS:ENV-02: it counts only once the set
  is imported as reviewed.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from regtrace.crosswalk.importing import SetOptions
from regtrace.crosswalk.store_io import import_mapping_file
from regtrace.graph.port import Store
from regtrace.loaders.registers import load_registers
from regtrace.trace import trace
from store_fixtures import StoreFactory
from test_register_validation import registers, write_folder

from regtrace.errors import RegisterError
from regtrace.regulation_graph import obligations_under

D = dt.date(2026, 11, 29)
OURS = Path(__file__).parent / "data" / "mappings-our-framework.csv"


def folder_with(tmp_path: Path, satisfies: str) -> Path:
    """The small insurer of test_register_validation with a third control, CT3, on every arrangement."""
    data = registers()
    data["controls"] = [*data["controls"], {"control_id": "CT3", "name": "雲端服務監控", "owner": "資訊部",
                                            "frequency_months": "12", "satisfies": satisfies, "applies_to": "*"}]
    data["evidence"] = [*data["evidence"], {"evidence_id": "E3", "control_id": "CT3", "arrangement_id": "",
                                            "collected_on": "2026-10-01", "valid_until": "", "title": "月報",
                                            "uri": "", "sha256": ""}]
    return write_folder(tmp_path / "regs", data)


def load(store: Store, folder: Path) -> None:
    load_registers(store, folder, "t1", obligations_under(store))


def satisfied_by(store: Store, control: str) -> set[str]:
    return {r["obligation_id"] for r in store.control_links("t1") if r["control_id"] == control}


def test_a_target_id_covers_exactly_its_equal_and_subset_provisions(seeded_store: Store, tmp_path: Path) -> None:
    store = seeded_store  # each store kind, with the seed (tests/store_fixtures.py)
    load(store, folder_with(tmp_path, "ISO27001:A.5.22; CCM:IVS-05"))
    assert satisfied_by(store, "CT3") == {"A5.P3.I4", "A7.P1.I1.S3"}
    (ct3,) = [r for r in store.nodes("Control", "t1") if r["control_id"] == "CT3"]
    assert ct3["satisfies_targets"] == "ISO27001:A.5.22; CCM:IVS-05"
    assert {r["control_id"]: r["satisfies_targets"] for r in store.nodes("Control", "t1")}["CT1"] is None
    rows = {(r.provision, r.subject): r for r in trace(store, "t1", D)}
    separation = rows[("A7.P1.I1.S3", "A1")]
    assert "CT3" in separation.controls
    assert separation.to_json()["mapped_via"] == [{"control": "CT3", "target": "CCM:IVS-05"}]
    assert "CT3 → CCM:IVS-05" in separation.explanation
    service = rows[("A5.P3.I4", "A1")]
    assert service.to_json()["mapped_via"] == [{"control": "CT3", "target": "ISO27001:A.5.22"}]
    # A5.P3.I1 is only intersect with A.5.22: CT3 is not among its controls, and nothing shows a via there
    assert "CT3" not in rows[("A5.P3.I1", "A1")].controls
    assert rows[("A5.P3.I1", "A1")].mapped_via == ()


def test_targets_that_cover_nothing_are_refused_with_file_row_and_column(open_store_of: StoreFactory,
                                                                        tmp_path: Path) -> None:
    store = open_store_of("ladybug", seeded=True)
    bad = "ISO27001:A.5.23; NOPE:X-1; ISO27001:A.99.99; A7.P1.I1.S3"
    with pytest.raises(RegisterError) as raised:
        load(store, folder_with(tmp_path, bad))
    problems = [p for p in raised.value.problems if p.column == "satisfies"]
    assert len(problems) == 1
    (p,) = problems
    assert p.source.endswith("controls.csv") and p.row == 4
    assert "'ISO27001:A.5.23' covers no provision" in p.message
    assert "unknown framework 'NOPE'" in p.message
    assert "unknown control 'A.99.99'" in p.message
    assert "A7.P1.I1.S3" not in p.message
    assert store.nodes("Control", "t1") == []  # all or nothing


def test_only_a_reviewed_set_lets_a_target_id_count(open_store_of: StoreFactory, tmp_path: Path) -> None:
    store = open_store_of("ladybug", seeded=True)
    import_mapping_file(store, OURS, SetOptions(set_id="our-framework"))  # a draft
    with pytest.raises(RegisterError, match="'OURS:ENV-02' covers no provision"):
        load(store, folder_with(tmp_path, "OURS:ENV-02"))
    import_mapping_file(store, OURS, SetOptions(set_id="our-framework", status="reviewed", reviewed_by="資安長"))
    load(store, folder_with(tmp_path, "OURS:ENV-02"))
    assert satisfied_by(store, "CT3") == {"A7.P1.I1.S3"}


def test_a_target_id_outside_satisfies_is_not_a_provision(open_store_of: StoreFactory, tmp_path: Path) -> None:
    store = open_store_of("ladybug", seeded=True)
    data = registers()
    data["contracts"] = [dict(data["contracts"][0], clauses="CCM:IVS-05")]
    with pytest.raises(RegisterError, match="'CCM:IVS-05' is not a provision id"):
        load(store, write_folder(tmp_path / "regs", data))
