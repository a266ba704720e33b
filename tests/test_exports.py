"""Every export format of the example insurer: golden files, and what each format must hold on its own.

The example insurer is loaded with the real register loader from examples/insurer (when the loader and the
folder exist; otherwise the small insurer of export_fixtures). One export of every format per session.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import pytest
from export_fixtures import AS_OF, TENANT, load_example, write_small_insurer
from export_snapshots import (
    assert_snapshot,
    html_text,
    json_text,
    need_tool,
    ntriples,
    pdf_text,
    xlsx_text,
)
from openpyxl import load_workbook
from pyshacl import validate
from rdflib import RDF, Graph, URIRef
from rdflib.compare import isomorphic
from regtrace.exports import bundle, oscal, report
from regtrace.exports.cover import SignOff
from regtrace.exports.data import gather
from regtrace.graph.port import Store
from regtrace.ontology.reading import RT
from trestle.oscal.assessment_results import AssessmentResults
from trestle.oscal.catalog import Catalog

from regtrace.stores import open_store

GENERATED = dt.datetime(2026, 11, 29, 1, 0, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Exported:
    folder: Path
    source: str  # the snapshot folder: example-insurer or small-insurer
    store: str


@pytest.fixture(scope="module")
def example_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, str]]:
    store = open_store(str(tmp_path_factory.mktemp("export-store") / "store"))
    try:
        if os.environ.get("REGTRACE_EXPORT_FIXTURE") == "small":
            write_small_insurer(store, TENANT)
            source = "small-insurer"
        else:
            source = load_example(store, TENANT)
        yield store, source
    finally:
        store.close()


@pytest.fixture(scope="module")
def exported(example_store: tuple[Store, str], tmp_path_factory: pytest.TempPathFactory) -> Exported:
    store, source = example_store
    folder = tmp_path_factory.mktemp("export")
    bundle.export(store, AS_OF, bundle.FORMATS, folder, TENANT, generated_at=GENERATED)
    return Exported(folder, source, store.uri)


def _graph(path: Path, fmt: str) -> Graph:
    return Graph().parse(path, format=fmt)


# ---------------------------------------------------------------- golden files


def test_xlsx_matches_its_golden_file(exported: Exported) -> None:
    text = xlsx_text(exported.folder / "traceability-matrix.xlsx", exported.store)
    assert_snapshot(exported.source, "traceability-matrix.xlsx.json", text)


def test_pdf_text_matches_its_golden_file(exported: Exported) -> None:
    assert_snapshot(exported.source, "report.pdf.txt", pdf_text(exported.folder / "report.pdf"))


def test_html_matches_its_golden_file(exported: Exported) -> None:
    assert_snapshot(exported.source, "report.html", html_text(exported.folder / "report.html", exported.store))


def test_turtle_matches_its_golden_file(exported: Exported) -> None:
    graph = _graph(exported.folder / "graph.ttl", "turtle")
    assert_snapshot(exported.source, "graph.nt", ntriples(graph, exported.store))


def test_jsonld_is_the_same_graph_as_the_turtle(exported: Exported) -> None:
    turtle = _graph(exported.folder / "graph.ttl", "turtle")
    jsonld = _graph(exported.folder / "graph.jsonld", "json-ld")
    assert len(jsonld) == len(turtle) > 1000
    assert isomorphic(turtle, jsonld)


@pytest.mark.parametrize("name", ["oscal-catalog.json", "oscal-assessment-results.json"])
def test_oscal_matches_its_golden_file(exported: Exported, name: str) -> None:
    assert_snapshot(exported.source, name, json_text(exported.folder / name, exported.store))


def test_manifest_lists_every_file(exported: Exported) -> None:
    doc = json.loads((exported.folder / "manifest.json").read_text(encoding="utf-8"))
    mapping_files = {f"oscal-mapping-TIA-CLOUD-SRR_{name}.json" for name in ("ISO27001-2022", "ISO27017-2015",
                                                                             "CSA-CCM-4")}  # the shipped sets
    assert {f["path"] for f in doc["files"]} == {name for names in bundle.FILES.values() for name in names
                                                 } | mapping_files
    assert doc["tenant"] == TENANT and doc["as_of"] == "2026-11-29"
    assert doc["generated_at"] == GENERATED.isoformat() and doc["store"] == exported.store
    assert doc["generator"]["name"] == "regtrace" and doc["generator"]["version"]
    assert all(re.fullmatch(r"[0-9a-f]{64}", f["sha256"]) and f["size"] > 0 for f in doc["files"])


# ---------------------------------------------------------------- PDF and HTML


def test_pdf_renders_the_chinese_citations_with_an_embedded_cjk_font(exported: Exported) -> None:
    pdf = exported.folder / "report.pdf"
    text = subprocess.run([need_tool("pdftotext"), "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    text = re.sub(r"\s+", "", text)  # table cells wrap long titles
    for label in ("第六條第一項第一款", "保險業作業委託他人處理應注意事項",
                  "保險業作業委託他人處理內部作業制度及程序辦法", "根本原因", "附錄"):
        assert label in text
    assert "\ufffd" not in text and "□" not in text  # no replacement characters or tofu
    fonts = subprocess.run([need_tool("pdffonts"), str(pdf)], capture_output=True, text=True, check=True).stdout
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk, fonts
    assert all(line.split()[-5] == "yes" for line in cjk), fonts  # the "emb" column


def test_report_has_the_summary_charts_and_stale_references(exported: Exported) -> None:
    html = (exported.folder / "report.html").read_text(encoding="utf-8")
    assert html.count("<svg") == 3 and html.count("<path") > 50  # coverage by article, by CSP, over time
    assert "保險業作業委託他人處理應注意事項" in html and "第六條第一項" in html
    assert "regtrace.bdd_report" in html or "BDD" in html


def test_pdf_pages_are_a4_with_a_landscape_appendix(exported: Exported) -> None:
    info = subprocess.run([need_tool("pdfinfo"), "-f", "1", "-l", "999", str(exported.folder / "report.pdf")],
                          capture_output=True, text=True, check=True).stdout
    sizes = re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)
    assert sizes and (round(float(sizes[0][0])), round(float(sizes[0][1]))) == (595, 842)
    assert (round(float(sizes[-1][0])), round(float(sizes[-1][1]))) == (842, 595)


def _body(exported: Exported) -> str:
    """The PDF's text after the cover (whose contents name every section first), without whitespace."""
    return "".join(_pdf_pages(exported)[1:])


