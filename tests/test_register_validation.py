"""Reading and validating register folders: formats, encodings, every problem at once, the ontology's columns."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from regtrace.loaders.register_reader import detect_encoding
from regtrace.loaders.register_validation import DATE_ORDER, MINIMUM, REQUIRED_REGISTERS, STATUS_DATE
from regtrace.loaders.registers import read_registers, register_names
from regtrace.ontology.model import load_ontology

from regtrace.errors import Problem, RegisterError

SHA = "0f" * 32
UNDER: dict[str, list[str]] = {
    "A4": ["A4.P1.I1"], "A4.P1": ["A4.P1.I1"], "A4.P1.I1": ["A4.P1.I1"],
    "A5": [], "A5.P2": [],
    "A6": ["A6.P1.I1", "A6.P1.I2"], "A6.P1": ["A6.P1.I1", "A6.P1.I2"],
    "A6.P1.I1": ["A6.P1.I1"], "A6.P1.I2": ["A6.P1.I2"],
}
FLAGS = ("material", "offshore", "natural_person_data", "customer_data", "hybrid_cloud", "internet_access",
         "vm_or_container_images", "subcontracting", "foreign_branch")


def registers() -> dict[str, list[dict[str, str]]]:
    """A small valid insurer, as CSV text cells."""
    return {
        "csps": [{"csp_id": "C1", "name": "Cloud One", "country": "TW"},
                 {"csp_id": "C2", "name": "雲端二號", "country": ""}],
        "certifications": [{"certification_id": "CERT1", "csp_id": "C1", "standard": "ISO27001", "scope": "all",
                            "issuer": "BSI", "valid_from": "2025-01-01", "valid_until": "115/12/31"}],
        "arrangements": [
            {"arrangement_id": "A1", "name": "核心系統", "csp_id": "C1", "service_model": "IaaS",
             **{f: "Y" for f in FLAGS}, "foreign_branch": "N", "data_locations": "TW; SG",
             "start_date": "2024-01-01", "end_date": ""},
            {"arrangement_id": "A2", "name": "CRM", "csp_id": "C2", "service_model": "SaaS",
             **{f: "否" for f in FLAGS}, "data_locations": "", "start_date": "民國113年1月1日", "end_date": ""},
        ],
        "systems": [{"system_id": "S1", "name": "保單系統", "arrangement_id": "A1", "criticality": "high",
                     "material": "Y", "natural_person_data": "是", "data_locations": "TW;SG"},
                    {"system_id": "S2", "name": "報表", "arrangement_id": "A2", "criticality": "",
                     "material": "", "natural_person_data": "", "data_locations": ""}],
        "contracts": [{"contract_id": "K1", "arrangement_id": "A1", "signed_on": "113/01/01",
                       "expires_on": "118/12/31", "clauses": "A6.P1.I1;A6.P1.I2"}],
        "controls": [
            {"control_id": "CT1", "name": "契約管理", "owner": "法令遵循部", "frequency_months": "12",
             "satisfies": "A6.P1", "applies_to": "*"},
            {"control_id": "CT2", "name": "規範檢視", "owner": "", "frequency_months": "", "satisfies": "A4.P1.I1",
             "applies_to": "A1;A2"},
        ],
        "evidence": [
            {"evidence_id": "E1", "control_id": "CT1", "arrangement_id": "A1", "collected_on": "2026-11-01",
             "valid_until": "", "title": "契約檢視", "uri": "https://grc.example.com.tw/evidence/E1", "sha256": SHA},
            {"evidence_id": "E2", "control_id": "CT2", "arrangement_id": "", "collected_on": "115/10/01",
             "valid_until": "2027-10-01", "title": "規範檢視紀錄", "uri": "", "sha256": ""},
        ],
        "audits": [{"audit_id": "AU1", "arrangement_id": "A1", "kind": "general", "performed_on": "2026-03-01",
                    "auditor": "稽核室", "independent": "N"}],
        "findings": [
            {"finding_id": "F1", "audit_id": "AU1", "severity": "high", "status": "open", "due_on": "2026-12-31",
             "closed_on": "", "provisions": "A6.P1.I2; A4.P1.I1", "title": "備份契約條款不足"},
            {"finding_id": "F2", "audit_id": "AU1", "severity": "low", "status": "closed", "due_on": "",
             "closed_on": "2026-06-01", "provisions": "", "title": ""},
        ],
        "company": [{"legal_name": "範例人壽保險股份有限公司台灣分公司", "legal_name_en": "Example Life, Taiwan Branch",
                     "foreign_branch": "Y", "multi_cloud": "否"}],
        "approvals": [
            {"approval_id": "AP1", "arrangement_id": "A1", "kind": "fsc_approval",
             "reference": "金管保綜字第1150000001號",
             "decided_on": "114/12/01", "valid_until": "", "provisions": "A6.P1"},
            {"approval_id": "AP2", "arrangement_id": "", "kind": "board_resolution", "reference": "第10屆第5次董事會",
             "decided_on": "2025-03-15", "valid_until": "2026-03-14", "provisions": ""},
        ],
    }


def write_csv(path: Path, rows: Sequence[Mapping[str, Any]], encoding: str = "utf-8",
              header: Sequence[str] | None = None) -> Path:
    columns = list(header or (rows[0].keys() if rows else []))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_folder(folder: Path, data: Mapping[str, Sequence[Mapping[str, Any]]] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in (registers() if data is None else data).items():
        write_csv(folder / f"{name}.csv", rows, header=None if rows else SPEC[name])
    return folder


def problems(folder: Path, under: Mapping[str, Sequence[str]] | None = UNDER) -> list[Problem]:
    with pytest.raises(RegisterError) as caught:
        read_registers(folder, under)
    return caught.value.problems


def where(found: Sequence[Problem]) -> set[tuple[str, int | None, str | None]]:
    return {(p.source, p.row, p.column) for p in found}


# ---------------------------------------------------------------- the ontology drives the columns


SPEC = {
    "csps": ["csp_id", "name", "country"],
    "certifications": ["certification_id", "csp_id", "standard", "scope", "issuer", "valid_from", "valid_until",
                       "scope_arrangements"],
    "arrangements": ["arrangement_id", "name", "csp_id", "service_model", *FLAGS, "data_locations", "start_date",
                     "end_date"],
    "systems": ["system_id", "name", "arrangement_id", "criticality", "material", "natural_person_data",
                "data_locations"],
    "contracts": ["contract_id", "arrangement_id", "signed_on", "expires_on", "clauses"],
    "controls": ["control_id", "name", "owner", "frequency_months", "satisfies", "applies_to"],
    "evidence": ["evidence_id", "control_id", "arrangement_id", "collected_on", "valid_until", "title", "uri",
                 "sha256"],
    "audits": ["audit_id", "arrangement_id", "kind", "performed_on", "auditor", "independent"],
    "findings": ["finding_id", "audit_id", "severity", "status", "due_on", "closed_on", "provisions", "title"],
    "company": ["legal_name", "legal_name_en", "foreign_branch", "multi_cloud"],
    "approvals": ["approval_id", "arrangement_id", "kind", "reference", "decided_on", "valid_until", "provisions"],
}


def test_the_ontology_matches_the_register_spec() -> None:
    onto = load_ontology()
    assert set(register_names()) == set(SPEC)
    for name, columns in SPEC.items():
        assert [f.column for f in onto.by_register(name).columns] == columns, name
    assert onto.by_register("arrangements").field("service_model").allowed == ("IaaS", "PaaS", "SaaS")
    assert onto.by_register("certifications").field("standard").allowed == (
        "ISO27001", "ISO27017", "ISO27018", "ISO27701", "ISO22301", "CSA-STAR", "SOC2")
    assert onto.by_register("findings").field("status").allowed == ("open", "closed")
    assert onto.by_register("audits").field("kind").allowed == ("general", "project")
    assert onto.by_register("controls").field("appliesTo").wildcard == "*"
    assert onto.by_register("evidence").field("sha256").pattern == "^[0-9a-f]{64}$"
    assert onto.by_register("approvals").field("kind").allowed == (
        "fsc_approval", "fsc_filing", "board_resolution", "head_office_authorisation")
    assert onto.by_register("company").max_rows == 1
    for register in ("arrangements", "systems"):
        assert onto.by_register(register).field("data_locations").pattern == "^[A-Z]{2}$"
    assert onto.by_register("audits").field("independent").datatype == "boolean"


def test_the_validation_rules_name_real_columns() -> None:
    onto = load_ontology()
    columns = {name: {f.column for f in onto.by_register(name).columns} for name in register_names()}
    for register, *names in [*DATE_ORDER, *((r, c) for r, c, _ in MINIMUM), *((r, s, d) for r, s, _, d in STATUS_DATE)]:
        assert set(names) <= columns[register], (register, names)
    assert set(REQUIRED_REGISTERS) <= set(columns)


# ---------------------------------------------------------------- a valid folder


def test_a_valid_folder_parses_every_type(tmp_path: Path) -> None:
    dataset = read_registers(write_folder(tmp_path), UNDER)
    assert dataset.counts() == {"csps": 2, "arrangements": 2, "audits": 1, "certifications": 1, "contracts": 1,
                                "controls": 2, "evidence": 2, "findings": 2, "systems": 2, "company": 1,
                                "approvals": 2}
    a1, a2 = dataset["arrangements"].records()
    assert a1["material"] is True and a1["foreign_branch"] is False
    assert a1["data_locations"] == ["TW", "SG"] and a2["data_locations"] is None
    assert a2["start_date"] == dt.date(2024, 1, 1)
    cert = next(dataset["certifications"].records())
    assert cert["valid_until"] == dt.date(2026, 12, 31)
    ct1, ct2 = dataset["controls"].records()
    assert ct1["frequency_months"] == 12 and ct2["frequency_months"] is None and ct2["owner"] is None
    assert ct1["satisfies"] == ["A6.P1"] and ct1["applies_to"] == ["*"] and ct2["applies_to"] == ["A1", "A2"]
    e1, e2 = dataset["evidence"].records()
    assert e1["sha256"] == SHA and e2["sha256"] is None and e2["arrangement_id"] is None
    assert e2["collected_on"] == dt.date(2026, 10, 1)
    s1, s2 = dataset["systems"].records()
    assert (s1["material"], s1["natural_person_data"], s1["data_locations"]) == (True, True, ["TW", "SG"])
    assert (s2["material"], s2["natural_person_data"], s2["data_locations"]) == (None, None, None)
    f1, f2 = dataset["findings"].records()
    assert f1["provisions"] == ["A6.P1.I2", "A4.P1.I1"] and f1["title"] == "備份契約條款不足"
    assert f2["provisions"] is None and f2["title"] is None
    [company] = dataset["company"].records()
    assert company["legal_name"] == "範例人壽保險股份有限公司台灣分公司"
    assert (company["foreign_branch"], company["multi_cloud"]) == (True, False)
    ap1, ap2 = dataset["approvals"].records()
    assert (ap1["arrangement_id"], ap1["kind"], ap1["decided_on"], ap1["valid_until"], ap1["provisions"]) == (
        "A1", "fsc_approval", dt.date(2025, 12, 1), None, ["A6.P1"])
    assert (ap2["arrangement_id"], ap2["valid_until"], ap2["provisions"]) == (None, dt.date(2026, 3, 14), None)


def test_an_old_folder_without_the_new_registers_and_columns_still_loads(tmp_path: Path) -> None:
    """A folder written before the company and approvals registers and the systems' and findings' new columns."""
    data = {name: rows for name, rows in registers().items() if name not in ("company", "approvals")}
    old = {"systems": ("material", "natural_person_data", "data_locations"), "findings": ("provisions", "title")}
    for name, dropped in old.items():
        data[name] = [{k: v for k, v in row.items() if k not in dropped} for row in data[name]]
    dataset = read_registers(write_folder(tmp_path, data), UNDER)
    assert dataset.counts()["company"] == 0 and dataset.counts()["approvals"] == 0
    assert dataset["company"].source is None
    assert [r["data_locations"] for r in dataset["systems"].records()] == [None, None]
    assert [r["provisions"] for r in dataset["findings"].records()] == [None, None]


def test_optional_registers_may_be_absent(tmp_path: Path) -> None:
    data = {k: v for k, v in registers().items() if k in REQUIRED_REGISTERS}
    data["controls"] = [dict(r, applies_to="*") for r in data["controls"]]
    dataset = read_registers(write_folder(tmp_path, data), UNDER)
    assert dataset.counts()["evidence"] == 0 and dataset.counts()["findings"] == 0
    assert dataset["evidence"].source is None


def test_columns_in_any_order_and_extra_columns_kept(tmp_path: Path) -> None:
    folder = write_folder(tmp_path)
    rows = [dict(r, reviewer="王小明", 備註=f"note {i}") for i, r in enumerate(registers()["evidence"])]
    write_csv(folder / "evidence.csv", rows,
              header=["title", "備註", "sha256", "evidence_id", "reviewer", "uri", "collected_on", "control_id",
                      "valid_until", "arrangement_id"])
    e1, _ = read_registers(folder, UNDER)["evidence"].records()
    assert e1["evidence_id"] == "E1" and e1["title"] == "契約檢視" and e1["control_id"] == "CT1"
    assert e1["extra"] == {"reviewer": "王小明", "備註": "note 0"}
    row = read_registers(folder, UNDER)["evidence"].rows[0]
    assert json.loads(row[-1]) == {"備註": "note 0", "reviewer": "王小明"}


def test_header_names_ignore_case_and_spaces(tmp_path: Path) -> None:
    folder = write_folder(tmp_path)
    rows = registers()["csps"]
    write_csv(folder / "csps.csv", rows, header=[" CSP_ID ", "Name", "country"])
    (folder / "csps.csv").write_text(" CSP_ID ,Name,country\nC1,Cloud One,TW\nC2,雲端二號,\n", encoding="utf-8")
    assert read_registers(folder, UNDER).counts()["csps"] == 2


def test_blank_rows_are_skipped_and_rows_are_numbered_as_a_spreadsheet_shows(tmp_path: Path) -> None:
    folder = write_folder(tmp_path)
    (folder / "csps.csv").write_text("csp_id,name,country\nC1,Cloud One,TW\n\n,,\nC2,,TW\n", encoding="utf-8")
    assert where(problems(folder)) == {("csps.csv", 5, "name")}


# ---------------------------------------------------------------- encodings and formats


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp950"])
def test_csv_encodings_are_detected(tmp_path: Path, encoding: str) -> None:
    folder = write_folder(tmp_path)
    write_csv(folder / "controls.csv", registers()["controls"], encoding=encoding)
    assert detect_encoding(folder / "controls.csv")[0] == encoding
    names = [r["name"] for r in read_registers(folder, UNDER)["controls"].records()]
    assert names == ["契約管理", "規範檢視"]


def test_a_bom_is_not_part_of_the_first_column_name(tmp_path: Path) -> None:
    folder = write_folder(tmp_path)
    write_csv(folder / "csps.csv", registers()["csps"], encoding="utf-8-sig")
    assert [r["csp_id"] for r in read_registers(folder, UNDER)["csps"].records()] == ["C1", "C2"]


def test_a_file_in_neither_encoding_is_named(tmp_path: Path) -> None:
    folder = write_folder(tmp_path)
    (folder / "systems.csv").write_bytes(b"system_id,name,arrangement_id\nS1,\xff\xfe\xff,A1\n")
    found = problems(folder)
    assert len(found) == 1
    assert found[0].source == "systems.csv"
    assert "neither UTF-8 (line 2 has an invalid byte) nor Big5/CP950" in found[0].message


def write_workbook(path: Path, data: Mapping[str, Sequence[Mapping[str, Any]]]) -> Path:
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for name, rows in data.items():
        sheet = book.create_sheet(name)
        columns = list(rows[0].keys())
        sheet.append(columns)
        for row in rows:
            sheet.append([row[c] for c in columns])
    book.create_sheet("說明").append(["instructions for users", "ignored"])
    book.save(path)
    return path


def xlsx_registers() -> dict[str, list[dict[str, Any]]]:
    data: dict[str, list[dict[str, Any]]] = {k: [dict(r) for r in v] for k, v in registers().items()}
    data["arrangements"][0]["start_date"] = dt.datetime(2024, 1, 1)  # a real Excel date cell
    data["arrangements"][0]["material"] = True  # an Excel boolean cell
    data["evidence"][0]["collected_on"] = dt.date(2026, 11, 1)
    data["controls"][0]["frequency_months"] = 12  # a number cell
    data["audits"][0]["independent"] = False
    data["evidence"] = [{"title": r["title"], **r} for r in data["evidence"]]  # another column order
    return data


def test_xlsx_workbook_with_real_cells(tmp_path: Path) -> None:
    write_workbook(tmp_path / "registers.xlsx", xlsx_registers())
    dataset = read_registers(tmp_path, UNDER)
    assert dataset.format == "xlsx"
    a1 = next(dataset["arrangements"].records())
    assert a1["start_date"] == dt.date(2024, 1, 1) and a1["material"] is True
    assert next(dataset["evidence"].records())["collected_on"] == dt.date(2026, 11, 1)
    assert next(dataset["controls"].records())["frequency_months"] == 12
    assert next(dataset["audits"].records())["independent"] is False
    assert read_registers(tmp_path / "registers.xlsx", UNDER).counts() == dataset.counts()


def test_xlsx_problems_name_the_sheet(tmp_path: Path) -> None:
    data = xlsx_registers()
    data["evidence"][1]["collected_on"] = "115/2/30"
    del data["controls"]
    write_workbook(tmp_path / "book.xlsx", data)
    found = problems(tmp_path)
    assert ("book.xlsx:evidence", 3, "collected_on") in where(found)
    assert any(p.source == "book.xlsx" and "has no sheet 'controls'" in p.message for p in found)


def test_csv_and_workbook_together_are_refused(tmp_path: Path) -> None:
    folder = write_folder(tmp_path)
    write_workbook(folder / "registers.xlsx", xlsx_registers())
    [found] = problems(folder)
    assert "both CSV files and a workbook" in found.message


def test_a_misnamed_register_file_is_reported(tmp_path: Path) -> None:
    folder = write_folder(tmp_path)
    (folder / "evidence.csv").rename(folder / "evidences.csv")
    (folder / "notes.csv").write_text("anything\n", encoding="utf-8")
    [found] = problems(folder)
    assert found.source == "evidences.csv" and "did you mean 'evidence'" in found.message


def test_missing_required_registers(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, {"evidence": registers()["evidence"]})
    found = problems(folder)
    assert {p.source for p in found if "required register is missing" in p.message} == {
        "csps.csv", "arrangements.csv", "controls.csv"}


def test_no_such_folder(tmp_path: Path) -> None:
    [found] = problems(tmp_path / "nowhere")
    assert "no such folder" in found.message


# ---------------------------------------------------------------- problems, all at once


def test_every_problem_of_two_files_at_once(tmp_path: Path) -> None:
    data = registers()
    data["arrangements"][0]["material"] = "maybe"
    data["arrangements"][1]["start_date"] = "115/2/30"
    data["arrangements"][1]["service_model"] = "FaaS"
    data["evidence"][0]["sha256"] = "ABC"
    data["evidence"][1]["control_id"] = "CT9"
    data["evidence"][1]["title"] = " "
    found = problems(write_folder(tmp_path, data))
    assert where(found) == {
        ("arrangements.csv", 2, "material"),
        ("arrangements.csv", 3, "start_date"),
        ("arrangements.csv", 3, "service_model"),
        ("evidence.csv", 2, "sha256"),
        ("evidence.csv", 3, "control_id"),
        ("evidence.csv", 3, "title"),
    }
    text = str(RegisterError(found))
    assert "6 problem(s)" in text and "nothing was written" in text
    assert "arrangements.csv, row 3, column start_date: '115/2/30' is not a date" in text
    assert "evidence.csv, row 3, column control_id: unknown 'CT9': no such id in controls" in text
    assert "evidence.csv, row 3, column title: is required but blank" in text
    assert "'FaaS' is not one of IaaS, PaaS, SaaS" in text


def test_unknown_references(tmp_path: Path) -> None:
    data = registers()
    data["arrangements"][1]["csp_id"] = "C9"
    data["systems"][0]["arrangement_id"] = "A9"
    data["evidence"][0]["arrangement_id"] = "A9"
    data["findings"][0]["audit_id"] = "AU9"
    data["certifications"][0]["csp_id"] = "C8"
    data["controls"][1]["applies_to"] = "A1;A7;A8"
    found = problems(write_folder(tmp_path, data))
    assert where(found) == {("arrangements.csv", 3, "csp_id"), ("systems.csv", 2, "arrangement_id"),
                            ("evidence.csv", 2, "arrangement_id"), ("findings.csv", 2, "audit_id"),
                            ("certifications.csv", 2, "csp_id"), ("controls.csv", 3, "applies_to")}
    applies = next(p for p in found if p.column == "applies_to")
    assert applies.message == "unknown 'A7', 'A8': no such id in arrangements"


def test_a_wildcard_stands_alone(tmp_path: Path) -> None:
    data = registers()
    data["controls"][0]["applies_to"] = "*;A1"
    [found] = problems(write_folder(tmp_path, data))
    assert (found.source, found.row, found.column) == ("controls.csv", 2, "applies_to")
    assert "write it alone" in found.message


def test_provision_ids(tmp_path: Path) -> None:
    data = registers()
    data["controls"][0]["satisfies"] = "A6.P9"
    data["controls"][1]["satisfies"] = "A5.P2;第六條;a6.p1.i1"
    data["contracts"][0]["clauses"] = "A6.P1.I1;A6.P1.I8"
    found = problems(write_folder(tmp_path, data))
    messages = {(p.source, p.row): p.message for p in found}
    assert messages[("controls.csv", 2)] == "unknown provision 'A6.P9': the regulation has no such provision"
    assert "provision 'A5.P2' names no obligation" in messages[("controls.csv", 3)]
    assert "'第六條' is not a provision id" in messages[("controls.csv", 3)]
    assert len(messages[("controls.csv", 3)].split("; ")) == 2  # a6.p1.i1 in lower case is accepted
    assert messages[("contracts.csv", 2)] == "unknown provision 'A6.P1.I8': the regulation has no such provision"


def test_without_the_obligations_only_the_form_of_provision_ids_is_checked(tmp_path: Path) -> None:
    data = registers()
    data["controls"][0]["satisfies"] = "A99.P1"
    assert read_registers(write_folder(tmp_path, data)).counts()["controls"] == 2
    data["controls"][0]["satisfies"] = "Article 6"
    assert where(problems(write_folder(tmp_path, data), None)) == {("controls.csv", 2, "satisfies")}


def test_cross_field_rules(tmp_path: Path) -> None:
    data = registers()
    data["findings"][0]["closed_on"] = "2026-07-01"  # open, but closed
    data["findings"][1]["closed_on"] = ""  # closed, but when?
    data["contracts"][0]["expires_on"] = "112/12/31"  # before signed_on 113/01/01
    data["certifications"][0]["valid_from"] = "2027-01-01"  # after valid_until
    data["arrangements"][0]["end_date"] = "2023-12-31"  # before start_date
    data["controls"][0]["frequency_months"] = "0"
    found = problems(write_folder(tmp_path, data))
    assert where(found) == {("findings.csv", 2, "closed_on"), ("findings.csv", 3, "closed_on"),
                            ("contracts.csv", 2, "expires_on"), ("certifications.csv", 2, "valid_until"),
                            ("arrangements.csv", 2, "end_date"), ("controls.csv", 2, "frequency_months")}
    text = {p.message for p in found}
    assert "is required when status is closed" in text
    assert "must be blank when status is open (only closed ones have it)" in text
    assert "expires_on 2023-12-31 is before signed_on 2024-01-01" in text
    assert "must be at least 1, not 0" in text


def test_duplicate_ids_and_duplicate_columns(tmp_path: Path) -> None:
    data = registers()
    data["evidence"][1]["evidence_id"] = "E1"
    folder = write_folder(tmp_path, data)
    (folder / "csps.csv").write_text("csp_id,name,country,name\nC1,Cloud One,TW,again\nC2,Two,TW,\n",
                                     encoding="utf-8")
    found = problems(folder)
    assert where(found) == {("evidence.csv", 3, "evidence_id"), ("csps.csv", 1, "name")}
    assert any(p.message == "duplicate evidence_id 'E1' (first on row 2)" for p in found)
    assert any("the column appears twice (columns B and D)" in p.message for p in found)


def test_missing_required_column_is_reported_once(tmp_path: Path) -> None:
    folder = write_folder(tmp_path)
    rows = [{k: v for k, v in r.items() if k != "title"} for r in registers()["evidence"]]
    write_csv(folder / "evidence.csv", rows)
    [found] = problems(folder)
    assert (found.source, found.row, found.column) == ("evidence.csv", 1, "title")
    assert found.message == "a required column is missing from the header"


def test_values_without_a_column(tmp_path: Path) -> None:
    folder = write_folder(tmp_path)
    (folder / "csps.csv").write_text("csp_id,name,,country\nC1,One,x,TW\nC2,Two,,TW,extra\n", encoding="utf-8")
    assert where(problems(folder)) == {("csps.csv", 2, "C"), ("csps.csv", 3, None)}


def test_an_empty_file(tmp_path: Path) -> None:
    folder = write_folder(tmp_path)
    (folder / "audits.csv").write_text("", encoding="utf-8")
    (folder / "findings.csv").unlink()
    [found] = problems(folder)
    assert found.source == "audits.csv" and "is empty" in found.message


def test_a_semicolon_separated_file_gets_a_hint_not_a_cascade(tmp_path: Path) -> None:
    folder = write_folder(tmp_path)
    (folder / "csps.csv").write_text("csp_id;name;country\nC1;Cloud One;TW\nC2;Two;TW\n", encoding="utf-8")
    [found] = problems(folder)
    assert (found.source, found.row) == ("csps.csv", 1) and "separated by ';'" in found.message


# ---------------------------------------------------------------- the company, approvals and data locations


def test_the_company_register_holds_one_row(tmp_path: Path) -> None:
    data = registers()
    data["company"] = [*data["company"],
                       {"legal_name": "另一家公司", "legal_name_en": "", "foreign_branch": "N", "multi_cloud": "N"},
                       {"legal_name": "第三家公司", "legal_name_en": "", "foreign_branch": "", "multi_cloud": "N"}]
    found = problems(write_folder(tmp_path, data))
    assert where(found) == {("company.csv", 3, "legal_name"), ("company.csv", 4, "legal_name"),
                            ("company.csv", 4, "foreign_branch")}
    too_many = next(p for p in found if p.row == 3)
    assert too_many.message == "one row too many: the company register holds one row, the member company itself"


def test_data_locations_are_country_codes(tmp_path: Path) -> None:
    data = registers()
    data["arrangements"][0]["data_locations"] = "TW;sg"
    data["systems"][0]["data_locations"] = "Taiwan"
    data["systems"][1]["data_locations"] = "TWN"
    found = problems(write_folder(tmp_path, data))
    assert where(found) == {("arrangements.csv", 2, "data_locations"), ("systems.csv", 2, "data_locations"),
                            ("systems.csv", 3, "data_locations")}
    assert all("ISO 3166-1 alpha-2 country code in capitals" in p.message for p in found)
    assert "'sg' does not match" in next(p.message for p in found if p.source == "arrangements.csv")


def test_locations_outside_taiwan_need_offshore(tmp_path: Path) -> None:
    """A2 is not offshore (offshore N): its own locations and its systems' may only be TW."""
    data = registers()
    data["arrangements"][1]["data_locations"] = "TW;JP;SG"
    data["systems"][1]["data_locations"] = "US"
    data["systems"].append({"system_id": "S3", "name": "本地報表", "arrangement_id": "A2", "data_locations": "TW"})
    found = problems(write_folder(tmp_path, data))
    assert where(found) == {("arrangements.csv", 3, "data_locations"), ("systems.csv", 3, "data_locations")}
    messages = {p.source: p.message for p in found}
    assert messages["arrangements.csv"] == ("data_locations TW;JP;SG lists JP, SG outside Taiwan while offshore is N: "
                                            "set offshore to Y or correct the locations")
    assert messages["systems.csv"] == ("data_locations US lists US outside Taiwan while arrangement A2 has offshore N "
                                       "in arrangements.csv: set its offshore to Y or correct the locations")


