"""The board dashboard end to end: a real uvicorn server over the example insurer, headless Chromium driven by
Playwright. The page's numbers must be the API's answers; a heatmap cell shows its trace; English; the as-of
date re-queries; a board token sees coverage and gap counts only; nothing is fetched from another origin.

Uses Debian's /usr/bin/chromium (never a downloaded browser). Without it the test skips, except under CI=true,
where it fails. Deselect with `-m "not browser"`.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from browser_support import CHROMIUM, CHROMIUM_ARGS, need_browser
from export_fixtures import AS_OF, TENANT, load_example
from regtrace.api.app import create_app
from regtrace.api.auth import create_token
from regtrace.api.schema import build_schema

from regtrace import labels
from regtrace.stores import open_store

pytestmark = pytest.mark.browser

VIEWPORT = {"width": 1366, "height": 768}
COVERAGE = "key applicable covered percent counts { gap unevidenced stale covered not_applicable }"
SUMMARY = f"""query($asOf: Date) {{
  overall: coverageOverall(asOf: $asOf) {{ {COVERAGE} }}
  byArticle: coverage(groupBy: ARTICLE, asOf: $asOf) {{ {COVERAGE} }}
  byArrangement: coverage(groupBy: ARRANGEMENT, asOf: $asOf) {{ {COVERAGE} }}
  byCsp: coverage(groupBy: CSP, asOf: $asOf) {{ {COVERAGE} }}
  gaps(asOf: $asOf, first: 10) {{ totalCount }}
}}"""
DETAILS = """query($asOf: Date) {
  gaps(asOf: $asOf, first: 10) { edges { node { provision subject status } } }
  certificationStates(asOf: $asOf, status: [expiring, expired]) { certification_id status }
  findingStates(asOf: $asOf) { finding_id state }
}"""
BOARD = """query($asOf: Date) { boardView(asOf: $asOf) {
  certificates_expired certificates_expiring overdue_findings { severity count } expired_contracts
  approvals_needing approvals_missing arrangements { arrangement_id name in_effect } risks { kind subject zh en } } }"""
TREND = "query($asOf: Date) { coverageTrend(asOf: $asOf) { date covered applicable percent } }"
CERTIFICATIONS = " certifications" if "certifications" in build_schema().type_map["TraceRow"].fields else ""  # type: ignore[attr-defined]
TRACE = f"""query($asOf: Date, $after: String) {{
  trace(asOf: $asOf, first: 1000, after: $after) {{ pageInfo {{ hasNextPage endCursor }} edges {{ node {{
    provision article leaf subject status controls evidence contracts audits fresh_until
    cause {{ kind details }}{CERTIFICATIONS}
  }} }} }}
}}"""


def _need_browser() -> Any:
    return need_browser("the dashboard's browser test")


@dataclass(frozen=True)
class Server:
    base: str
    tokens: dict[str, str]

    def query(self, query: str, as_of: dt.date, role: str = "officer", **variables: Any) -> dict[str, Any]:
        """The data of a query (it must succeed) asked with a role's token."""
        response = httpx.post(f"{self.base}/graphql", timeout=30,
                              json={"query": query, "variables": {"asOf": as_of.isoformat(), **variables}},
                              headers={"Authorization": f"Bearer {self.tokens[role]}"})
        body = response.json()
        assert response.status_code == 200 and "errors" not in body, body
        data: dict[str, Any] = body["data"]
        return data

    def trace(self, as_of: dt.date) -> list[dict[str, Any]]:
        """Every trace row on a date, page by page."""
        rows: list[dict[str, Any]] = []
        after = None
        while True:
            page = self.query(TRACE, as_of, after=after)["trace"]
            rows += [e["node"] for e in page["edges"]]
            if not page["pageInfo"]["hasNextPage"]:
                return rows
            after = page["pageInfo"]["endCursor"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """uvicorn on 127.0.0.1 (a free port, in a thread) over a store holding the example insurer."""
    _need_browser()
    store = open_store(str(tmp_path_factory.mktemp("dashboard") / "store"))
    load_example(store, TENANT)
    tokens = {role: create_token(store, role, TENANT)[0] for role in ("officer", "board")}
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(store), host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not uv.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield Server(f"http://127.0.0.1:{port}", tokens)
    finally:
        uv.should_exit = True
        thread.join(timeout=15)
        sock.close()
        store.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Headless Chromium on a fresh profile, 1366×768, shared by this module's tests."""
    sync_api = _need_browser()
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True, viewport=VIEWPORT,
            locale="zh-TW")
        context.set_default_timeout(20_000)
        try:
            yield context
        finally:
            context.close()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(server: Server, browser: Any) -> Iterator[Any]:
    """A new tab (empty sessionStorage, default language); fails on any request to another origin or a
    JavaScript error."""
    foreign: list[str] = []
    errors: list[str] = []
    tab = browser.new_page()
    tab.on("request", lambda r: None if r.url.startswith((server.base, "data:")) else foreign.append(r.url))
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.goto(f"{server.base}/dashboard/")
    tab.evaluate("localStorage.clear()")
    try:
        yield tab
    finally:
        tab.close()
    assert not foreign, f"the dashboard fetched from another origin: {foreign}"
    assert not errors, f"JavaScript errors: {errors}"


