"""A large plain CSV file judged whole columns at once (register_validation_columnar) against the row-wise checks,
the reference: the same verdict, the same problems (file, row, column, message) and the same values."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from regtrace.loaders import register_validation_columnar as columnar
from regtrace.loaders.register_graph import TableBuilder
from regtrace.loaders.register_reader import detect_encoding, read_folder
from regtrace.loaders.register_validation import validate_folder
from regtrace.loaders.registers import read_registers, register_names

from regtrace.errors import RegisterError

SHA = "0f" * 32
OTHERS = {
    "csps.csv": "csp_id,name\nC1,雲端一號\n",
    "arrangements.csv": "arrangement_id,name,csp_id,service_model,material,offshore,natural_person_data,"
                        "customer_data,hybrid_cloud,internet_access,vm_or_container_images,subcontracting,"
                        "foreign_branch,start_date\n"
                        "A1,核心系統,C1,SaaS,N,N,N,N,N,N,N,N,N,2024-01-01\n"
                        "A2,CRM,C1,SaaS,Y,N,N,N,N,N,N,N,N,2024-01-01\n",
    "controls.csv": "control_id,name,satisfies\nCT1,契約管理,A6.P1\nCT2,規範檢視,A4.P1.I1\n",
}
EVIDENCE = ("evidence_id", "control_id", "arrangement_id", "collected_on", "valid_until", "title", "uri", "sha256")
REQUIRED = ("evidence_id", "control_id", "collected_on", "title")


@contextmanager
def row_wise_only() -> Iterator[None]:
    """The reference: every file judged by the row-wise checks."""
    with mock.patch.object(columnar, "qualifies", lambda _validator: False):
        yield


@contextmanager
def counting_columnar() -> Iterator[list[bool]]:
    """The column-wise judgement as loaded, recording what it answered for each file it was given."""
    answers: list[bool] = []
    judge = columnar.validate_columns

    def recorded(validator: Any) -> bool:
        answers.append(judge(validator))
        return answers[-1]

    with mock.patch.object(columnar, "validate_columns", recorded):
        yield answers


def outcome(folder: Path) -> tuple[str, Any]:
    """What validation gives: the kept rows of every register, or every problem as the user reads it."""
    try:
        dataset = read_registers(folder)
    except RegisterError as refused:
        return "refused", [(p.source, p.row, p.column, p.message) for p in refused.problems]
    return "accepted", {name: register.rows for name, register in dataset.registers.items()}


def streamed(folder: Path) -> dict[str, pa.Table] | None:
    """The store's node and link tables built from the chunks handed on as they are validated (as a load does)."""
    builder = TableBuilder("t1", None, frozenset({"evidence", "csps"}))
    with read_folder(folder, register_names()) as found:
        try:
            dataset = validate_folder(found, None, None, None, builder.add)
        except RegisterError:
            return None
    models = [r.model for name, r in dataset.registers.items() if name in {"evidence", "csps"}]
    built = builder.tables(models)
    return {**built.nodes, **{"/".join(key): table for key, table in built.links.items()}}


def write(folder: Path, evidence: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in OTHERS.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "evidence.csv").write_bytes(evidence)
    return folder


def compare(folder: Path) -> tuple[str, list[bool]]:
    """Column-wise and row-wise give the same verdict, problems, kept rows and streamed tables."""
    with counting_columnar() as answers:
        fast = outcome(folder)
    fast_tables = streamed(folder)
    with row_wise_only():
        plain, plain_tables = outcome(folder), streamed(folder)
    assert fast == plain
    assert (fast_tables is None) == (plain_tables is None)
    if fast_tables is not None and plain_tables is not None:
        assert fast_tables.keys() == plain_tables.keys()
        for key, table in plain_tables.items():
            assert fast_tables[key].equals(table), key
    return fast[0], answers


# ---------------------------------------------------------------- examples worked out by hand


