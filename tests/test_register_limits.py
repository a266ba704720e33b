"""Bounded register input (issue 16 point 5): workbooks checked before reading, control characters, integer and
date bounds, two-digit years, at most 1,000 problems listed with the total, Big5 errors at the right line.

Every hostile file is built here from a small one; nothing large is committed. The limits come from the
README: cells at most 131,072 characters (CSV's), Excel's 1,048,576 rows and 16,384 columns, parts inflating
at most 100 times, years 1911–2200 (民國1–289), whole numbers within a signed 32-bit range.
"""

from __future__ import annotations

import datetime as dt
import random
import string
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from regtrace.loaders.register_values import CellError, read_date
from regtrace.loaders.registers import read_registers
from test_register_validation import UNDER, problems, registers, where, write_csv, write_folder, write_workbook

from regtrace.errors import RegisterError

# ---------------------------------------------------------------- XLSX checked before reading

MB = 1 << 20


def _rewrite(book: Path, target: Path, part: str, write: Callable[[zipfile.ZipFile, bytes], None],
             change: dict[str, Callable[[bytes], bytes]] | None = None) -> Path:
    """Copy the workbook `book` to `target`, letting `write` produce the part named `part` from its old bytes
    (b"" for a new part) and `change` edit others."""
    change = change or {}
    with zipfile.ZipFile(book) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        names = set(src.namelist())
        for info in src.infolist():
            data = src.read(info)
            if info.filename == part:
                write(dst, data)
            else:
                data = change.get(info.filename, lambda b: b)(data)
                dst.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
        if part not in names:
            write(dst, b"")
    return target


SST = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
SST_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
SHARED = {  # what Excel writes for a workbook with a shared-string table; the csps sheet's C1 cell uses it
    "[Content_Types].xml": lambda b: b.replace(
        b"</Types>", f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SST}"/></Types>'.encode()),
    "xl/_rels/workbook.xml.rels": lambda b: b.replace(
        b"</Relationships>",
        f'<Relationship Id="rIdSST" Type="{SST_REL}" Target="sharedStrings.xml"/></Relationships>'.encode()),
    "xl/worksheets/sheet1.xml": lambda b: b.replace(
        b'<c r="C1" t="inlineStr"><is><t>country</t></is></c>', b'<c r="C1" t="s"><v>0</v></c>'),
}


def _small_book(tmp_path: Path) -> Path:
    return write_workbook(tmp_path / "source.xlsx", registers())


def _streamed(dst: zipfile.ZipFile, name: str, head: bytes, filler: bytes, repeat: int, tail: bytes) -> None:
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    info._compresslevel = 1  # type: ignore[attr-defined]  # fast to build: still over 200 times smaller
    with dst.open(info, "w", force_zip64=True) as out:
        out.write(head)
        for _ in range(repeat):
            out.write(filler)
        out.write(tail)


def _refusal(folder: Path) -> str:
    with pytest.raises(RegisterError) as caught:
        read_registers(folder, UNDER)
    found = caught.value.problems
    assert len(found) == 1, found
    assert found[0].source == "registers.xlsx"
    return found[0].message


def test_a_shared_string_bomb_is_refused_before_reading(tmp_path: Path) -> None:
    """A workbook of under 3 MB whose shared-string table inflates to 600 MB."""
    folder = tmp_path / "bomb"
    folder.mkdir()

    def bomb(dst: zipfile.ZipFile, old: bytes) -> None:
        head = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>country</t></si>'
        _streamed(dst, "xl/sharedStrings.xml", head + b"<si><t>", b"A" * MB, 600, b"</t></si></sst>")

    book = _rewrite(_small_book(tmp_path), folder / "registers.xlsx", "xl/sharedStrings.xml", bomb, SHARED)
    assert book.stat().st_size < 3 * MB
    with zipfile.ZipFile(book) as z:
        assert z.getinfo("xl/sharedStrings.xml").file_size > 600 * MB
    message = _refusal(folder)
    assert message.startswith("is refused before reading")
    assert "xl/sharedStrings.xml" in message and "compression bomb" in message


def test_an_inline_cell_bomb_in_a_sheet_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "bomb"
    folder.mkdir()

    def bomb(dst: zipfile.ZipFile, old: bytes) -> None:
        head, _, tail = old.partition(b"</sheetData>")
        cell = b'<row r="9"><c r="B9" t="inlineStr"><is><t>'
        _streamed(dst, "xl/worksheets/sheet1.xml", head + cell, b"=" * MB, 200,
                  b"</t></is></c></row></sheetData>" + tail)

    _rewrite(_small_book(tmp_path), folder / "registers.xlsx", "xl/worksheets/sheet1.xml", bomb)
    assert "xl/worksheets/sheet1.xml" in _refusal(folder)


def _random_text(size: int) -> str:
    rng = random.Random(16)
    return "".join(rng.choices(string.ascii_letters + string.digits, k=size))


