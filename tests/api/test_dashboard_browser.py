"""The board dashboard end to end: a real uvicorn server over the example insurer, headless Chromium driven by
Playwright. The page's numbers must be the API's answers; a heatmap cell shows its trace; English; the as-of
date re-queries; a board token sees coverage and gap counts only; nothing is fetched from another origin.

Uses Debian's /usr/bin/chromium (never a downloaded browser). Without it the test skips, except under CI=true,
where it fails. Deselect with `-m "not browser"`.
"""

from __future__ import annotations

import datetime as dt
import os
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
from export_fixtures import AS_OF, TENANT, load_example
from regtrace.api.app import create_app
from regtrace.api.auth import create_token

from regtrace import labels
from regtrace.stores import open_store

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
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
TRACE = """query($asOf: Date, $after: String) {
  trace(asOf: $asOf, first: 1000, after: $after) { pageInfo { hasNextPage endCursor } edges { node {
    provision article leaf subject status controls evidence contracts audits fresh_until } } }
}"""


def _need_browser() -> Any:
    """Playwright's sync API, or skip (fail under CI) when it or Debian's Chromium is missing."""
    problem = None
    if not CHROMIUM.exists():
        problem = f"{CHROMIUM} is not installed (apt-get install chromium)"
    try:
        from playwright import sync_api
    except ImportError:
        problem = problem or "playwright is not installed (pip install -e '.[dev]')"
    if problem:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"the dashboard's browser test cannot run under CI: {problem}")
        pytest.skip(problem)
    return sync_api


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


def _check_summary(page: Any, summary: dict[str, Any]) -> None:
    """KPI cards, bars and the heatmap's percentages are the API's."""
    assert _text(page, "#kpi-coverage .kpi-value") == _percent(summary["overall"]["percent"])
    assert _text(page, "#kpi-gaps .kpi-value") == str(summary["gaps"]["totalCount"])
    subjects = [c for c in summary["byArrangement"] if c["key"] != "company"]
    assert _text(page, "#kpi-subjects .kpi-value") == str(len(subjects))
    for group, prefix in (("byArticle", "bar-article"), ("byCsp", "bar-csp")):
        shown = page.locator(f"#{prefix.replace('bar', 'bars')} li").count()
        assert shown == len(summary[group])
        for c in summary[group]:
            bar = page.locator(f"[id='{prefix}-{c['key']}']")
            assert bar.get_attribute("data-percent") == ("" if c["percent"] is None else f"{c['percent']:g}")
            if c["applicable"]:
                assert _percent(c["percent"]) in bar.inner_text()
                assert f"{c['covered']}/{c['applicable']}" in bar.inner_text()