def test_a_clean_plain_file_is_judged_column_wise_with_the_row_wise_values(tmp_path: Path) -> None:
    """Cells padded with spaces, ideographic spaces and no-break spaces, ROC and ISO dates, blank optional cells:
    the file is judged column-wise and gives exactly the row-wise values (E2's dates: 民國115年 is 2026)."""
    text = ("\ufeffevidence_id,control_id,arrangement_id,collected_on,valid_until,title,uri,sha256\r\n"
            f"E1, CT1 ,A1,2026-11-01,,契約檢視\u3000,https://grc.example.com.tw/e/1,{SHA}\r\n"
            "\xa0E2,CT2,,115/10/01,民國116年10月1日,規範檢視紀錄,,\r\n")
    folder = write(tmp_path / "regs", text.encode("utf-8"))
    verdict, answers = compare(folder)
    assert verdict == "accepted" and answers == [True, True, True]  # csps, arrangements, evidence (controls: lists)
    rows = read_registers(folder)["evidence"].rows
    assert rows == [("E1", "CT1", "A1", dt.date(2026, 11, 1), None, "契約檢視", "https://grc.example.com.tw/e/1", SHA,
                     None),
                    ("E2", "CT2", None, dt.date(2026, 10, 1), dt.date(2027, 10, 1), "規範檢視紀錄", None, None, None)]


def test_a_bad_cell_is_named_by_the_row_wise_checks(tmp_path: Path) -> None:
    """A thousand good rows and a date that does not exist on row 702: the column-wise judgement declines the
    file and the row-wise checks name that row and column, with their message."""
    lines = ["evidence_id,control_id,collected_on,title"]
    lines += [f"E{i},CT1,{'2026-02-30' if i == 700 else '2026-02-01'},t" for i in range(1000)]
    folder = write(tmp_path / "regs", ("\n".join(lines) + "\n").encode("utf-8"))
    verdict, answers = compare(folder)
    assert verdict == "refused" and answers[-1] is False
    assert outcome(folder)[1] == [("evidence.csv", 702, "collected_on",
                               "'2026-02-30' is not a date (use 2026-11-29, 115/11/29 or 民國115年11月29日): "
                               "month 2 of 2026 has no day 30")]


def test_a_duplicate_id_and_an_unknown_reference_are_named_by_the_row_wise_checks(tmp_path: Path) -> None:
    text = "evidence_id,control_id,collected_on,title\nE1,CT1,2026-01-01,a\nE2,CT9,2026-01-01,b\nE1,CT2,2026-01-01,c\n"
    folder = write(tmp_path / "regs", text.encode("utf-8"))
    assert compare(folder)[0] == "refused"
    assert [(row, column) for _, row, column, _ in outcome(folder)[1]] == [(3, "control_id"), (4, "evidence_id")]


def test_an_empty_line_keeps_the_row_numbers_of_the_lines_after_it(tmp_path: Path) -> None:
    """An empty line is skipped by the row-wise checks but still counted: the bad cell after it is on row 4."""
    text = "evidence_id,control_id,collected_on,title\nE1,CT1,2026-01-01,a\n\nE2,CT1,soon,b\n"
    folder = write(tmp_path / "regs", text.encode("utf-8"))
    assert compare(folder)[0] == "refused"
    assert [(row, column) for _, row, column, _ in outcome(folder)[1]] == [(4, "collected_on")]


def test_a_big5_file_is_judged_column_wise_and_a_quoted_one_row_wise(tmp_path: Path) -> None:
    """A plain Big5 file is read by Arrow through the csv module's codec; a file whose quote is not where a quoted
    cell starts or ends (an ideographic space after the closing quote) is left to the row-wise checks. Both give
    the same rows as the row-wise checks alone."""
    text = "evidence_id,control_id,collected_on,title\nE1,CT1,2026-01-01,契約檢視\u3000\n"
    big5 = write(tmp_path / "big5", text.encode("cp950"))
    assert compare(big5) == ("accepted", [True, True, True])  # csps, arrangements, evidence
    assert read_registers(big5)["evidence"].rows[0][5] == "契約檢視"
    quoted = write(tmp_path / "quoted", text.replace("契約檢視", '"契約檢視, 第二版"').encode("utf-8"))
    assert compare(quoted) == ("accepted", [True, True])
    assert read_registers(quoted)["evidence"].rows[0][5] == "契約檢視, 第二版"


