"""Two member companies' registers in a real LadybugStore, loaded through the register loader, and tokens.

The store is built once per session (seed regulation, tenants `alpha` and `beta`, one token per role) and
copied for each test that needs one, so tests may write freely.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from regtrace.api.app import create_app
from regtrace.api.auth import create_token
from regtrace.graph.ladybug_store import LadybugStore
from regtrace.loaders.registers import load_registers

from regtrace.regulation_graph import obligations_under
from regtrace.stores import open_store

AS_OF = dt.date(2026, 11, 29)
ARRANGEMENTS = 25
FACTS = ("material", "offshore", "natural_person_data", "customer_data", "hybrid_cloud", "internet_access",
         "vm_or_container_images", "subcontracting", "foreign_branch")


def _write(folder: Path, name: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows([["" if v is None else v for v in row] for row in rows])


def _day(days_before: int) -> str:
    return (AS_OF - dt.timedelta(days=days_before)).isoformat()


def alpha_registers(folder: Path) -> None:
    """25 arrangements on two CSPs, controls (one for all), evidence, contracts, audits, findings, certs."""
    folder.mkdir(parents=True)
    _write(folder, "csps", ["csp_id", "name", "country"],
           [["CSP-A", "Alpha Cloud", "TW"], ["CSP-B", "Beta Cloud", "US"]])
    arrangements = []
    for i in range(1, ARRANGEMENTS + 1):
        material = i <= 5
        offshore = i % 2 == 0
        flags = {"material": material, "offshore": offshore, "natural_person_data": material,
                 "customer_data": material, "internet_access": i % 3 == 0}
        arrangements.append([f"ARR-{i:02d}", f"Arrangement {i:02d}", "CSP-A" if i % 2 else "CSP-B",
                             "IaaS" if i % 4 == 0 else "SaaS", *("Y" if flags.get(f) else "N" for f in FACTS),
                             "TW;JP" if offshore else "TW", _day(1000 + i), None])
    _write(folder, "arrangements", ["arrangement_id", "name", "csp_id", "service_model", *FACTS, "data_locations",
                                    "start_date", "end_date"], arrangements)
    _write(folder, "systems", ["system_id", "name", "arrangement_id", "criticality"],
           [[f"SYS-{i:02d}", f"System {i:02d}", f"ARR-{i:02d}", "high" if i <= 5 else "low"]
            for i in range(1, ARRANGEMENTS + 1)])
    _write(folder, "controls", ["control_id", "name", "owner", "frequency_months", "satisfies", "applies_to"], [
        ["C-ALL", "Cloud security baseline", "CISO", 12, "A7.P1.I2", "*"],
        ["C-DD", "CSP due diligence", "Procurement", 12, "A5.P1", "ARR-01;ARR-02;ARR-03"],
        ["C-BOARD", "Board oversight", "Board office", 12, "A4.P1", None],
    ])
    _write(folder, "evidence", ["evidence_id", "control_id", "arrangement_id", "collected_on", "valid_until", "title",
                                "uri", "sha256"], [
        ["E-001", "C-ALL", "ARR-01", _day(30), _day(-20), "Baseline scan 1", "https://x/1", None],
        ["E-002", "C-ALL", "ARR-02", _day(40), _day(-200), "Baseline scan 2", None, None],
        ["E-003", "C-ALL", None, _day(400), _day(35), "Old baseline", None, None],
        ["E-004", "C-DD", "ARR-01", _day(10), None, "Due diligence report", None, None],
        ["E-005", "C-BOARD", None, _day(60), _day(-5), "Board minutes", None, None],
    ])
    _write(folder, "contracts", ["contract_id", "arrangement_id", "signed_on", "expires_on", "clauses"], [
        ["K-01", "ARR-01", _day(900), None, "A6.P1"],
        ["K-02", "ARR-02", _day(900), _day(100), "A6.P1.I1;A6.P1.I2"],
    ])
    _write(folder, "audits", ["audit_id", "arrangement_id", "kind", "performed_on", "auditor", "independent"], [
        ["AU-01", "ARR-01", "general", _day(100), "Big4", "Y"],
        ["AU-02", "ARR-01", "project", _day(90), "Big4", "Y"],
        ["AU-03", "ARR-02", "general", _day(500), "Internal", "N"],
    ])
    _write(folder, "findings", ["finding_id", "audit_id", "severity", "status", "due_on", "closed_on"], [
        ["F-01", "AU-01", "high", "open", _day(10), None],
        ["F-02", "AU-01", "low", "open", _day(-30), None],
        ["F-03", "AU-03", "medium", "closed", _day(300), _day(320)],
    ])
    _write(folder, "certifications", ["certification_id", "csp_id", "standard", "scope", "issuer", "valid_from",
                                      "valid_until", "scope_arrangements"], [
        ["CERT-1", "CSP-A", "ISO27001", "all regions", "BSI", _day(700), _day(-30), "ARR-05"],
        ["CERT-2", "CSP-A", "SOC2", None, "EY", _day(700), _day(-400), None],
        ["CERT-3", "CSP-B", "ISO27017", None, "BSI", _day(900), _day(5), None],
    ])


def alpha_company_and_approvals(folder: Path) -> None:
    """Alpha's legal name, and the FSC's approval of ARR-02 (material, natural-person data, offshore) before it
    started; ARR-04, alike, has none."""
    _write(folder, "company", ["legal_name", "legal_name_en", "foreign_branch", "multi_cloud"],
           [["阿爾法範例人壽保險股份有限公司", "Alpha Example Life Insurance Co., Ltd.", "N", "Y"]])
    _write(folder, "approvals", ["approval_id", "arrangement_id", "kind", "reference", "decided_on", "valid_until",
                                 "provisions"],
           [["AP-01", "ARR-02", "fsc_approval", "金管保綜字第1110000002號", _day(1100), None, None],
            ["AP-02", None, "board_resolution", "第1屆第1次董事會", _day(1200), None, "A4.P1"]])


def beta_registers(folder: Path) -> None:
    """A small company whose ids overlap alpha's (ARR-01, C-ALL, E-001, F-01) but hold other data."""
    folder.mkdir(parents=True)
    _write(folder, "csps", ["csp_id", "name", "country"], [["CSP-Z", "Zeta Cloud", "SG"]])
    _write(folder, "arrangements", ["arrangement_id", "name", "csp_id", "service_model", *FACTS, "data_locations",
                                    "start_date", "end_date"],
           [["ARR-01", "Beta secret arrangement", "CSP-Z", "PaaS", *(["Y"] * len(FACTS)), "SG", _day(500), None],
            ["ARR-99", "Beta other", "CSP-Z", "SaaS", *(["N"] * len(FACTS)), "TW", _day(500), None]])
    _write(folder, "controls", ["control_id", "name", "owner", "frequency_months", "satisfies", "applies_to"],
           [["C-ALL", "Beta secret control", "Beta CISO", 6, "A7.P1.I2;A9", "*"]])
    _write(folder, "evidence", ["evidence_id", "control_id", "arrangement_id", "collected_on", "valid_until", "title",
                                "uri", "sha256"],
           [["E-001", "C-ALL", "ARR-01", _day(5), _day(-10), "Beta secret evidence", None, None]])
    _write(folder, "audits", ["audit_id", "arrangement_id", "kind", "performed_on", "auditor", "independent"],
           [["AU-01", "ARR-01", "general", _day(50), "Beta auditor", "Y"]])
    _write(folder, "findings", ["finding_id", "audit_id", "severity", "status", "due_on", "closed_on"],
           [["F-01", "AU-01", "critical", "open", _day(1), None]])
    _write(folder, "certifications", ["certification_id", "csp_id", "standard", "scope", "issuer", "valid_from",
                                      "valid_until"],
           [["CERT-Z", "CSP-Z", "ISO27001", None, None, None, _day(-10)]])


