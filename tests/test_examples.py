"""The example insurers: they validate against the seed, their formats are what they claim, they are the
output of examples/make_examples.py, and they show what examples/README.md says they show."""

from __future__ import annotations

import datetime as dt
import importlib.util
import zipfile
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from openpyxl import load_workbook
from regtrace.graph.ladybug_store import LadybugStore
from regtrace.loaders.register_graph import arrangement_facts
from regtrace.loaders.register_reader import detect_encoding
from regtrace.loaders.register_validation import RegisterDataset
from regtrace.loaders.registers import load_registers, read_registers, register_names
from regtrace.ontology.model import load_ontology

from regtrace.regulation_graph import obligations_under
from regtrace.seed import install_seed, seed_graph

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
INSURER = EXAMPLES / "insurer"
WORKBOOK = EXAMPLES / "insurer-xlsx" / "registers.xlsx"
AS_OF = dt.date(2026, 11, 29)


@cache
def seed_obligations_under() -> dict[str, list[str]]:
    """Each provision id of the seed mapped to the obligations at or below it, without a store."""
    graph = seed_graph()
    obligations = {o["obligation_id"] for o in graph.obligations}
    under: dict[str, list[str]] = {}
    for p in graph.provisions:
        under.setdefault(p["provision_id"], [])
        if p["provision_id"] in obligations:
            for pid in p["path"]:
                under.setdefault(pid, []).append(p["provision_id"])
    return under


@cache
def insurer() -> RegisterDataset:
    return read_registers(INSURER, seed_obligations_under())


def make_examples() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_examples", EXAMPLES / "make_examples.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_example_insurer_validates() -> None:
    assert insurer().counts() == {"csps": 6, "arrangements": 9, "audits": 8, "certifications": 15, "contracts": 9,
                                  "controls": 40, "evidence": 125, "findings": 6, "systems": 12,
                                  "company": 1, "approvals": 4}