@pytest.mark.parametrize("encoding", ["utf-8", "cp950"])
def test_cells_quoted_as_a_spreadsheet_exports_them_are_judged_column_wise(tmp_path: Path, encoding: str) -> None:
    """A title holding a comma, one holding a quote (doubled inside its quotes), an empty quoted cell and every
    cell of a line quoted: Arrow reads each as the csv module does, so the file is judged column-wise, with the
    row-wise values (worked out by hand)."""
    text = ("evidence_id,control_id,arrangement_id,collected_on,title\r\n"
            'E1,CT1,,2026-01-01,"契約檢視, 第二版"\r\n'
            'E2,CT2,"",2026-01-02,"稽核 ""雲端"" 報告"\r\n'
            '"E3","CT1","A1","2026-01-03","季報"\r\n')
    folder = write(tmp_path / "regs", text.encode(encoding))
    assert compare(folder) == ("accepted", [True, True, True])  # csps, arrangements, evidence
    rows = read_registers(folder)["evidence"].rows
    assert [(r[0], r[2], r[5]) for r in rows] == [("E1", None, "契約檢視, 第二版"), ("E2", None, '稽核 "雲端" 報告'),
                                                  ("E3", "A1", "季報")]


@pytest.mark.parametrize(("line", "title"), [('E2,CT1,2026-01-02,"兩行\n標題"', "兩行\n標題"),
                                             ('E2,CT1,2026-01-02,"兩行\r\n標題"', "兩行\r\n標題"),
                                             ('E2,CT1,2026-01-02,"一行\r標題"', "一行\r標題"),
                                             ("E2,CT1,2026-01-02,有\t定位字元", "有\t定位字元"),
                                             ('E2,CT1,2026-01-02,"\t前後空白\r\n"', "前後空白")])
def test_a_title_over_lines_or_with_a_tab_is_judged_column_wise(tmp_path: Path, line: str, title: str) -> None:
    """A title over two lines (an Excel cell's Alt+Enter, LF, CRLF or a lone CR inside its quotes) or holding a tab:
    free text allows them, Arrow reads the cell as the csv module does, and the file is judged column-wise with the
    row-wise values (the title as written, trimmed at its ends as str.strip trims it)."""
    text = f"evidence_id,control_id,collected_on,title\nE1,CT1,2026-01-01,\"a, b\"\n{line}\n"
    folder = write(tmp_path / "regs", text.encode("utf-8"))
    assert compare(folder) == ("accepted", [True, True, True])
    assert [r[5] for r in read_registers(folder)["evidence"].rows] == ["a, b", title]


@pytest.mark.parametrize(("line", "column"), [('"E\n2",CT1,2026-01-02,t', "evidence_id"),
                                              ("E2,C\tT1,2026-01-02,t", "control_id"),
                                              ('E2,CT1,"2026-01-02\n",t', None)])
def test_a_tab_or_line_break_where_free_text_is_not_is_named_by_the_row_wise_checks(tmp_path: Path, line: str,
                                                                                    column: str | None) -> None:
    """A line break in an id, a tab in a reference: the column-wise judgement declines the file and the row-wise
    checks name the row and column. A line break at a date's end is trimmed as str.strip trims it: valid."""
    text = f"evidence_id,control_id,collected_on,title\nE1,CT1,2026-01-01,\"a, b\"\n{line}\n"
    folder = write(tmp_path / "regs", text.encode("utf-8"))
    verdict, answers = compare(folder)
    if column is None:
        assert (verdict, answers) == ("accepted", [True, True, True])
        return
    assert verdict == "refused" and answers == [True, True, False]
    assert [(row, name) for _, row, name, _ in outcome(folder)[1]] == [(3, column)]


@pytest.mark.parametrize("line", ['E2,CT1,2026-01-02,5" 螢幕', 'E2,CT1,2026-01-02, "前有空白"',
                                  'E2,CT1,2026-01-02,"後有文字"字', 'E2,CT1,2026-01-02,"兩行\n標題"後'])
def test_a_quote_arrow_may_read_otherwise_leaves_the_file_to_the_row_wise_checks(tmp_path: Path, line: str) -> None:
    """A quote inside an unquoted cell, a quote after a space, text after a closing quote (on a cell's first line or
    its second): the file is judged row-wise, and the verdict and values are the row-wise ones."""
    text = f"evidence_id,control_id,collected_on,title\nE1,CT1,2026-01-01,\"a, b\"\n{line}\n"
    folder = write(tmp_path / "regs", text.encode("utf-8"))
    verdict, answers = compare(folder)
    assert answers == [True, True] and verdict == "accepted"


# ---------------------------------------------------------------- the property