def _with_cell_text(tmp_path: Path, text: str) -> Path:
    """The small workbook with csps!B2 (Cloud One's name) replaced by `text`, written as Excel would (openpyxl
    itself cuts text at Excel's 32,767 characters, so the sheet's XML is edited)."""
    folder = tmp_path / "big"
    folder.mkdir()
    cell = b"<t>Cloud One</t>"

    def edit(dst: zipfile.ZipFile, old: bytes) -> None:
        assert cell in old
        dst.writestr("xl/worksheets/sheet1.xml", old.replace(cell, f"<t>{text}</t>".encode()))

    _rewrite(_small_book(tmp_path), folder / "registers.xlsx", "xl/worksheets/sheet1.xml", edit)
    return folder


def test_a_cell_too_large_to_read_is_refused_before_reading(tmp_path: Path) -> None:
    """Text that does not compress (no ratio to catch): 600,000 characters in one cell, past 4 bytes a character."""
    message = _refusal(_with_cell_text(tmp_path, _random_text(600_000)))
    assert "more than 131,072 characters" in message and "xl/worksheets/sheet1.xml" in message


def test_a_cell_over_the_csv_limit_is_reported_at_its_row(tmp_path: Path) -> None:
    found = problems(_with_cell_text(tmp_path, _random_text(140_000)))  # under the byte bound
    assert where(found) == {("registers.xlsx:csps", 2, None)}
    assert "cell B2 holds 140,000 characters (at most 131,072" in found[0].message


@pytest.mark.parametrize(("xml", "said"), [
    (b'<row r="5000000"><c r="A5000000" t="inlineStr"><is><t>x</t></is></c></row>', "row 5,000,000"),
    (b'<row r="9"><c r="XFE9" t="inlineStr"><is><t>x</t></is></c></row>', "column XFE"),
])
def test_rows_and_columns_past_excels_limits_are_refused(tmp_path: Path, xml: bytes, said: str) -> None:
    folder = tmp_path / "wide"
    folder.mkdir()

    def extend(dst: zipfile.ZipFile, old: bytes) -> None:
        dst.writestr("xl/worksheets/sheet1.xml", old.replace(b"</sheetData>", xml + b"</sheetData>"))

    _rewrite(_small_book(tmp_path), folder / "registers.xlsx", "xl/worksheets/sheet1.xml", extend)
    assert said in _refusal(folder)


# ---------------------------------------------------------------- control characters


def test_control_characters_are_refused_with_file_row_and_column(tmp_path: Path) -> None:
    data = registers()
    data["csps"][0]["name"] = "Cloud\x00One"
    data["evidence"][1]["title"] = "規範\x07檢視"
    data["evidence"][0]["evidence_id"] = "E\t1"  # an id is one line of text
    data["controls"][0]["name"] = "契約管理\n第二行"  # free text may break lines
    data["systems"][0]["name"] = "保單\t系統"  # and hold tabs
    found = problems(write_folder(tmp_path / "r", data))
    assert where(found) == {("csps.csv", 2, "name"), ("evidence.csv", 3, "title"),
                            ("evidence.csv", 2, "evidence_id")}
    messages = {(p.source, p.column): p.message for p in found}
    assert "NUL (U+0000) at character 6" in messages[("csps.csv", "name")]
    assert "U+0007" in messages[("evidence.csv", "title")]
    assert "a tab (U+0009)" in messages[("evidence.csv", "evidence_id")]


def test_a_tab_inside_an_id_in_a_workbook_is_refused(tmp_path: Path) -> None:
    """XML (so XLSX) cannot hold NUL or the other C0 controls, but it holds tabs and line breaks."""
    data = registers()
    data["csps"][1]["csp_id"] = "C\t2"
    data["csps"][0]["name"] = "Cloud\nOne"  # free text may break lines
    folder = tmp_path / "x"
    folder.mkdir()
    write_workbook(folder / "registers.xlsx", data)
    found = problems(folder)
    assert ("registers.xlsx:csps", 3, "csp_id") in where(found)
    assert all(p.source != "registers.xlsx:csps" or p.row == 3 for p in found)


def test_control_characters_in_a_header_are_refused(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "r")
    rows = [{"csp_id": r["csp_id"], "name": r["name"], "coun\x1btry": r["country"]} for r in registers()["csps"]]
    write_csv(folder / "csps.csv", rows)
    assert ("csps.csv", 1, "C") in where(problems(folder))


# ---------------------------------------------------------------- whole numbers and dates


@pytest.mark.parametrize("text", ["99999999999999999999", "2147483648", "-2147483649", "9" * 5000])
def test_integers_out_of_range_are_problems_not_crashes(tmp_path: Path, text: str) -> None:
    data = registers()
    data["controls"][0]["frequency_months"] = text
    found = problems(write_folder(tmp_path / "r", data))
    assert where(found) == {("controls.csv", 2, "frequency_months")}
    assert "too large" in found[0].message


