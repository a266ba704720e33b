"""The dashboard's files as the app serves them, and the trace arguments the dashboard relies on (subject,
provisions). The dashboard in a real browser: test_dashboard_browser.py."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path
from typing import Any

import openpyxl
from api_fixtures import Api

UI = Path(__file__).resolve().parents[2] / "api" / "dashboard_ui"


def test_dashboard_is_served_with_a_strict_policy(api: Api) -> None:
    redirect = api.client.get("/dashboard", follow_redirects=False)
    assert redirect.status_code == 307 and redirect.headers["location"] == "/dashboard/"
    page = api.client.get("/dashboard/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src 'self'" in policy and "connect-src 'self'" in policy
    for name in re.findall(r'(?:src|href)="([^"#:]+)"', page.text):
        asset = api.client.get(f"/dashboard/{name}")
        assert asset.status_code == 200, name
    script = api.client.get("/dashboard/app.js")
    assert script.headers["content-type"].startswith("text/javascript")


def test_only_the_dashboard_files_are_served(api: Api) -> None:
    for name in ("nope.js", "..%2Fapp.py", "%2E%2E%2Fui.py", "ui.py"):
        assert api.client.get(f"/dashboard/{name}").status_code == 404, name


def test_no_asset_comes_from_elsewhere() -> None:
    for path in UI.iterdir():
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"https?://", text), f"{path.name} refers to another origin"
        assert "@import" not in text


def test_every_string_has_both_languages() -> None:
    text = (UI / "i18n.js").read_text(encoding="utf-8")
    def block(opening: str) -> str:
        start = text.index(opening) + len(opening)
        return text[start:text.index("\n};", start)]

    body = block("const VOCABULARY = {") + "\n" + block("const S = {")  # the ontology's words, then the page's
    body = re.sub(r'"\s*\+\s*"', "", body)  # "a" +\n "b" -> "ab"
    string = r'"((?:[^"\\]|\\.)+)"'
    entries = re.findall(r'^\s+"?([\w.]+)"?:\s*\[\s*' + string + r",\s*" + string + r"\s*\],$", body, flags=re.M)
    keys = re.findall(r'^\s+"?([\w.]+)"?:', body, flags=re.M)
    strings = {key: (zh, en) for key, zh, en in entries}
    assert list(strings) == keys, "every key needs a zh-TW and an English string"
    assert len(strings) > 80
    scripts = "".join(p.read_text(encoding="utf-8") for p in UI.glob("*.js"))
    used = set(re.findall(r'\bt\("([\w.]+)"', scripts))
    used |= set(re.findall(r'data-i18n(?:-label)?="([\w.]+)"', (UI / "index.html").read_text(encoding="utf-8")))
    assert used <= set(strings), used - set(strings)


TRACE = """query($subject: String, $provisions: [String!]) {
  trace(asOf: "2026-11-29", subject: $subject, provisions: $provisions, first: 1000) {
    totalCount edges { node { provision subject status } } } }"""


def test_trace_by_subject_and_provisions(api: Api) -> None:
    everything = api.data(TRACE)["trace"]
    assert everything["totalCount"] > 0
    rows = [e["node"] for e in api.data(TRACE, {"subject": "company"})["trace"]["edges"]]
    assert rows and {r["subject"] for r in rows} == {"company"}
    articles = [f"A{n}" for n in range(1, 14)]
    heat = [e["node"] for e in api.data(TRACE, {"provisions": articles})["trace"]["edges"]]
    assert heat and {r["provision"] for r in heat} <= set(articles)
    assert len({(r["subject"], r["provision"]) for r in heat}) == len(heat)
    one = [e["node"] for e in api.data(TRACE, {"subject": "ARR-01", "provisions": ["A5"]})["trace"]["edges"]]
    assert [(r["subject"], r["provision"]) for r in one] == [("ARR-01", "A5")]
    assert api.data(TRACE, {"subject": "ARR-404"})["trace"]["totalCount"] == 0


# ---- the board view (regtrace.board): alpha on 2026-11-29, worked out from tests/api_fixtures.py -------------

BOARD = """{ boardView(asOf: "2026-11-29") {
  as_of coverage { covered applicable percent } certificates_expired certificates_expiring
  overdue_findings { severity count } expired_contracts approvals_needing approvals_missing
  arrangements { arrangement_id name in_effect } risks { kind subject obligations zh en } } }"""


def test_the_board_view_counts_what_the_board_answers_for(api: Api) -> None:
    view = api.data(BOARD, as_="board")["boardView"]
    assert view["as_of"] == "2026-11-29"
    # CERT-3 (CSP-B) ended 5 days before; CERT-1 ends in 30 days (within 90); CERT-2 in 400
    assert (view["certificates_expired"], view["certificates_expiring"]) == (1, 1)
    # F-01 (high) was due 10 days before and is open; F-02 (low) is due in 30 days; F-03 is closed
    assert view["overdue_findings"] == [{"severity": "critical", "count": 0}, {"severity": "high", "count": 1},
                                        {"severity": "medium", "count": 0}, {"severity": "low", "count": 0}]
    # K-02 (ARR-02, in effect) expired 100 days before; K-01 has no expiry
    assert view["expired_contracts"] == 1
    # ARR-02 and ARR-04 are material, natural-person data, offshore: ARR-02 approved before its start, ARR-04 not
    assert (view["approvals_needing"], view["approvals_missing"]) == (2, 1)
    assert view["arrangements"][:2] == [{"arrangement_id": "ARR-01", "name": "Arrangement 01", "in_effect": True},
                                        {"arrangement_id": "ARR-02", "name": "Arrangement 02", "in_effect": True}]
    assert len(view["arrangements"]) == 25 and all(a["in_effect"] for a in view["arrangements"])
    coverage = api.data('{ coverageOverall(asOf: "2026-11-29") { covered applicable percent } }',
                        as_="board")["coverageOverall"]
    assert view["coverage"] == coverage
    risks = view["risks"]
    assert [(r["kind"], r["subject"]) for r in risks[:2]] == [("fsc_approval_missing", "ARR-04"),
                                                               ("certificate_expired", None)]
    assert risks[0]["zh"] == "ARR-04 Arrangement 04：須經金管會事前核准，查無核准紀錄"
    assert "CSP-B Beta Cloud" in risks[1]["en"] and "ISO27017" in risks[1]["en"] and "2026-11-24" in risks[1]["en"]
    contract = [r for r in risks if r["kind"] == "contract_expired"]
    assert contract and contract[0]["subject"] == "ARR-02" and "K-02" in contract[0]["zh"]
    assert "2026-08-21" in contract[0]["en"]  # 100 days before 2026-11-29
    assert all(r["obligations"] > 0 for r in risks[2:]) and len(risks) <= 10
    words = " ".join(r["zh"] + r["en"] for r in risks)
    for secret in ("E-00", "C-ALL", "C-DD", "C-BOARD", "Baseline", "Board minutes"):
        assert secret not in words, f"a board risk shows an evidence or control detail: {secret}"


def test_the_board_role_cannot_read_evidence_or_controls(api: Api) -> None:
    refused = [
        '{ trace(asOf: "2026-11-29", first: 5) { nodes { provision evidence } } }',
        '{ trace(asOf: "2026-11-29", first: 5) { nodes { controls } } }',
        '{ gaps(asOf: "2026-11-29", first: 5) { edges { node { evidence_nodes { title } } } } }',
        '{ evidence(id: "E-001") { title uri } }',
        '{ evidences(limit: 5) { evidence_id } }',
        '{ controls(limit: 5) { control_id name } }',
        '{ certificationStates(asOf: "2026-11-29") { certification_id } }',
        '{ findingStates(asOf: "2026-11-29") { finding_id } }',
    ]
    for query in refused:
        _, code, _ = api.error(query, as_="board")
        assert code == "FORBIDDEN", query
    # what the board reads has no evidence or control field anywhere below it
    from graphql import GraphQLObjectType, get_named_type
    from regtrace.api.schema import build_schema

    seen: set[str] = set()
    todo = [get_named_type(build_schema().query_type.fields["boardView"].type)]
    while todo:
        t = todo.pop()
        if not isinstance(t, GraphQLObjectType) or t.name in seen:
            continue
        seen.add(t.name)
        assert t.name not in ("Evidence", "Control")
        for name, f in t.fields.items():
            assert not name.startswith(("evidence", "control")), f"{t.name}.{name}"
            todo.append(get_named_type(f.type))
    assert api.data('{ gaps(asOf: "2026-11-29") { totalCount } }', as_="board")["gaps"]["totalCount"] > 0


# ---- downloads: /export/<file>?asOf=D ------------------------------------------------------------------------

def _get(api: Api, path: str, role: str | None = "officer") -> Any:
    headers = {"Authorization": f"Bearer {api.tokens[role]}"} if role else {}
    return api.client.get(path, headers=headers)


def test_downloads_are_the_export_of_the_date_asked_for(api: Api, tmp_path: Path) -> None:
    # the PDF of the small tenant (an admin chooses it): rendering the report is the slow part
    pdf = _get(api, "/export/report.pdf?asOf=2026-11-29&tenant=beta", role="admin")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert 'filename="regtrace-beta-2026-11-29-report.pdf"' in pdf.headers["content-disposition"]
    (tmp_path / "report.pdf").write_bytes(pdf.content)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(tmp_path / "report.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "2026-11-29" in text and "ARR-99" in text and "ARR-25" not in text  # beta's, not alpha's
    xlsx = _get(api, "/export/traceability-matrix.xlsx?asOf=2026-06-30", role="auditor")
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
    (tmp_path / "matrix.xlsx").write_bytes(xlsx.content)
    workbook = openpyxl.load_workbook(tmp_path / "matrix.xlsx", read_only=True)
    first = workbook[workbook.sheetnames[0]]
    values = {v for row in first.iter_rows(values_only=True) for v in row if v is not None}
    assert dt.datetime(2026, 6, 30) in values or dt.date(2026, 6, 30) in values or "2026-06-30" in values
    assert not ({dt.datetime(2026, 11, 29), dt.date(2026, 11, 29), "2026-11-29"} & values)


def test_downloads_refuse_what_they_must(api: Api) -> None:
    assert _get(api, "/export/report.pdf?asOf=2026-11-29", role=None).status_code == 401
    assert _get(api, "/export/report.pdf?asOf=2026-11-29", role="revoked").status_code == 401
    board = _get(api, "/export/traceability-matrix.xlsx?asOf=2026-11-29", role="board")
    assert board.status_code == 403 and board.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    for bad, words in (("2026-13-01", "not a date"), ("29/11/2026", "not a date"), ("1800-01-01", "out of range"),
                       ("9" * 5000, "not a date"), ("2026-W48-7", "not a date")):
        answer = _get(api, f"/export/report.pdf?asOf={bad}")
        assert answer.status_code == 400, bad
        message = answer.json()["errors"][0]["message"]
        assert message.startswith("asOf:") and words in message, message
    assert _get(api, "/export/graph.ttl?asOf=2026-11-29").status_code == 404
    other = _get(api, "/export/report.pdf?asOf=2026-11-29&tenant=beta")
    assert other.status_code == 403  # only an admin chooses a tenant
    missing = _get(api, "/export/traceability-matrix.xlsx?asOf=2026-11-29&tenant=nobody", role="admin")
    assert missing.status_code == 404