PADDING = st.sampled_from(["", "", "", " ", "\u3000", "\xa0", "\u2028", "\u200b", "\t"])
CELLS: dict[str, st.SearchStrategy[str]] = {
    "evidence_id": st.integers(0, 12).map(lambda n: f"E{n}") | st.just(""),
    "control_id": st.sampled_from(["CT1", "CT2", "CT1", "CT9", "", "ct1"]),
    "arrangement_id": st.sampled_from(["A1", "A2", "", "", "A9"]),
    "collected_on": st.sampled_from(["2026-01-02", "115/01/02", "民國115年1月2日", "2026-02-30", "", "soon",
                                     "2026-1-2", "２０２６-01-02", "26/01/02", "9999-12-31"]),
    "valid_until": st.sampled_from(["", "", "2027-01-02", "116/1/2", "2027-13-01"]),
    "title": st.text(st.sampled_from("ab契約 \u3000,\"\n"), max_size=6),
    "uri": st.sampled_from(["", "https://e.example/1", "x y"]),
    "sha256": st.sampled_from(["", SHA, SHA.upper(), "0f", SHA + "0"]),
}
# a valid title, as cells a writer quotes: commas, quotes, line breaks and tabs in it
QUOTED_TITLE = st.text(st.sampled_from('ab契約 ,"\n\r\t'), min_size=1, max_size=6).filter(str.strip)
# the same columns with valid cells only (ids are numbered apart), padded only with what Python strips
CLEAN_PADDING = st.sampled_from(["", "", " ", "\u3000", "\xa0", "\u2028", "\t"])
BIG5_PADDING = st.sampled_from(["", "", " ", "\u3000"])  # the whitespace Big5 has
CLEAN: dict[str, st.SearchStrategy[str]] = {
    "control_id": st.sampled_from(["CT1", "CT2"]),
    "arrangement_id": st.sampled_from(["A1", "A2", ""]),
    "collected_on": st.sampled_from(["2026-01-02", "115/01/02", "民國115年1月2日", "2026-1-2", "２０２６-01-02"]),
    "valid_until": st.sampled_from(["", "2027-01-02", "116/1/2"]),
    "title": st.text(st.sampled_from("ab契約 \u3000\u200b\t"), min_size=1, max_size=6).filter(str.strip),
    "uri": st.sampled_from(["", "https://e.example/1", "x y"]),
    "sha256": st.sampled_from(["", SHA]),
}


@st.composite
def evidence_files(draw: st.DrawFn) -> bytes:
    """An evidence file as a user might save it: some optional columns left out or reordered, cells padded with
    whitespace Python strips (and some it does not), line ends of any kind, Big5 or UTF-8 with or without a
    byte-order mark, written by the csv module (cells quoted where needed, or all of them) or joined as they are;
    half the files hold valid cells only (a quoted file's titles with commas and quotes), the others any mistake:
    a bad or blank cell, an unknown id or one twice, empty lines, a quote, a tab, a line break, a comma too many
    or a row too short (not plain, or a width Arrow refuses)."""
    optional = [c for c in EVIDENCE if c not in REQUIRED]
    columns = [*REQUIRED, *draw(st.lists(st.sampled_from(optional), unique=True))]
    columns = draw(st.permutations(columns))
    ending = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    mistakes, big5 = draw(st.booleans()), draw(st.booleans())
    padding = BIG5_PADDING if big5 else (PADDING if mistakes else CLEAN_PADDING)
    # written by the csv module as a spreadsheet would (cells with a comma, a quote or a line break quoted, or
    # every cell), or joined with commas as they are
    quoting = draw(st.sampled_from([None, None, csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))
    clean = dict(CLEAN, title=QUOTED_TITLE) if quoting is not None else CLEAN

    def joined(cells: list[str]) -> str:
        if quoting is None:
            return ",".join(cells)
        out = io.StringIO()
        csv.writer(out, quoting=quoting, lineterminator="").writerow(cells)
        return out.getvalue()

    lines = [joined(list(columns))]
    for number in range(draw(st.integers(0, 8))):
        if mistakes and draw(st.integers(0, 15)) == 0:
            lines.append(draw(st.sampled_from(["", ",,,", "  "])))
            continue
        if mistakes:
            cells = [draw(padding) + draw(CELLS[c]) + draw(padding) for c in columns]
        else:
            cells = [draw(padding) + (f"E{number}" if c == "evidence_id" else draw(clean[c])) + draw(padding)
                     for c in columns]
        if mistakes and draw(st.integers(0, 15)) == 0:
            cells = cells[:-1] if draw(st.booleans()) else [*cells, draw(st.sampled_from(["", "x"]))]
        lines.append(joined(cells))
    text = ending.join(lines) + (ending if draw(st.booleans()) else "")
    if big5:
        return text.encode("cp950", errors="replace")  # a character Big5 lacks (in a title) becomes '?'
    return (b"\xef\xbb\xbf" if draw(st.booleans()) else b"") + text.encode("utf-8")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(evidence=evidence_files())
def test_column_wise_accepts_exactly_what_row_wise_accepts(tmp_path: Path, evidence: bytes) -> None:
    """Any evidence file: the column-wise judgement and the row-wise checks give the same verdict, the same
    problems word for word, the same kept rows and the same store tables. (The title's quotes, commas and line
    breaks make some files not plain: those are judged row-wise, as is any file the column-wise judgement
    declines.)"""
    folder = write(tmp_path / f"regs-{abs(hash(evidence))}", evidence)
    verdict, answers = compare(folder)
    encoding = detect_encoding(folder / "evidence.csv")[0]
    quoted = b'"' in evidence
    event(f"{verdict}; {encoding}; quotes: {quoted}; evidence judged column-wise: {len(answers) == 3 and answers[-1]}")


def test_the_whitespace_stripped_is_python_s() -> None:
    assert "".join(c for c in map(chr, range(0x110000)) if c.isspace()) == columnar.WHITESPACE
    assert all(c.strip() == "" for c in columnar.WHITESPACE) and "\u200b".strip() == "\u200b"


ONE_CLASS_PATTERNS = ("^[0-9a-f]{64}$", "^[A-Z]{2}$", "^[0-9a-f]{3}$", "^[a-cX]{1}$")


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(ONE_CLASS_PATTERNS),
       st.lists(st.none() | st.text(alphabet="0123456789abcdefzAXZ臺 -_", max_size=70)
                | st.sampled_from(("0" * 64, "f" * 64, "AB", "abc", "臺北", "")), max_size=12),
       st.integers(0, 3))