def _pdf_pages(exported: Exported) -> list[str]:
    """Each page's text without whitespace (table cells wrap anywhere)."""
    raw = subprocess.run([need_tool("pdftotext"), "-enc", "UTF-8", str(exported.folder / "report.pdf"), "-"],
                         capture_output=True, text=True, check=True).stdout
    return [re.sub(r"\s+", "", page) for page in raw.split("\f") if page.strip()]


def _need_example(exported: Exported) -> None:
    if exported.source != "example-insurer":
        pytest.skip("the expected values are worked out from examples/insurer (REGTRACE_EXPORT_FIXTURE=small)")


def test_pdf_cover_names_the_company_dates_version_and_marking(exported: Exported) -> None:
    _need_example(exported)
    cover = _pdf_pages(exported)[0]
    # company.csv: the legal name in zh-TW and English; 2026-11-29 is ROC year 2026 - 1911 = 115;
    # generated 01:00 UTC is 09:00 in Taipei (UTC+8)
    assert "新加坡商範例人壽保險股份有限公司台灣分公司" in cover
    assert "ExampleLifeAssurance(Singapore)Pte.Ltd.,TaiwanBranch" in cover
    assert "民國115年11月29日（2026-11-29）" in cover
    assert "民國115年11月29日09:00（2026-11-2909:00Asia/Taipei,UTC+8）" in cover
    assert "法規版本Regulationversion保險業作業委外使用雲端服務自律規範" in cover
    assert "目錄Contents" in cover


def test_pdf_contents_give_each_section_its_page(exported: Exported) -> None:
    pages = _pdf_pages(exported)
    toc = pages[0][pages[0].index("目錄Contents"):]
    for number, (_, title) in enumerate(report.SECTIONS, start=1):
        heading = f"{number}." + re.sub(r"\s+", "", title)
        after = re.escape(f"{number + 1}.") if number < len(report.SECTIONS) else r"\D"
        found = re.search(re.escape(heading) + rf"\.+(\d+?)(?={after})", toc)
        assert found, heading
        page = int(found.group(1))
        assert heading in pages[page - 1], (heading, page)  # the section starts on the page the contents give


def test_every_pdf_page_carries_the_confidentiality_marking(exported: Exported) -> None:
    pages = _pdf_pages(exported)
    assert all("機密CONFIDENTIAL" in p for p in pages)


