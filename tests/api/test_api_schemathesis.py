"""Schemathesis generates GraphQL queries from the schema and sends them to the app in-process, by POST and again
by GET; hypothesis generates variables (any JSON: huge numbers, lone surrogates, NaN, deep lists) for documents
that take each kind of input. No answer may be a server error. Bounded (a few examples per root field and per
document) so the run stays around a minute."""

from __future__ import annotations

import json
from typing import Any

import schemathesis
from api_fixtures import Template
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from regtrace.api.app import create_app
from regtrace.graph.ladybug_store import LadybugStore

EXAMPLES = 4
VARIABLE_EXAMPLES = 40
LONG = "__LONG_NUMBER__"  # stands for a 5,000-digit number, which json.dumps cannot write


def _server_error(status: int, body: Any) -> bool:
    if not isinstance(body, dict):
        return True
    internal = [e for e in body.get("errors") or [] if e["extensions"]["code"] == "INTERNAL_SERVER_ERROR"]
    return status >= 500 or bool(internal) or not ("data" in body or "errors" in body)


def test_generated_queries_never_get_a_server_error(api_store: LadybugStore, api_template: Template) -> None:
    app = create_app(api_store, introspection=True)
    headers = {"Authorization": f"Bearer {api_template.tokens['admin']}"}
    loaded = schemathesis.graphql.from_asgi("/graphql", app, headers=headers)
    operations = [result.ok() for result in loaded.get_all_operations()]
    assert len(operations) > 40
    failures: list[str] = []
    with TestClient(app) as client:
        for operation in operations:

            @given(case=operation.as_strategy())
            @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
            def check(case: Any) -> None:
                response = case.call(headers=headers)
                if _server_error(response.status_code, response.json()):
                    failures.append(f"POST {case.operation.label}: {response.status_code} {case.body} -> "
                                    f"{response.text[:300]}")
                query = case.body["query"] if isinstance(case.body, dict) else str(case.body)
                by_get = client.get("/graphql", params={"query": query}, headers=headers)
                if _server_error(by_get.status_code, by_get.json()):
                    failures.append(f"GET {case.operation.label}: {by_get.status_code} {query} -> {by_get.text[:300]}")

            check()
    assert not failures, "\n".join(failures[:5])


DOCUMENTS = [
    "query($v: Int) { controls(limit: $v) { name } }",
    "query($v: Int!) { expiringEvidence(withinDays: $v) { totalCount } }",
    "query($v: String) { controls(where: {name_contains: $v}) { name } }",
    "query($v: String) { trace(asOf: \"2026-11-29\", first: 2, after: $v) { totalCount } }",
    "query($v: Date) { trace(asOf: $v, first: 5) { totalCount } }",
    "query($v: [Date!]) { evidences(where: {valid_until_in: $v}) { evidence_id } }",
    "query($v: ControlWhere) { controls(where: $v) { control_id } }",
    "query($v: [ControlSort!]) { controls(sort: $v, limit: 3) { control_id } }",
    "query($v: [TraceStatus!]) { trace(asOf: \"2026-11-29\", status: $v, first: 3) { totalCount } }",
    "mutation($v: EvidenceInput!) { attachEvidence(input: $v) { evidence_id } }",
]
TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=12)  # surrogates and NUL included
SCALARS = (st.none() | st.booleans() | st.integers() | st.floats() | TEXT | st.just(LONG)
           | st.sampled_from(["2026-11-29", "9999-12-31", "0001-01-01", "2026-02-30", "ASC", "gap", "C-ALL"]))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
    st.sampled_from(["name", "name_contains", "AND", "OR", "NOT", "field", "direction", "evidence_id",
                     "control_id", "collected_on", "title", "frequency_months_gt", "controls_SOME"]) | TEXT,
    inner, max_size=3), max_leaves=8)


def test_generated_variables_never_get_a_server_error(api_store: LadybugStore, api_template: Template) -> None:
    headers = {"Authorization": f"Bearer {api_template.tokens['admin']}"}
    failures: list[str] = []
    with TestClient(create_app(api_store)) as client:

        @given(document=st.sampled_from(DOCUMENTS), value=VALUES)
        @settings(max_examples=VARIABLE_EXAMPLES * len(DOCUMENTS), deadline=None,
                  suppress_health_check=list(HealthCheck), database=None)
        def check(document: str, value: Any) -> None:
            variables = json.dumps({"v": value}).replace(f'"{LONG}"', "1" * 5000)
            body = '{"query": ' + json.dumps(document) + ', "variables": ' + variables + "}"
            post = client.post("/graphql", content=body.encode(), headers={
                **headers, "Content-Type": "application/json"})
            if _server_error(post.status_code, post.json()):
                failures.append(f"POST {document} {variables[:200]} -> {post.status_code} {post.text[:300]}")
            if document.startswith("query"):
                get = client.get("/graphql", params={"query": document, "variables": variables}, headers=headers)
                if _server_error(get.status_code, get.json()):
                    failures.append(f"GET {document} {variables[:200]} -> {get.status_code} {get.text[:300]}")

        check()
    assert not failures, "\n".join(failures[:5])