def _login(page: Any, server: Server, role: str) -> None:
    page.goto(f"{server.base}/dashboard")
    page.wait_for_selector("#login-form")
    assert page.locator("#login").is_visible() and page.locator("#dashboard").is_hidden()
    page.fill("#token", server.tokens[role])
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("body[data-state=ready]")


def _as_of(page: Any, day: dt.date) -> None:
    page.fill("#as-of", day.isoformat())
    page.dispatch_event("#as-of", "change")
    page.wait_for_selector("body[data-state=ready]")


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def _text(page: Any, selector: str) -> str:
    return str(page.locator(selector).inner_text()).strip()


def _check_summary(page: Any, summary: dict[str, Any], board: dict[str, Any]) -> None:
    """KPI cards, bars and the heatmap's percentages are the API's."""
    assert _text(page, "#kpi-coverage .kpi-value") == _percent(summary["overall"]["percent"])
    assert _text(page, "#kpi-gaps .kpi-value") == str(summary["gaps"]["totalCount"])
    in_effect = [a for a in board["arrangements"] if a["in_effect"]]
    assert _text(page, "#kpi-subjects .kpi-value") == str(len(in_effect))
    assert _text(page, "#kpi-approvals .kpi-value") == str(board["approvals_missing"])
    assert _text(page, "#kpi-certs .kpi-value") == str(board["certificates_expired"])
    assert str(board["certificates_expiring"]) in _text(page, "#kpi-certs .kpi-note")
    assert _text(page, "#kpi-findings .kpi-value") == str(sum(f["count"] for f in board["overdue_findings"]))
    assert _text(page, "#kpi-findings .kpi-note") == " · ".join(
        f"{labels.SEVERITY[f['severity']][0]} {f['count']}" for f in board["overdue_findings"])  # zh-TW words
    assert _text(page, "#kpi-contracts .kpi-value") == str(board["expired_contracts"])
    risks = page.locator("#risk-list li").all()
    assert [r.inner_text().strip() for r in risks] == [r["zh"] for r in board["risks"]]
    for group, prefix in (("byArticle", "bar-article"), ("byCsp", "bar-csp")):
        shown = page.locator(f"#{prefix.replace('bar', 'bars')} li").count()
        assert shown == len(summary[group])
        for c in summary[group]:
            bar = page.locator(f"[id='{prefix}-{c['key']}']")
            assert bar.get_attribute("data-percent") == ("" if c["percent"] is None else f"{c['percent']:g}")
            if c["applicable"]:
                assert _percent(c["percent"]) in bar.inner_text()
                assert f"{c['covered']}/{c['applicable']}" in bar.inner_text()


RANK = ["gap", "unevidenced", "stale", "covered", "not_applicable"]
PROVISIONS = """query($ids: [String!], $asOf: Date) { provisions(where: {provision_id_in: $ids}, limit: 200) {
  provision_id text mappings { mapsControl { control_ref } } }
  coverageOverall(asOf: $asOf) { percent } }"""
EVIDENCE = """query($ids: [String!], $asOf: Date) { evidences(where: {evidence_id_in: $ids}, limit: 1000) {
  evidence_id title uri collected_on } coverageOverall(asOf: $asOf) { percent } }"""