def test_its_controls_file_really_is_big5() -> None:
    raw = (INSURER / "controls.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert "資訊安全部" in raw.decode("cp950")
    assert detect_encoding(INSURER / "controls.csv")[0] == "cp950"
    names = [r["name"] for r in insurer()["controls"].records()]
    assert "雲端服務管理規範年度檢視" in names


def test_its_other_files_are_utf8_with_roc_dates() -> None:
    assert (INSURER / "evidence.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert detect_encoding(INSURER / "evidence.csv")[0] == "utf-8-sig"
    assert detect_encoding(INSURER / "csps.csv")[0] == "utf-8"
    assert "民國115年3月20日" in (INSURER / "audits.csv").read_text(encoding="utf-8")
    assert "113/03/01" in (INSURER / "contracts.csv").read_text(encoding="utf-8")
    audit = next(r for r in insurer()["audits"].records() if r["audit_id"] == "AUD-2026-01")
    assert audit["performed_on"] == dt.date(2026, 3, 20)


def test_its_workbook_really_is_xlsx_with_date_cells() -> None:
    with zipfile.ZipFile(WORKBOOK) as book:
        assert {"[Content_Types].xml", "xl/workbook.xml"} <= set(book.namelist())
    workbook = load_workbook(WORKBOOK, read_only=True)
    try:
        assert set(workbook.sheetnames) == set(register_names())
        evidence = next(workbook["evidence"].iter_rows(min_row=2, max_row=2, values_only=True))
        assert isinstance(evidence[3], dt.datetime)
    finally:
        workbook.close()
    dataset = read_registers(WORKBOOK.parent, seed_obligations_under())
    assert dataset.format == "xlsx"
    assert dataset.counts()["controls"] == 6
    first = next(dataset["evidence"].records())
    assert first["collected_on"] == dt.date(2026, 3, 2)


def test_the_committed_files_are_the_scripts_output(tmp_path: Path) -> None:
    module = make_examples()
    module.write_insurer(tmp_path / "insurer")
    module.write_workbook(tmp_path / "registers.xlsx")
    for file in sorted(INSURER.glob("*.csv")):
        assert (tmp_path / "insurer" / file.name).read_bytes() == file.read_bytes(), file.name
    assert sorted(p.name for p in (tmp_path / "insurer").iterdir()) == sorted(p.name for p in INSURER.glob("*.csv"))
    assert (tmp_path / "registers.xlsx").read_bytes() == WORKBOOK.read_bytes()


def test_every_applicability_fact_holds_somewhere() -> None:
    facts = load_ontology().facts
    held = {f for r in insurer()["arrangements"].records() for f in arrangement_facts(r, facts)}
    assert held == set(facts)


def test_due_diligence_states_are_all_there() -> None:
    until = {r["certification_id"]: r["valid_until"] for r in insurer()["certifications"].records()}
    assert sum(AS_OF <= d <= AS_OF + dt.timedelta(days=90) for d in until.values()) == 1
    assert sum(d < AS_OF for d in until.values()) == 1
    findings = list(insurer()["findings"].records())
    assert any(f["status"] == "open" and f["due_on"] < AS_OF for f in findings)
    assert {f["status"] for f in findings} == {"open", "closed"}
    contracts = list(insurer()["contracts"].records())
    assert any(c["expires_on"] and c["expires_on"] < AS_OF for c in contracts)


def test_audits_within_twelve_months() -> None:
    year_ago = AS_OF - dt.timedelta(days=365)
    kinds: dict[str, set[str]] = {}
    for audit in insurer()["audits"].records():
        if year_ago <= audit["performed_on"] <= AS_OF:
            kinds.setdefault(audit["arrangement_id"], set()).add(audit["kind"])
    assert kinds["ARR-CORE"] == {"general", "project"}
    assert kinds["ARR-CRM"] == {"general"}


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LadybugStore]:
    store = LadybugStore(tmp_path_factory.mktemp("examples") / "store")
    install_seed(store)
    load_registers(store, INSURER, "example-life", obligations_under(store))
    yield store
    store.close()


def test_it_loads_and_shows_the_gaps_the_readme_describes(loaded: LadybugStore) -> None:
    from regtrace.trace import trace

    assert loaded.count("Evidence", "example-life") == 125
    rows = {(r.subject, r.provision): r for r in trace(loaded, "example-life", AS_OF) if r.leaf}
    assert all(rows[("ARR-CRM", f"A6.P1.I{i}")].status == "gap" for i in range(1, 8))  # expired contract
    assert rows[("ARR-DR", "A6.P1.I4")].status == "gap"
    assert rows[("ARR-ACTUARIAL", "A6.P1.I5")].status == "gap"
    assert rows[("ARR-CORE", "A9.P1.I1.S1")].status == "covered"
    assert rows[("ARR-CRM", "A9.P1.I1.S1")].status == "stale"
    assert rows[("ARR-GROUP", "A6.P3")].status == "gap"
    assert rows[("ARR-ACTUARIAL", "A7.P1.I1.S1")].status == "unevidenced"
    assert all(r.status == "gap" for (s, p), r in rows.items() if p == "A7.P1.I3.S2")
    # Ended arrangements keep only the deletion duty (A10.P1.I6.S2).
    assert {p for s, p in rows if s in ("ARR-SMS", "ARR-CALLREC")} == {"A10.P1.I6.S2"}


# ---------------------------------------------------------------- every rule of issue 10, on the example


@pytest.fixture(scope="module")
def example_rows(loaded: LadybugStore) -> dict[tuple[str, str], Any]:
    from regtrace.trace import trace

    return {(r.subject, r.provision): r for r in trace(loaded, "example-life", AS_OF)}


def test_the_company_row_names_a_foreign_branch_that_uses_several_clouds() -> None:
    [company] = insurer()["company"].records()
    assert company["legal_name"] == "新加坡商範例人壽保險股份有限公司台灣分公司"
    assert (company["foreign_branch"], company["multi_cloud"]) == (True, True)


def test_systems_decide_which_arrangements_hold_material_npd_offshore_systems(example_rows: dict[Any, Any]) -> None:
    """SYS-PAS (material, natural-person data, SG;JP) makes ARR-CORE one; SYS-CRM leaves the columns blank, so
    ARR-CRM's own flags (material, natural-person data, offshore) decide, and it is one too; ARR-ACTUARIAL's
    only system is material and offshore (JP) without natural-person data, so it is not."""
    assert example_rows[("ARR-CORE", "A6.P1.I7")].status == "covered"  # K-2024-001 lists all of A6.P1
    assert example_rows[("ARR-CRM", "A6.P1.I7")].status == "gap"  # its contract expired 2025-12-31
    assert example_rows[("ARR-ACTUARIAL", "A6.P1.I7")].status == "not_applicable"
    # A9.P1.I1.S2 applies only where S1's fact does not hold
    assert example_rows[("ARR-CORE", "A9.P1.I1.S2")].status == "not_applicable"
    assert example_rows[("ARR-CRM", "A9.P1.I1.S2")].status == "not_applicable"
    assert example_rows[("ARR-DIGITAL", "A9.P1.I1.S2")].status != "not_applicable"


def test_an_independent_audit_makes_the_third_party_duty_apply(example_rows: dict[Any, Any]) -> None:
    """A9.P1.I2 applies where an independent auditor audited on or before D: ARR-CORE, ARR-CRM and ARR-GROUP;
    ARR-DIGITAL, ARR-DR and ARR-ACTUARIAL were audited by internal audit only, ARR-HR never."""
    applies = {s for (s, p), r in example_rows.items() if p == "A9.P1.I2" and r.status != "not_applicable"}
    assert applies == {"ARR-CORE", "ARR-CRM", "ARR-GROUP"}


def test_findings_count(example_rows: dict[Any, Any]) -> None:
    """F-2026-003 (high, ARR-CORE, open, due 2026-10-31) is overdue on 2026-11-29: the provision it cites
    (A7.P1.I2.S2) and the duty to track remediation (A9.P1.I3) are gaps for ARR-CORE whatever the evidence.
    F-2026-002 (ARR-CORE, due 2026-12-31) is open but not yet due: A10.P1.I5 keeps its status and names it."""
    for provision in ("A7.P1.I2.S2", "A9.P1.I3"):
        row = example_rows[("ARR-CORE", provision)]
        assert row.status == "gap" and row.cause[0].kind == "finding_overdue"
        assert dict(row.cause[0].details)["finding"] == "F-2026-003"
    assert example_rows[("ARR-DIGITAL", "A7.P1.I2.S2")].status == "covered"  # the same control, no finding
    backup = example_rows[("ARR-CORE", "A10.P1.I5")]
    assert backup.status == example_rows[("ARR-DIGITAL", "A10.P1.I5")].status == "covered"
    assert "F-2026-002" in backup.open_findings


def test_ended_arrangements_and_their_deletion_records(example_rows: dict[Any, Any]) -> None:
    """ARR-SMS ended 2025-06-30 and its deletion record was collected 2025-07-15: covered. ARR-CALLREC ended
    2026-03-31 with no deletion record: gap."""
    assert example_rows[("ARR-SMS", "A10.P1.I6.S2")].status == "covered"
    callrec = example_rows[("ARR-CALLREC", "A10.P1.I6.S2")]
    assert callrec.status == "gap" and [c.to_json() for c in callrec.cause] == [
        {"kind": "no_deletion_record", "arrangement": "ARR-CALLREC", "end_date": "2026-03-31"}]


def test_multi_cloud_makes_the_distribution_duty_apply(example_rows: dict[Any, Any]) -> None:
    assert example_rows[("company", "A4.P2.I3")].status != "not_applicable"


def test_one_arrangement_has_the_fscs_approval_and_one_lacks_it(loaded: LadybugStore) -> None:
    """ARR-CORE (SYS-PAS) and ARR-CRM (its own flags) need the FSC's prior approval; ARR-CORE's was decided
    2024-03-15, before it started on 2024-04-01; ARR-CRM has only an fsc_filing, which is not an approval."""
    from regtrace.approvals import fsc_approvals, missing_count

    checks = {c.arrangement: c for c in fsc_approvals(loaded, "example-life", AS_OF)}
    assert {a for a, c in checks.items() if c.needs_fsc_approval} == {"ARR-CORE", "ARR-CRM"}
    assert (checks["ARR-CORE"].approval, checks["ARR-CORE"].ok) == ("APV-2024-01", True)
    assert (checks["ARR-CRM"].approval, checks["ARR-CRM"].ok) == (None, False)
    assert missing_count(list(checks.values())) == 1
