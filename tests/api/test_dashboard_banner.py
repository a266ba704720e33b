"""The dashboard's banner (api/dashboard_ui/banner.js) in real Chromium: after an amended text is adopted, the
example insurer's officer sees that the new version awaits review of its mappings; once they are accepted, the
banner is gone. The example insurer maps, worked out by hand from its controls register against
tests/data/regulation_amended.txt: CTL-BCM-01 to A10.P1.I2 and CTL-HR-01 (all of Art. 8) to A8.P1.I3, both
reworded (2 to review); CTL-GOV-08 to A4.P2.I3, deleted, and CTL-FB-01 to A9.P2, removed (2 orphaned)."""

from __future__ import annotations

import datetime as dt
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
from export_fixtures import TENANT, load_example
from regtrace.api.app import create_app
from regtrace.api.auth import create_token

from regtrace.stores import open_store
from regtrace.versions_adopt import adopt

pytestmark = pytest.mark.browser
AMENDED = Path(__file__).resolve().parent.parent / "data" / "regulation_amended.txt"
BANNER = "{ regulationBanner { version effective_from needs_review orphaned } }"


def _need_browser() -> Any:
    return need_browser("the banner's browser test")


@dataclass(frozen=True)
class Server:
    base: str
    tokens: dict[str, str]

    def query(self, query: str, **variables: Any) -> dict[str, Any]:
        """The data of a query (it must succeed) asked with the officer's token."""
        response = httpx.post(f"{self.base}/graphql", timeout=30, json={"query": query, "variables": variables},
                              headers={"Authorization": f"Bearer {self.tokens['officer']}"})
        body = response.json()
        assert response.status_code == 200 and "errors" not in body, body
        data: dict[str, Any] = body["data"]
        return data


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """uvicorn over a store holding the example insurer and an adopted amendment."""
    _need_browser()
    store = open_store(str(tmp_path_factory.mktemp("banner") / "store"))
    load_example(store, TENANT)
    adopt(store, AMENDED, dt.date(2027, 1, 1), "2027")
    tokens = {role: create_token(store, role, TENANT)[0] for role in ("officer", "board")}
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(create_app(store), host="127.0.0.1", port=sock.getsockname()[1], log_level="warning",
                            lifespan="on")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not uv.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield Server(f"http://127.0.0.1:{sock.getsockname()[1]}", tokens)
    finally:
        uv.should_exit = True
        thread.join(timeout=15)
        sock.close()
        store.close()


@pytest.fixture
def page(server: Server, tmp_path: Path) -> Iterator[Any]:
    """Headless Chromium on a fresh profile, one tab; fails on a JavaScript error."""
    sync_api = _need_browser()
    errors: list[str] = []
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True,
            locale="zh-TW")
        context.set_default_timeout(20_000)
        try:
            tab = context.new_page()
            tab.on("pageerror", lambda e: errors.append(str(e)))
            yield tab
        finally:
            context.close()
    shutil.rmtree(tmp_path / "profile", ignore_errors=True)
    assert not errors, f"JavaScript errors: {errors}"


def test_the_banner_shows_mappings_awaiting_review_until_accepted(server: Server, page: Any) -> None:
    page.goto(f"{server.base}/dashboard/")
    page.fill("#token", server.tokens["officer"])
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("body[data-state=ready]")
    banner = page.locator("#version-banner")
    banner.wait_for(state="visible")
    text = banner.inner_text()
    assert "2027" in text and "2 筆對應待覆核" in text and "2 筆孤立對應" in text and "2 mappings await review" in text
    assert server.query(BANNER)["regulationBanner"] == {
        "version": "2027", "effective_from": "2027-01-01", "needs_review": 2, "orphaned": 2}
    ids = [r["id"] for r in server.query("{ reviewQueue { needs_review { id } } }")["reviewQueue"]["needs_review"]]
    assert ids == ["satisfies:CTL-BCM-01:A10.P1.I2@2027", "satisfies:CTL-HR-01:A8.P1.I3@2027"]
    assert server.query("mutation($ids: [ID!]!) { acceptMappingReviews(ids: $ids) }", ids=ids) == {
        "acceptMappingReviews": ids}
    with page.expect_response(lambda r: "regulationBanner" in (r.request.post_data or "")) as answer:
        page.reload()
    assert answer.value.json()["data"] == {"regulationBanner": None}
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => done(null)))")  # the answer applied
    assert banner.is_hidden(), "nothing awaits review"