def test_officer_drill_down_from_a_shared_url(server: Server, page: Any, tmp_path: Path) -> None:
    """One page load: the view named in the URL is restored; the numbers are the API's; the drill-down lists
    the obligations worst first with their text, causes, evidence titles and mapped ids; the XLSX downloads."""
    summary = server.query(SUMMARY, AS_OF)
    board = server.query(BOARD, AS_OF)["boardView"]
    trace = server.trace(AS_OF)

    def cell(key: tuple[str, int]) -> list[dict[str, Any]]:
        return [r for r in trace if (r["subject"], r["article"]) == key and r["leaf"]]

    keys = {(r["subject"], r["article"]) for r in trace if r["subject"] != "company"}

    def weight(key: tuple[str, int]) -> tuple[bool, int]:  # mixed statuses with evidence behind them
        rows = cell(key)
        return (len({r["status"] for r in rows}) > 1, sum(len(r["evidence"]) for r in rows))

    subject, article = max(sorted(keys), key=weight)
    leaves = cell((subject, article))
    assert weight((subject, article)) [0] and weight((subject, article))[1] > 0, "the example needs such a cell"

    page.goto(f"{server.base}/dashboard/?date={AS_OF.isoformat()}&arrangement={subject}&article={article}")
    page.wait_for_selector("#login-form")
    page.fill("#token", server.tokens["officer"])
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#trace-table")
    page.wait_for_selector("body[data-state=ready]")
    assert page.input_value("#as-of") == AS_OF.isoformat()
    assert page.locator(f"button[data-subject='{subject}'][data-article='{article}']").get_attribute(
        "aria-pressed") == "true"
    _check_summary(page, summary, board)

    # worst first: gap, unevidenced, stale before covered, then document order
    expected = sorted(leaves, key=lambda r: RANK.index(r["status"]))
    rows = page.locator("#trace-table tbody tr").all()
    assert [(r.get_attribute("data-provision"), r.get_attribute("data-status")) for r in rows] == [
        (r["provision"], r["status"]) for r in expected]
    assert rows[0].bounding_box()["y"] < 768 * 2, "the worst row is near the top, not below an inner scroll"
    ids = [r["provision"] for r in leaves]
    provisions = {p["provision_id"]: p for p in server.query(PROVISIONS, AS_OF, ids=ids)["provisions"]}
    shown_evidence = sorted({e for r in leaves for e in r["evidence"][:6]})
    evidence = {e["evidence_id"]: e for e in server.query(EVIDENCE, AS_OF, ids=shown_evidence)["evidences"]}
    for r in leaves:
        row = page.locator(f"#trace-table tbody tr[data-provision='{r['provision']}']")
        assert row.locator(".provision-text").inner_text() == provisions[r["provision"]]["text"]
        causes = row.locator("[data-cause]").all()
        assert [c.get_attribute("data-cause") for c in causes] == [c["kind"] for c in r["cause"]]
        for shown, c in zip(causes, r["cause"], strict=True):  # each id and date involved, by name
            for name, value in json.loads(c["details"]).items():
                if value not in (None, "", []):
                    words = ", ".join(value) if isinstance(value, list) else str(value)
                    assert f"{name} {words}" in shown.inner_text(), (r["provision"], name)
        text = row.inner_text()
        for m in provisions[r["provision"]]["mappings"]:
            assert m["mapsControl"]["control_ref"] in row.locator("td").nth(4).inner_text()
        for key in ("controls", "contracts", "audits"):
            for ident in r[key][:6]:
                assert ident in text, (r["provision"], key, ident)
        for e in r["evidence"][:6]:
            item = row.locator(f"li[data-evidence='{e}']")
            assert evidence[e]["title"] in item.inner_text() and evidence[e]["collected_on"] in item.inner_text()
            if (evidence[e]["uri"] or "").startswith(("http:", "https:")):
                assert item.locator("a").get_attribute("href") == evidence[e]["uri"]
        assert ("證書為佐證" in text) == bool(r.get("certifications"))
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways"
    page.screenshot(path=str(tmp_path / "officer.png"), full_page=True)

    # another cell: the URL follows, and a reload restores it
    other = next(k for k in sorted(keys) if k != (subject, article))
    page.click(f"#heatmap-table button[data-subject='{other[0]}'][data-article='{other[1]}']")
    page.wait_for_url(lambda url: f"arrangement={other[0]}&article={other[1]}" in url)
    assert f"date={AS_OF.isoformat()}" in page.url and page.locator("#share-link").get_attribute("href") == page.url
    page.reload()
    page.wait_for_selector(f"#trace-table tbody tr[data-provision='{cell(other)[0]['provision']}']")

    # the XLSX of the date shown
    with page.expect_download() as info:
        page.click("#download-xlsx")
    download = info.value
    assert download.suggested_filename == f"regtrace-{TENANT}-{AS_OF.isoformat()}-traceability-matrix.xlsx"
    path = tmp_path / "matrix.xlsx"
    download.save_as(str(path))
    assert path.read_bytes().startswith(b"PK")
    page.wait_for_selector("body[data-state=ready]")
    assert _text(page, "#status-line") == ""

    # English
    page.click("#lang-toggle")
    assert _text(page, "h1") == "Cloud outsourcing compliance dashboard"
    assert _text(page, "#risk-list li:first-child") == board["risks"][0]["en"]
    assert page.locator("#trace-table thead th").first.inner_text() == "Provision"