@dataclass(frozen=True)
class Template:
    folder: Path
    tokens: dict[str, str]


@pytest.fixture(scope="session")
def api_template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    root = tmp_path_factory.mktemp("api")
    alpha_registers(root / "alpha")
    beta_registers(root / "beta")
    store = open_store(str(root / "store"))
    try:
        under = obligations_under(store)
        alpha_company_and_approvals(root / "alpha")
        load_registers(store, root / "alpha", "alpha", under)
        load_registers(store, root / "beta", "beta", under)
        tokens = {role: create_token(store, role, "alpha", f"{role} of alpha")[0]
                  for role in ("admin", "officer", "auditor", "board")}
        tokens["beta_officer"] = create_token(store, "officer", "beta", "officer of beta")[0]
        tokens["revoked"] = create_token(store, "officer", "alpha", "revoked one")[0]
        from regtrace.api.auth import list_tokens, revoke_token

        revoke_token(store, next(t["token_id"] for t in list_tokens(store) if t["name"] == "revoked one"))
    finally:
        store.close()
    return Template(root / "store", tokens)


@pytest.fixture
def store_folder(api_template: Template, tmp_path: Path) -> Path:
    """A private copy of the template store."""
    target = tmp_path / "store"
    shutil.copytree(api_template.folder, target)
    return target