def test_pdf_scope_lists_arrangements_out_of_scope_and_register_hashes(exported: Exported) -> None:
    _need_example(exported)
    text = _body(exported)
    scope = text[text.index("2.範圍Scope"):text.index("3.方法Method", text.index("2.範圍Scope"))]
    # arrangements.csv: ARR-SMS ended 2025-06-30 and ARR-CALLREC 2026-03-31, both before 2026-11-29
    assert "納入範圍之委外事項Arrangementsinscope(7)" in scope
    assert "未納入範圍之委外事項Arrangementsoutofscope(2)" in scope
    assert "ARR-CALLREC" in scope and "於基準日前結束（2026-03-31）" in scope
    assert "ARR-SMS" in scope and "於基準日前結束（2025-06-30）" in scope
    # the registers with their row counts (the CSV files' lines less the header) and a SHA-256 each
    for register, rows in (("arrangements", 9), ("contracts", 9), ("evidence", 125), ("controls", 40),
                           ("company", 1), ("findings", 6)):
        assert re.search(rf"{register}{rows}[0-9a-f]{{64}}", scope), register


def test_pdf_method_states_the_readme_rules(exported: Exported) -> None:
    text = _body(exported)
    method_text = text[text.index("3.方法Method"):text.index("4.涵蓋情形Coverage", text.index("3.方法Method"))]
    for phrase in ("Roll-up.Aprovisionaboveobligationsgetsarowpersubject",
                   "Dminusthecontrol'sfrequency_months",
                   "valid_until=Disstillvalid", "arrangementwhoseend_dateisDisstillineffectonD"):
        assert phrase.replace("(", "").replace(")", "") in method_text.replace("(", "").replace(")", ""), phrase


def test_pdf_groups_findings_by_root_cause(exported: Exported) -> None:
    _need_example(exported)
    text = _body(exported)
    findings = text[text.index("5.發現事項"):text.index("6.驗證及查核缺失", text.index("5.發現事項"))]
    # contracts.csv: K-2022-003 (ARR-CRM) listed A6.P1.I1-I7 and expired 114/12/31 = 2025-12-31: one root cause
    # for seven obligations, each under it once
    head = "涵蓋此條款之契約已到期thecontractthatlistedtheclausehasexpired（contractK-2022-003；expires_on2025-12-31）"
    assert head in findings
    group = findings[findings.index(head):]
    group = group[:group.index("項義務obligations") + 20]
    assert "，7項義務obligations" in group
    # findings.csv: F-2026-003 (high) was due 115-10-31 = 2026-10-31, open on 2026-11-29: overdue
    assert "查核缺失逾期未改善anauditfindingisopenpastitsduedate（findingF-2026-003；auditAUD-2026-02；severity高high" \
        in findings


def test_pdf_says_how_long_ago_a_certificate_expired(exported: Exported) -> None:
    _need_example(exported)
    text = _body(exported)
    attention = text[text.index("6.驗證及查核缺失"):text.index("7.引用已失效法規", text.index("6.驗證及查核缺失"))]
    # certifications.csv: CERT-11 valid until 2026-08-31; to 2026-11-29 is 30 + 31 + 29 = 90 days
    assert "CERT-11" in attention and "已到期90天expired90daysago" in attention
    assert "-90" not in attention and "−90" not in attention
    # findings.csv: F-2026-004 is critical: its severity in both languages, marked as critical
    assert "▲重大critical" in attention


def test_pdf_sign_off_block_is_left_blank_to_sign(exported: Exported) -> None:
    text = _body(exported)
    signoff = text[text.index("9.簽核Sign-off"):text.index("10.附錄", text.index("9.簽核Sign-off"))]
    assert "製表Preparedby覆核Reviewedby核准Approvedby" in signoff.replace("職責Role姓名Name日期Date簽章Signature", "")


def test_sign_off_names_and_dates_fill_the_block(example_store: tuple[Store, str]) -> None:
    store, _ = example_store
    d = gather(store, TENANT, AS_OF, generated_at=GENERATED)
    html = report.render_html(d, SignOff(prepared_by="王小明", prepared_on=dt.date(2026, 11, 30),
                                         approved_by="陳總經理", approved_on=dt.date(2026, 12, 2)))
    block = re.sub(r"\s+", "", html[html.index('id="signoff"'):html.index('id="appendix"')])
    assert "<td>製表Preparedby</td><td>王小明</td><td>2026-11-30</td>" in block
    assert "<td>覆核Reviewedby</td><td></td><td></td>" in block  # left blank to sign by hand
    assert "<td>核准Approvedby</td><td>陳總經理</td><td>2026-12-02</td>" in block


def test_exports_use_only_the_ontology_words(exported: Exported) -> None:
    from test_vocabulary import COMPETING

    pdf = "".join(_pdf_pages(exported))
    cells = " ".join(str(c) for ws in load_workbook(exported.folder / "traceability-matrix.xlsx").worksheets
                     for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str))
    for text in (pdf, cells, (exported.folder / "report.html").read_text(encoding="utf-8")):
        assert not COMPETING.search(text), COMPETING.search(text)
        # 逾期 only for findings: overdue 逾期未改善, days overdue 逾期天數, not yet due 未逾期; never for evidence
        assert re.findall(r"(?<!未)逾期(?!未改善|天數)", text) == []
    assert "佐證過時stale" in pdf and "佐證過時 stale" in cells  # the ontology's word for stale evidence


