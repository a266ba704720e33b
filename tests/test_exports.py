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
from regtrace.exports.data import gather
from regtrace.graph.port import Store
from regtrace.ontology.model import RT
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
                  "保險業作業委託他人處理內部作業制度及程序辦法", "最嚴重缺口", "附錄"):
        assert label in text
    assert "\ufffd" not in text and "□" not in text  # no replacement characters or tofu
    fonts = subprocess.run([need_tool("pdffonts"), str(pdf)], capture_output=True, text=True, check=True).stdout
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk, fonts
    assert all(line.split()[-5] == "yes" for line in cjk), fonts  # the "emb" column


def test_report_has_the_summary_charts_and_stale_references(exported: Exported) -> None:
    html = (exported.folder / "report.html").read_text(encoding="utf-8")
    assert html.count("<svg") == 2 and html.count("<path") > 50  # coverage by article and by CSP
    assert "保險業作業委託他人處理應注意事項" in html and "第六條第一項" in html
    assert "regtrace.bdd_report" in html or "BDD" in html


def test_pdf_pages_are_a4_with_a_landscape_appendix(exported: Exported) -> None:
    info = subprocess.run([need_tool("pdfinfo"), "-f", "1", "-l", "999", str(exported.folder / "report.pdf")],
                          capture_output=True, text=True, check=True).stdout
    sizes = re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)
    assert sizes and (round(float(sizes[0][0])), round(float(sizes[0][1]))) == (595, 842)
    assert (round(float(sizes[-1][0])), round(float(sizes[-1][1]))) == (842, 595)


# ---------------------------------------------------------------- XLSX


def test_xlsx_sheets_are_frozen_filtered_and_sized(exported: Exported) -> None:
    wb = load_workbook(exported.folder / "traceability-matrix.xlsx")
    assert [ws.title for ws in wb.worksheets] == [
        "封面 Cover", "涵蓋率 Coverage", "條文 Provisions", "矩陣 Matrix", "追溯 Trace", "佐證 Evidence",
        "驗證 Certifications", "契約條款 Contract clauses", "查核 Audits", "對照 Crosswalks"]
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