def test_locations_of_an_offshore_arrangement_and_its_systems_are_accepted(tmp_path: Path) -> None:
    data = registers()
    data["arrangements"][1]["offshore"] = "Y"
    data["arrangements"][1]["data_locations"] = "JP"
    data["systems"][1]["data_locations"] = "TW;US"
    dataset = read_registers(write_folder(tmp_path, data), UNDER)
    assert [r["data_locations"] for r in dataset["systems"].records()] == [["TW", "SG"], ["TW", "US"]]


def test_a_system_of_an_arrangement_whose_offshore_is_wrong_is_not_judged_twice(tmp_path: Path) -> None:
    data = registers()
    data["arrangements"][1]["offshore"] = "maybe"
    data["systems"][1]["data_locations"] = "US"
    assert where(problems(write_folder(tmp_path, data))) == {("arrangements.csv", 3, "offshore")}


def test_approvals_and_findings_are_checked(tmp_path: Path) -> None:
    data = registers()
    data["approvals"][0].update(arrangement_id="A9", kind="approval", provisions="A6.P9;A5.P2")
    data["approvals"][1].update(reference="", decided_on="2026-04-01", valid_until="2026-03-31")
    data["findings"][0]["provisions"] = "A6.P1.I8"
    data["findings"][1]["provisions"] = "Article 9"
    found = problems(write_folder(tmp_path, data))
    assert where(found) == {("approvals.csv", 2, "arrangement_id"), ("approvals.csv", 2, "kind"),
                            ("approvals.csv", 2, "provisions"), ("approvals.csv", 3, "reference"),
                            ("approvals.csv", 3, "valid_until"), ("findings.csv", 2, "provisions"),
                            ("findings.csv", 3, "provisions")}
    messages = {(p.source, p.row, p.column): p.message for p in found}
    assert messages[("approvals.csv", 2, "provisions")] == (
        "unknown provision 'A6.P9': the regulation has no such provision; provision 'A5.P2' names no obligation: "
        "it permits or defines, it does not oblige")
    assert messages[("approvals.csv", 2, "kind")] == (
        "'approval' is not one of fsc_approval, fsc_filing, board_resolution, head_office_authorisation")
    assert messages[("approvals.csv", 3, "valid_until")] == "valid_until 2026-03-31 is before decided_on 2026-04-01"
    assert messages[("findings.csv", 2, "provisions")] == (
        "unknown provision 'A6.P1.I8': the regulation has no such provision")