def test_pdf_shows_coverage_at_the_last_eight_quarter_ends(exported: Exported) -> None:
    text = _body(exported)
    coverage = text[text.index("4.涵蓋情形Coverage"):text.index("5.發現事項", text.index("4.涵蓋情形Coverage"))]
    trend = coverage[coverage.index("涵蓋率趨勢Coverageovertime"):]
    # the ends of the 8 quarters before 2026-11-29, oldest first
    ends = ["2024-12-31", "2025-03-31", "2025-06-30", "2025-09-30", "2025-12-31", "2026-03-31", "2026-06-30",
            "2026-09-30"]
    assert "".join(ends) + "整體Overall" in trend  # oldest first; the as-of date itself is not a quarter end


def test_report_charts_are_percent_of_applicable(exported: Exported) -> None:
    html = (exported.folder / "report.html").read_text(encoding="utf-8")
    assert "占適用義務之百分比 % of applicable obligations" in html


# ---------------------------------------------------------------- XLSX


def test_xlsx_prints_landscape_fit_to_width_with_repeated_headers(exported: Exported) -> None:
    wb = load_workbook(exported.folder / "traceability-matrix.xlsx")
    for ws in wb.worksheets:
        header = next(i for i, row in enumerate(ws.iter_rows(values_only=True), start=1)
                      if row and row[0] is not None and i > 0 and ws.cell(i, 1).font.bold
                      and ws.cell(i, 1).fill.start_color.rgb.endswith("1F4E78"))
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1, ws.title
        assert ws.page_setup.fitToHeight == 0, ws.title  # as many pages down as it takes
        assert ws.print_title_rows == f"${header}:${header}", ws.title
        assert ws.oddFooter.left.text.startswith("機密 CONFIDENTIAL"), ws.title


def test_xlsx_has_the_scope_and_method_sheets(exported: Exported) -> None:
    _need_example(exported)
    wb = load_workbook(exported.folder / "traceability-matrix.xlsx")
    scope_rows = [row for row in wb["範圍 Scope"].iter_rows(min_row=4, values_only=True) if row[0]]
    out = {r[2]: r[8] for r in scope_rows if r[0] == "未納入 out of scope"}
    assert set(out) == {"ARR-CALLREC", "ARR-SMS"} and "2026-03-31" in out["ARR-CALLREC"]
    assert sum(1 for r in scope_rows if r[0] == "納入 in scope") == 7
    registers = {r[2]: (r[9], r[10]) for r in scope_rows if r[0] == "已載入 loaded"}
    assert registers["evidence"][0] == 125 and registers["arrangements"][0] == 9
    pdf = "".join(_pdf_pages(exported))
    assert all(digest in pdf for _, digest in registers.values())  # the same digests as the report
    method_rows = [row for row in wb["方法 Method"].iter_rows(min_row=4, values_only=True) if row[0]]
    assert [r[1] for r in method_rows][:3] == ["Obligations", "Subjects", "Ended arrangements"]
    assert any(str(r[2]).startswith("Roll-up. A provision above obligations") for r in method_rows)



def test_xlsx_sheets_are_frozen_filtered_and_sized(exported: Exported) -> None:
    wb = load_workbook(exported.folder / "traceability-matrix.xlsx")
    assert [ws.title for ws in wb.worksheets] == [
        "封面 Cover", "範圍 Scope", "方法 Method", "涵蓋率 Coverage", "條文 Provisions", "矩陣 Matrix", "追溯 Trace",
        "佐證 Evidence", "驗證 Certifications", "契約條款 Contract clauses", "查核 Audits", "對照 Crosswalks"]
    for ws in wb.worksheets:
        assert ws.freeze_panes and ws.auto_filter.ref
    provisions = wb["條文 Provisions"]
    assert provisions["A1"].value == "條次 Citation"
    labels = [c.value for c in provisions["A"][1:]]
    assert "第六條第一項第一款" in labels
    # the citation column fits its longest label, CJK characters counting double
    longest = max(len(str(v)) for v in labels if v)
    assert provisions.column_dimensions["A"].width >= 2 * longest
    matrix = wb["矩陣 Matrix"]
    fills = {c.fill.start_color.rgb[-6:] for row in matrix.iter_rows(min_row=4) for c in row[3:] if c.value}
    assert {"FFC7CE", "C6EFCE"} <= fills  # gaps in red, covered in green


