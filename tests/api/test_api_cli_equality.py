"""trace, gaps and coverage through the API equal `regtrace … --json` on the same store and date.

LadybugDB lets one process hold a store for writing, so the app's store is closed before the CLI runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from api_fixtures import Template
from fastapi.testclient import TestClient
from regtrace.api.app import create_app
from regtrace.graph.ladybug_store import LadybugStore
from typer.testing import CliRunner

from regtrace import cli

DAY = "2026-11-29"
ROW = ("provision label article leaf modality rule subject status own_status children_status reason reason_zh "
       "cause { kind details } controls evidence contracts audits fresh_until references_not_in_force open_findings "
       "warnings certifications mapped_via { kind id target }")
COVERAGE = "group_by key counts { gap unevidenced stale covered not_applicable } applicable covered percent"


def _pages(client: TestClient, token: str, field: str, args: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    after = ""
    while True:
        query = f'{{ {field}({args} first: 500{after}) {{ pageInfo {{ hasNextPage endCursor }} nodes {{ {ROW} }} }} }}'
        body = client.post("/graphql", json={"query": query}, headers={"Authorization": f"Bearer {token}"}).json()
        assert "errors" not in body, body
        for node in body["data"][field]["nodes"]:  # a cause as the CLI's JSON has it: its kind and details
            node["cause"] = [{"kind": c["kind"], **json.loads(c["details"])} for c in node["cause"]]
            node["mapped_via"] = [{v["kind"]: v["id"], "target": v["target"]} for v in node["mapped_via"]]
            rows.append(node)
        if not body["data"][field]["pageInfo"]["hasNextPage"]:
            return rows
        after = f', after: "{body["data"][field]["pageInfo"]["endCursor"]}"'


def _cli(folder: Path, *args: str) -> Any:
    result = CliRunner().invoke(cli.app, ["--store", str(folder), *args, "--as-of", DAY, "--tenant", "alpha", "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_trace_gaps_and_coverage_equal_the_cli(store_folder: Path, api_template: Template) -> None:
    token = api_template.tokens["auditor"]
    store = LadybugStore(store_folder)
    try:
        with TestClient(create_app(store)) as client:
            trace = _pages(client, token, "trace", f'asOf: "{DAY}",')
            one = _pages(client, token, "trace", f'asOf: "{DAY}", arrangement: "ARR-01", leavesOnly: true,')
            gaps = _pages(client, token, "gaps", f'asOf: "{DAY}",')
            query = "{ " + " ".join(f'{g}: coverage(groupBy: {g.upper()}, asOf: "{DAY}") {{ {COVERAGE} }}'
                                    for g in ("article", "arrangement", "csp"))
            query += f' overall: coverageOverall(asOf: "{DAY}") {{ {COVERAGE} }} }}'
            coverage = client.post("/graphql", json={"query": query},
                                   headers={"Authorization": f"Bearer {token}"}).json()["data"]
    finally:
        store.close()
    assert len(trace) > 1000  # more than one page
    assert trace == _cli(store_folder, "trace")
    assert one == _cli(store_folder, "trace", "--arrangement", "ARR-01", "--leaves")
    assert gaps == _cli(store_folder, "gaps")
    expected = _cli(store_folder, "coverage")
    assert {k: coverage[k] for k in ("article", "arrangement", "csp", "overall")} == {
        k: expected[k] for k in ("article", "arrangement", "csp", "overall")}