def test_inserted_provision_ids_have_the_form_of_ids(tmp_path: Path) -> None:
    data = registers()
    data["controls"][0]["satisfies"] = "A10-1.P1"  # 第十條之一: an id, but the seed has no such article
    data["controls"][1]["satisfies"] = "A4.P1-1"  # paragraphs are never inserted
    messages = {(p.source, p.row): p.message for p in problems(write_folder(tmp_path, data))}
    assert messages[("controls.csv", 2)] == "unknown provision 'A10-1.P1': the regulation has no such provision"
    assert "'A4.P1-1' is not a provision id" in messages[("controls.csv", 3)]
    data["controls"][1]["satisfies"] = "A4.P1.I6-1"
    assert read_registers(write_folder(tmp_path, data)).counts()["controls"] == 2  # no obligations given


@pytest.mark.parametrize("chunk_rows", [1, 3, 20_000])
def test_validating_column_by_column_gives_what_row_by_row_gives(monkeypatch: pytest.MonkeyPatch,
                                                                  chunk_rows: int) -> None:
    """Clean chunks are validated column by column (_clean_chunk), the others row by row (_rows): on the example
    insurer (Big5 and UTF-8 files, blanks, lists, dates, references) both give the same rows, in any chunking."""
    from regtrace.loaders import register_validation as validation

    from regtrace.seed import examples_folder

    monkeypatch.setattr(validation, "CHUNK_ROWS", chunk_rows)
    by_columns = read_registers(examples_folder())
    monkeypatch.setattr(validation._Validator, "_clean_chunk", lambda *_: False)
    by_rows = read_registers(examples_folder())
    assert {n: r.rows for n, r in by_columns.registers.items()} == {n: r.rows for n, r in by_rows.registers.items()}
    assert sum(len(r.rows) for r in by_rows.registers.values()) > 100