def test_a_frequency_beyond_a_century_is_refused(tmp_path: Path) -> None:
    data = registers()
    data["controls"][0]["frequency_months"] = "1201"
    found = problems(write_folder(tmp_path / "r", data))
    assert where(found) == {("controls.csv", 2, "frequency_months")}
    assert "must be at most 1200, not 1201" in found[0].message


@pytest.mark.parametrize(("text", "day"), [
    ("1911-01-01", dt.date(1911, 1, 1)), ("2200-12-31", dt.date(2200, 12, 31)),
    ("民國1年1月1日", dt.date(1912, 1, 1)), ("民國289年12月31日", dt.date(2200, 12, 31)),
    ("289/12/31", dt.date(2200, 12, 31)), ("099/12/31", dt.date(2010, 12, 31)),
    ("民國99/12/31", dt.date(2010, 12, 31)), ("115/11/29", dt.date(2026, 11, 29)),
])
def test_dates_within_the_bounds(text: str, day: dt.date) -> None:
    assert read_date(text) == day


@pytest.mark.parametrize(("text", "why"), [
    ("9999-12-31", "outside 1911–2200"), ("1910-12-31", "outside 1911–2200"), ("2201-01-01", "outside 1911–2200"),
    ("0026-11-29", "outside 1911–2200"), ("民國290年1月1日", "outside 1–289"), ("290/01/01", "outside 1–289"),
    ("民國0年1月1日", "outside 1–289"), ("26/11/29", "ambiguous"), ("26-11-29", "ambiguous"),
    ("99年12月31日", "ambiguous"), ("5/1/1", "ambiguous"),
])
def test_dates_outside_the_bounds_or_ambiguous(text: str, why: str) -> None:
    with pytest.raises(CellError, match=why) as caught:
        read_date(text)
    assert "2026-11-29, 115/11/29 or 民國115年11月29日" in str(caught.value)


def test_a_two_digit_year_in_a_register_is_a_problem(tmp_path: Path) -> None:
    data = registers()
    data["audits"][0]["performed_on"] = "26/03/01"
    found = problems(write_folder(tmp_path / "r", data))
    assert where(found) == {("audits.csv", 2, "performed_on")}
    assert "民國26年 is 1937, not 2026" in found[0].message


# ---------------------------------------------------------------- many problems


def test_two_hundred_thousand_problems_are_counted_and_a_thousand_listed(tmp_path: Path) -> None:
    data = registers()
    data["controls"] = [{"control_id": f"CT{i}", "name": "n", "owner": "", "frequency_months": "x",
                         "satisfies": "A4.P1.I1", "applies_to": "NOPE"} for i in range(100_000)]
    folder = write_folder(tmp_path / "r", data)
    with pytest.raises(RegisterError) as caught:
        read_registers(folder, UNDER)
    error = caught.value
    assert error.total == 200_000
    assert len(error.problems) == 1_000
    assert [(p.row, p.column) for p in error.problems[:2]] == [(2, "frequency_months"), (2, "applies_to")]
    text = str(error)
    assert text.startswith("200,000 problem(s) in the registers; the first 1,000 are listed; nothing was written")
    assert text.count("\n  - ") == 1_000


# ---------------------------------------------------------------- Big5 at the right line


def test_a_big5_file_with_a_bad_byte_names_that_line(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "r")
    rows = [{"control_id": f"CT{i}", "name": f"第{i}項控制", "owner": "法令遵循部", "frequency_months": "12",
             "satisfies": "A4.P1.I1", "applies_to": "*"} for i in range(1, 9)]
    path = write_csv(folder / "controls.csv", rows, encoding="cp950")
    lines = path.read_bytes().split(b"\n")
    assert "法令遵循部".encode("cp950") in lines[5]
    lines[5] = lines[5].replace("法令".encode("cp950"), b"\xff\xfe")  # line 6 (row 6): not Big5, not UTF-8
    path.write_bytes(b"\n".join(lines))
    found = problems(folder)
    assert where(found) == {("controls.csv", None, None)}
    assert "reads as Big5 (CP950) text up to line 6, where the bytes ff fe are not Big5" in found[0].message


def test_a_real_big5_file_still_reads() -> None:
    folder = Path(__file__).resolve().parent.parent / "examples" / "insurer"
    raw = (folder / "controls.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert len(read_registers(folder)["controls"]) > 0


def test_a_workbook_with_a_shared_string_table_passes_the_checks(tmp_path: Path) -> None:
    """The shared-string workbook the bomb test starts from reads, so the bomb is refused for its size only."""
    folder = tmp_path / "ok"
    folder.mkdir()

    def table(dst: zipfile.ZipFile, old: bytes) -> None:
        dst.writestr("xl/sharedStrings.xml", b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
                     b'2006/main"><si><t>country</t></si></sst>')

    _rewrite(_small_book(tmp_path), folder / "registers.xlsx", "xl/sharedStrings.xml", table, SHARED)
    dataset = read_registers(folder, UNDER)
    assert next(dataset["csps"].records())["country"] == "TW"