@pytest.fixture
def api_store(store_folder: Path) -> Iterator[LadybugStore]:
    store = LadybugStore(store_folder)
    yield store
    store.close()


class Api:
    """A TestClient over the app with helpers to post GraphQL as one of the template's tokens."""

    def __init__(self, client: TestClient, tokens: dict[str, str]) -> None:
        self.client = client
        self.tokens = tokens

    def post(self, query: str, variables: dict[str, Any] | None = None, *, as_: str = "officer",
             operation: str | None = None) -> tuple[int, dict[str, Any]]:
        headers = {"Authorization": f"Bearer {self.tokens[as_]}"} if as_ else {}
        body: dict[str, Any] = {"query": query, "variables": variables}
        if operation:
            body["operationName"] = operation
        response = self.client.post("/graphql", json=body, headers=headers)
        return response.status_code, response.json()

    def data(self, query: str, variables: dict[str, Any] | None = None, *, as_: str = "officer") -> dict[str, Any]:
        """The data of a query that must succeed."""
        status, body = self.post(query, variables, as_=as_)
        assert status == 200 and "errors" not in body, body
        result: dict[str, Any] = body["data"]
        return result

    def error(self, query: str, variables: dict[str, Any] | None = None, *,
              as_: str = "officer") -> tuple[int, str, str]:
        """(HTTP status, first error code, its message) of a query that must fail."""
        status, body = self.post(query, variables, as_=as_)
        assert body.get("errors"), body
        return status, body["errors"][0]["extensions"]["code"], body["errors"][0]["message"]


def settle(client: TestClient, token: str) -> None:
    """Wait until the traces the app computes in the background (at start, after a change: api/precompute.py)
    are computed and kept, so that a test counting the store's queue or timing the store sees only its own work."""
    background = client.app.state.runner.precompute  # type: ignore[attr-defined]
    headers = {"Authorization": f"Bearer {token}"}
    deadline = time.monotonic() + 600  # a safety net on a loaded machine, not a time limit
    def state() -> Any:  # None while an answer times out (a test's short limit on a busy machine)
        body = client.post("/graphql", json={"query": "{ traceState { fresh computing } }"}, headers=headers).json()
        return (body.get("data") or {}).get("traceState")

    while not (state() == {"fresh": True, "computing": False} and background.settled()):
        assert time.monotonic() < deadline, "the background traces did not finish"
        time.sleep(0.05)


@pytest.fixture
def api(api_store: LadybugStore, api_template: Template) -> Iterator[Api]:
    app = create_app(api_store, introspection=True)
    with TestClient(app) as client:
        yield Api(client, api_template.tokens)