def test_a_chunk_with_one_bad_cell_reports_it_and_keeps_the_other_chunks(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A bad date in the fourth evidence row, chunks of two rows: the problem names that row (5) and column."""
    from regtrace.loaders import register_validation as validation

    from regtrace.seed import examples_folder

    monkeypatch.setattr(validation, "CHUNK_ROWS", 2)
    folder = tmp_path / "insurer"
    shutil.copytree(examples_folder(), folder)
    path = folder / "evidence.csv"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        found = list(csv.reader(handle))
    found[4][found[0].index("collected_on")] = "2026-02-30"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(found)
    with pytest.raises(RegisterError) as refused:
        read_registers(folder)
    assert [(p.source, p.row, p.column) for p in refused.value.problems] == [("evidence.csv", 5, "collected_on")]


def test_a_duplicate_id_names_the_row_of_the_first_even_in_an_earlier_chunk(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of two rows: E1 and E2 (rows 2 and 3) pass column by column; rows 5 and 6 repeat E2 and E1, each
    named with the row where the id first appeared, and row 7 repeats row 5's own id (first judged row by row)."""
    from regtrace.loaders import register_validation as validation

    monkeypatch.setattr(validation, "CHUNK_ROWS", 2)
    rows = registers()["evidence"]
    e1, e2 = rows[0], rows[1]
    data = registers()
    data["evidence"] = [e1, e2, {**e1, "evidence_id": "E9"}, {**e2}, {**e1}, {**e1, "evidence_id": "E9"}]
    messages = [(p.row, p.column, p.message) for p in problems(write_folder(tmp_path, data))]
    assert messages == [(5, "evidence_id", "duplicate evidence_id 'E2' (first on row 3)"),
                        (6, "evidence_id", "duplicate evidence_id 'E1' (first on row 2)"),
                        (7, "evidence_id", "duplicate evidence_id 'E9' (first on row 4)")]
