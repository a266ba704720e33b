"""The associations' page end to end (issue 15 point 6): a real uvicorn server over six hand-built members
(tests/sector_fixtures.py), headless Chromium. The page's numbers are the API's `sector` answer; no tenant id,
arrangement, contract or CSP id is anywhere in the page; withheld figures say so.

Uses Debian's /usr/bin/chromium (never a downloaded browser). Without it the test skips, except under CI=true,
where it fails. Deselect with `-m "not browser"`.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from browser_support import CHROMIUM, CHROMIUM_ARGS, need_browser
from regtrace.api.app import ApiSettings, create_app
from regtrace.api.auth import create_token
from regtrace.api.execution import Limits
from regtrace.graph.ladybug_store import LadybugStore
from sector_fixtures import MEMBERS, write_members

pytestmark = pytest.mark.browser

AS_OF = "2026-06-30"
FIGURE = "members withheld coverage { q1 median q3 }"
SECTOR = f"""query($asOf: Date) {{ sector(asOf: $asOf) {{
  overall {{ {FIGURE} }} articles {{ article {FIGURE} }} obligations {{ provision {FIGURE} }}
  common_gaps {{ provision members members_with_gap percent }} trend {{ date {FIGURE} }} }} }}"""


def _sync_api() -> Any:
    return need_browser("the association page's browser test")


def _pct(value: float) -> str:
    return f"{value:.1f}%"


def _check_row(row: Any, figure: dict[str, Any]) -> None:
    if figure["withheld"]:
        assert row.locator("[data-withheld=true]").count() == 1
        assert "withheld" in row.inner_text()
        return
    assert row.locator("[data-field=members]").inner_text() == str(figure["members"])
    for q in ("q1", "median", "q3"):
        assert row.locator(f"[data-field={q}]").inner_text() == _pct(figure["coverage"][q])


def test_association_page_shows_the_api_numbers_and_no_member(tmp_path: Path) -> None:
    sync_api = _sync_api()
    store = LadybugStore(tmp_path / "store")
    write_members(store, MEMBERS)
    token = create_token(store, "association", None)[0]
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    app = create_app(store, settings=ApiSettings(Limits(timeout_seconds=120)))  # nine dates' traces per member
    uv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not uv.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    try:
        answer = httpx.post(f"{base}/graphql", json={"query": SECTOR, "variables": {"asOf": AS_OF}}, timeout=120,
                            headers={"Authorization": f"Bearer {token}"}).json()
        assert "errors" not in answer, answer
        sector = answer["data"]["sector"]
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
            page = browser.new_page(locale="zh-TW")
            page.set_default_timeout(120_000)
            errors: list[str] = []
            foreign: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: None if r.url.startswith((base, "data:")) else foreign.append(r.url))
            page.goto(f"{base}/dashboard/association.html?asOf={AS_OF}")
            page.wait_for_selector("body[data-state=login]")
            page.fill("#token", token)
            page.click("#login-form button[type=submit]")
            page.wait_for_selector("body[data-state=ready]")
            # the numbers are the API's
            kpis = page.locator("#kpis")
            assert kpis.locator("[data-field=members]").inner_text() == str(sector["overall"]["members"])
            assert kpis.locator("[data-field=median]").inner_text() == _pct(sector["overall"]["coverage"]["median"])
            for a in sector["articles"]:
                _check_row(page.locator(f"#articles tr[data-article='{a['article']}']"), a)
            for o in sector["obligations"]:
                _check_row(page.locator(f"#obligations tr[data-provision='{o['provision']}']"), o)
            for t in sector["trend"]:
                _check_row(page.locator(f"#trend tr[data-date='{t['date']}']"), t)
            assert page.locator("#gaps tbody tr").count() == len(sector["common_gaps"]) == 3
            for g in sector["common_gaps"]:
                row = page.locator(f"#gaps tr[data-provision='{g['provision']}']")
                assert row.locator("[data-field=members_with_gap]").inner_text() == str(g["members_with_gap"])
                assert row.locator("[data-field=percent]").inner_text() == _pct(g["percent"])
            # hand-worked figures of article 6 (tests/test_sector.py) and a withheld article
            six = page.locator("#articles tr[data-article='6']")
            assert [six.locator(f"[data-field={q}]").inner_text() for q in ("q1", "median", "q3")] == [
                "30.0%", "70.0%", "95.0%"]
            assert page.locator("#articles tr[data-article='9'] [data-withheld=true]").count() == 1
            # no member anywhere: not in the page, not in what the page fetched
            assert "SECRET" not in page.content()
            assert not errors, errors
            assert not foreign, foreign
            browser.close()
    finally:
        uv.should_exit = True
        thread.join(timeout=15)
        sock.close()
        store.close()