def test_one_class_checked_on_the_bytes_as_python_s_re_matches(pattern: str, texts: list[str | None],
                                                               skip: int) -> None:
    """A pattern of one class a fixed number of times is judged on the column's bytes (lengths, then every
    byte in the class): the same verdict as Python's `re` on each text that is not null, for an array sliced
    anywhere (its offsets not starting at 0)."""
    import re

    found = columnar.one_class(pattern)
    assert found is not None
    array = pa.array(["padding"] * skip + texts, pa.string()).slice(skip)
    expected = all(re.compile(pattern).search(t) is not None for t in texts if t is not None)
    assert columnar.in_class(array, *found) == expected


def test_only_one_class_a_fixed_number_of_times_is_checked_on_the_bytes() -> None:
    assert columnar.one_class("^[0-9a-f]{64}$") == (b"0123456789abcdef", 64)
    for other in ("^[A-Za-z][A-Za-z0-9_-]*$", "^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$", "^[a-z]+$", "^[z-a]{2}$",
                  "[0-9]{2}", "^[0-9]{2}"):
        assert columnar.one_class(other) is None, other


def _readers() -> list[str]:
    import threading

    return [t.name for t in threading.enumerate() if t.name == "regtrace-read-ahead"]


def test_read_ahead_gives_every_item_in_order_then_what_reading_raised() -> None:
    """Arrow's batches are taken by a thread of their own while the one before is judged: the caller gets
    them in order, then what taking the next one raised (a malformed line), and no thread is left."""
    def items() -> Iterator[int]:
        yield from range(7)
        raise ValueError("line 9 has 3 columns")

    got: list[int] = []
    with pytest.raises(ValueError, match="line 9"):
        for item in columnar.read_ahead(items(), depth=2):
            got.append(item)
    assert got == list(range(7)) and not _readers()
    assert list(columnar.read_ahead(iter(range(1000)))) == list(range(1000)) and not _readers()


def test_read_ahead_left_early_stops_its_thread() -> None:
    """A column found not clean ends the judging at once: the reading thread, blocked on a full queue or
    taking its next item, stops too."""
    from contextlib import closing

    with closing(columnar.read_ahead(iter(range(10_000)), depth=1)) as ahead:
        assert [next(ahead) for _ in range(3)] == [0, 1, 2]
    assert not _readers()