def test_officer_dashboard_follows_the_date(server: Server, page: Any, tmp_path: Path) -> None:
    """The heatmap, gap list and tables are the API's; another date re-queries every number."""
    _login(page, server, "officer")
    _as_of(page, AS_OF)
    assert page.evaluate("document.documentElement.lang") == "zh-Hant-TW"
    assert _text(page, "h1") == "雲端委外法遵儀表板"
    summary = server.query(SUMMARY, AS_OF)
    details = server.query(DETAILS, AS_OF)
    trace = server.trace(AS_OF)
    _check_summary(page, summary, server.query(BOARD, AS_OF)["boardView"])
    findings = details["findingStates"]
    assert page.locator("#finding-table tbody tr").count() == min(len(findings), 20)
    shown = {r.get_attribute("data-status") for r in page.locator("#cert-table tbody tr").all()}
    assert shown == {c["status"] for c in details["certificationStates"]}
    gaps = [e["node"] for e in details["gaps"]["edges"]]
    items = page.locator("#gap-list li").all()
    assert [(i.get_attribute("data-provision"), i.get_attribute("data-subject")) for i in items] == [
        (g["provision"], g["subject"]) for g in gaps]
    articles = {(r["subject"], r["article"]): r["status"] for r in trace if r["provision"] == f"A{r['article']}"}
    assert page.locator("#heatmap-table td.cell[data-status]").count() == len(articles)
    for (subject, article), status in articles.items():
        button = page.locator(f"#heatmap-table button[data-subject='{subject}'][data-article='{article}']")
        assert button.locator("xpath=..").get_attribute("data-status") == status
    by_subject = {c["key"]: c for c in summary["byArrangement"]}
    for row in page.locator("#heatmap-table tbody tr").all():
        key = row.get_attribute("data-subject")
        assert row.locator("td.pct-col").inner_text() == _percent(by_subject[key]["percent"])

    later = next(AS_OF + dt.timedelta(days=d) for d in (400, 200, 90, -200, -400)
                 if server.query(SUMMARY, AS_OF + dt.timedelta(days=d))["overall"] != summary["overall"])
    _as_of(page, later)
    _check_summary(page, server.query(SUMMARY, later), server.query(BOARD, later)["boardView"])
    assert f"date={later.isoformat()}" in page.url
    page.screenshot(path=str(tmp_path / "dashboard-later.png"), full_page=True)
    page.click("#logout")
    assert page.locator("#login").is_visible()
    assert page.evaluate("sessionStorage.getItem('regtrace.token')") is None


def test_board_sees_its_risks_without_evidence(server: Server, page: Any, tmp_path: Path) -> None:
    _login(page, server, "board")
    _as_of(page, AS_OF)
    summary = server.query(SUMMARY, AS_OF, role="board")
    board = server.query(BOARD, AS_OF, role="board")["boardView"]
    _check_summary(page, summary, board)
    assert board["risks"] and board["certificates_expired"] >= 1 and board["expired_contracts"] >= 1
    assert page.locator("#board-note").is_visible()
    assert page.locator("#downloads").is_hidden()
    for absent in ("#heatmap-table", "#gap-list", "#cert-table", "#finding-table", "#trace-table"):
        assert page.locator(absent).count() == 0, absent
    assert page.locator("#trace").is_hidden() and page.locator("#detail-row").is_hidden()
    names = {a["arrangement_id"]: a["name"] for a in board["arrangements"]}
    rows = page.locator("#board-table tbody tr").all()
    assert [r.get_attribute("data-subject") for r in rows] == [c["key"] for c in summary["byArrangement"]]
    for row, c in zip(rows, summary["byArrangement"], strict=True):
        assert row.locator("td.pct-col").inner_text() == _percent(c["percent"])
        if c["key"] in names:
            assert names[c["key"]] in row.locator("th").inner_text()
    text = page.locator("#dashboard").inner_text()
    evidence = {e for r in server.trace(AS_OF) for e in r["evidence"]}
    assert evidence and not [e for e in evidence if e in text], "the board page shows evidence ids"
    assert _text(page, "#status-line") == ""
    # the trend: one column per quarter end, the API's percentages, oldest first
    points = server.query(TREND, AS_OF, role="board")["coverageTrend"]
    page.wait_for_selector("#trend-chart")
    columns = page.locator("#trend-chart .trend-point").all()
    assert len(points) == len(columns) >= 8
    for column, p in zip(columns, points, strict=True):
        assert column.get_attribute("data-date") == p["date"]
        assert column.get_attribute("data-percent") == ("" if p["percent"] is None else f"{p['percent']:g}")
        assert _percent(p["percent"]) in column.inner_html()
    page.screenshot(path=str(tmp_path / "dashboard-board.png"), full_page=True)


def test_a_bad_token_is_refused(server: Server, page: Any) -> None:
    page.goto(f"{server.base}/dashboard/")
    page.fill("#token", "rt_0000_not-a-token")
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#login-error:has-text('權杖無效或已撤銷')")
    assert page.locator("#dashboard").is_hidden()
    assert page.evaluate("sessionStorage.getItem('regtrace.token')") is None