# ---------------------------------------------------------------- RDF


def _shapes() -> tuple[Graph, Graph]:
    base = files("regtrace.ontology")
    shapes = Graph().parse(data=base.joinpath("shapes.ttl").read_text(encoding="utf-8"), format="turtle")
    onto = Graph().parse(data=base.joinpath("regtrace.ttl").read_text(encoding="utf-8"), format="turtle")
    return shapes, onto


def test_exported_turtle_conforms_to_the_shapes(exported: Exported) -> None:
    data = _graph(exported.folder / "graph.ttl", "turtle")
    shapes, onto = _shapes()
    conforms, _, text = validate(data, shacl_graph=shapes, ont_graph=onto, inference="none")
    assert conforms, text
    # and the shapes do bite: an arrangement without its CSP is refused
    arrangement = next(data.subjects(RDF.type, RT.OutsourcingArrangement))
    data.remove((arrangement, RT.providedBy, None))
    assert not validate(data, shacl_graph=shapes, ont_graph=onto, inference="none")[0]


def test_turtle_uses_the_ontology_and_typed_dates(exported: Exported) -> None:
    g = _graph(exported.folder / "graph.ttl", "turtle")
    a6 = URIRef("https://w3id.org/regtrace/id/Provision/A6.P1.I1")
    assert (a6, RDF.type, RT.Provision) in g
    assert str(g.value(a6, RT.label)) == "第六條第一項第一款"
    dates = [o for o in g.objects(None, RT.valid_until)]
    assert dates and all(o.datatype == URIRef("http://www.w3.org/2001/XMLSchema#date") for o in dates)
    arrangements = set(g.subjects(RDF.type, RT.OutsourcingArrangement))
    assert arrangements and all(str(a).startswith(f"https://w3id.org/regtrace/id/{TENANT}/OutsourcingArrangement/")
                                for a in arrangements)


# ---------------------------------------------------------------- OSCAL


def test_oscal_documents_load_in_trestle(exported: Exported) -> None:
    catalog = Catalog.oscal_read(exported.folder / "oscal-catalog.json")
    results = AssessmentResults.oscal_read(exported.folder / "oscal-assessment-results.json")
    assert catalog is not None and results is not None
    assert [g.id for g in catalog.groups or []] == [f"art-{n}" for n in range(1, 14)]
    parts = set()

    def walk(controls: list[object] | None) -> None:
        for c in controls or []:
            parts.update(p.id for p in c.parts or [])  # type: ignore[attr-defined]
            walk(c.controls)  # type: ignore[attr-defined]

    for group in catalog.groups or []:
        walk(group.controls)
    result = results.results[0]
    assert result.findings and result.observations
    assert {f.target.target_id for f in result.findings} <= parts
    uuids = [o.uuid for o in result.observations] + [f.uuid for f in result.findings]
    assert len(uuids) == len(set(uuids))


def test_oscal_uuids_are_stable(example_store: tuple[Store, str]) -> None:
    store, _ = example_store
    first = oscal.assessment_results(gather(store, TENANT, AS_OF, generated_at=GENERATED))
    again = oscal.assessment_results(gather(store, TENANT, AS_OF, generated_at=GENERATED))
    assert first == again
    other_day = oscal.assessment_results(gather(store, TENANT, AS_OF + dt.timedelta(days=1), generated_at=GENERATED))
    assert other_day["assessment-results"]["uuid"] != first["assessment-results"]["uuid"]


# ---------------------------------------------------------------- caps for large tenants


def test_caps_are_applied_and_said(example_store: tuple[Store, str], tmp_path: Path) -> None:
    store, _ = example_store
    d = gather(store, TENANT, AS_OF, generated_at=GENERATED, evidence_cap=3)
    assert len(d.evidence_lines) <= 3 < d.evidence_lines_total
    assert len(d.nodes["Evidence"]) < d.evidence_total
    bundle.write_formats(d, ["xlsx", "ttl"], tmp_path)
    cover = [str(c.value) for row in load_workbook(tmp_path / "traceability-matrix.xlsx")["封面 Cover"].iter_rows()
             for c in row if c.value]
    assert any("僅列前 3 列" in v for v in cover)
    # the Turtle still has every evidence item: the cap is for the tables only
    g = _graph(tmp_path / "graph.ttl", "turtle")
    assert len(set(g.subjects(RDF.type, RT.Evidence))) == d.evidence_total
    small = report.appendix(d, cap=5)
    assert len(small.rows) == 5 and small.note and "XLSX" in small.note