def test_officer_dashboard_shows_the_api_answers(server: Server, page: Any, tmp_path: Path) -> None:
    _login(page, server, "officer")
    _as_of(page, AS_OF)
    assert page.evaluate("document.documentElement.lang") == "zh-Hant-TW"
    assert _text(page, "h1") == "雲端委外法遵儀表板"
    summary = server.query(SUMMARY, AS_OF)
    details = server.query(DETAILS, AS_OF)
    trace = server.trace(AS_OF)
    _check_summary(page, summary)

    # findings and certifications
    findings = details["findingStates"]
    assert _text(page, "#kpi-findings .kpi-value") == str(len(findings))
    assert page.locator("#finding-table tbody tr").count() == min(len(findings), 20)
    overdue = sum(f["state"] == "overdue" for f in findings)
    assert f"逾期 {overdue} 項" in _text(page, "#kpi-findings .kpi-note")
    certs = details["certificationStates"]
    assert _text(page, "#kpi-certs .kpi-value") == str(sum(c["status"] == "expiring" for c in certs))
    shown = {r.get_attribute("data-status") for r in page.locator("#cert-table tbody tr").all()}
    assert shown == {c["status"] for c in certs}

    # the worst gaps, in the API's order
    gaps = [e["node"] for e in details["gaps"]["edges"]]
    items = page.locator("#gap-list li").all()
    assert [(i.get_attribute("data-provision"), i.get_attribute("data-subject")) for i in items] == [
        (g["provision"], g["subject"]) for g in gaps]
    assert _text(page, "#gaps-total") == f"共 {summary['gaps']['totalCount']} 項未涵蓋"

    # the heatmap: one cell per (subject, article) row of the trace, with the roll-up status as text
    articles = {(r["subject"], r["article"]): r["status"] for r in trace if r["provision"] == f"A{r['article']}"}
    cells = page.locator("#heatmap-table td.cell[data-status]")
    assert cells.count() == len(articles)
    for (subject, article), status in articles.items():
        button = page.locator(f"#heatmap-table button[data-subject='{subject}'][data-article='{article}']")
        assert button.locator("xpath=..").get_attribute("data-status") == status
        assert labels.STATUS[status][0] in button.inner_text()  # the ontology's word (regtrace.labels)
    company_row = page.locator("#heatmap-table tbody tr[data-subject='company']")
    assert company_row.count() == (1 if any(s == "company" for s, _ in articles) else 0)
    by_subject = {c["key"]: c for c in summary["byArrangement"]}
    for row in page.locator("#heatmap-table tbody tr").all():
        subject = row.get_attribute("data-subject")
        assert row.locator("td.pct-col").inner_text() == _percent(by_subject[subject]["percent"])

    # click the arrangement cell with the most evidence behind it: its obligations with their trace
    def weight(key: tuple[str, int]) -> tuple[int, int]:
        leaves = [r for r in trace if (r["subject"], r["article"]) == key and r["leaf"]]
        return (sum(len(r["evidence"]) for r in leaves), len(leaves))

    subject, article = max((k for k in articles if k[0] != "company"), key=weight)
    page.click(f"#heatmap-table button[data-subject='{subject}'][data-article='{article}']")
    page.wait_for_selector("#trace-table")
    page.wait_for_selector("body[data-state=ready]")
    assert page.locator(f"button[data-subject='{subject}'][data-article='{article}']").get_attribute(
        "aria-pressed") == "true"
    leaves = [r for r in trace if r["subject"] == subject and r["article"] == article and r["leaf"]]
    rows = page.locator("#trace-table tbody tr")
    assert [r.get_attribute("data-provision") for r in rows.all()] == [r["provision"] for r in leaves]
    assert sum(len(r["evidence"]) for r in leaves) > 0, "the example should have evidence behind some cell"
    for expected in leaves:
        row = page.locator(f"#trace-table tbody tr[data-provision='{expected['provision']}']")
        assert row.get_attribute("data-status") == expected["status"]
        text = row.inner_text()
        for key in ("controls", "evidence", "contracts", "audits"):
            for ident in expected[key][:6]:
                assert ident in text, (expected["provision"], key, ident)
        if expected["fresh_until"]:
            assert expected["fresh_until"] in text
    evidence_shown = sorted({i for r in leaves for i in r["evidence"][:6]})
    dates = server.query("query($ids: [String!]) { evidences(where: {evidence_id_in: $ids}, limit: 1000) "
                         "{ evidence_id collected_on } }", AS_OF, ids=evidence_shown)["evidences"]
    assert len(dates) == len(evidence_shown)
    trace_text = page.locator("#trace-table").inner_text()
    for e in dates:
        assert f"{e['evidence_id']} {e['collected_on']} →" in trace_text
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways"
    page.screenshot(path=str(tmp_path / "dashboard-zh.png"), full_page=True)

    # English
    page.click("#lang-toggle")
    assert page.evaluate("document.documentElement.lang") == "en"
    assert _text(page, "h1") == "Cloud outsourcing compliance dashboard"
    assert _text(page, f"#heatmap-table thead th[data-article='{article}']") == f"Art. {article}"
    assert _text(page, "#gaps-total") == f"{summary['gaps']['totalCount']} not covered in all"
    assert _text(page, "#lang-toggle") == "中文"
    assert page.locator("#trace-table thead th").first.inner_text() == "Provision"
    page.screenshot(path=str(tmp_path / "dashboard-en.png"))

    # another date: every number is re-queried and is the API's for that date
    later = next(AS_OF + dt.timedelta(days=d) for d in (400, 200, 90, -200, -400)
                 if server.query(SUMMARY, AS_OF + dt.timedelta(days=d))["overall"] != summary["overall"])
    _as_of(page, later)
    again = server.query(SUMMARY, later)
    _check_summary(page, again)
    assert _text(page, "#kpi-coverage .kpi-value") != _percent(summary["overall"]["percent"]) or \
        _text(page, "#kpi-gaps .kpi-value") != str(summary["gaps"]["totalCount"])
    later_trace = server.trace(later)
    later_leaves = {r["provision"]: r["status"] for r in later_trace
                    if r["subject"] == subject and r["article"] == article and r["leaf"]}
    shown_rows = page.locator("#trace-table tbody tr").all()
    assert {r.get_attribute("data-provision"): r.get_attribute("data-status") for r in shown_rows} == later_leaves
    page.screenshot(path=str(tmp_path / "dashboard-later.png"), full_page=True)

    # sign out: the token leaves sessionStorage
    page.click("#logout")
    assert page.locator("#login").is_visible()
    assert page.evaluate("sessionStorage.getItem('regtrace.token')") is None


def test_board_sees_coverage_and_gap_counts_only(server: Server, page: Any, tmp_path: Path) -> None:
    _login(page, server, "board")
    _as_of(page, AS_OF)
    summary = server.query(SUMMARY, AS_OF, role="board")
    _check_summary(page, summary)
    assert page.locator("#board-note").is_visible()
    assert page.locator("#heatmap-table").count() == 0 and page.locator("#gap-list").count() == 0
    assert page.locator("#cert-table").count() == 0 and page.locator("#finding-table").count() == 0
    assert page.locator("#kpi-findings").count() == 0 and page.locator("#kpi-certs").count() == 0
    rows = page.locator("#board-table tbody tr").all()
    assert [r.get_attribute("data-subject") for r in rows] == [c["key"] for c in summary["byArrangement"]]
    for row, c in zip(rows, summary["byArrangement"], strict=True):
        assert row.locator("td.pct-col").inner_text() == _percent(c["percent"])
    assert _text(page, "#gaps-total") == f"共 {summary['gaps']['totalCount']} 項未涵蓋"
    assert _text(page, "#status-line") == ""
    page.screenshot(path=str(tmp_path / "dashboard-board.png"), full_page=True)


def test_a_bad_token_is_refused(server: Server, page: Any) -> None:
    page.goto(f"{server.base}/dashboard/")
    page.fill("#token", "rt_0000_not-a-token")
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#login-error:has-text('權杖無效或已撤銷')")
    assert page.locator("#dashboard").is_hidden()
    assert page.evaluate("sessionStorage.getItem('regtrace.token')") is None
