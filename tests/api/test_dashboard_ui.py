"""The dashboard's files as the app serves them, and the trace arguments the dashboard relies on (subject,
provisions). The dashboard in a real browser: test_dashboard_browser.py."""

from __future__ import annotations

import re
from pathlib import Path

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
    body = text[text.index("const S = {") + len("const S = {"):text.index("\n};")]
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
