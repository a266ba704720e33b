"""Tokens, roles, tenant isolation, limits and bad requests: always a GraphQL error with a code, never a 500."""

from __future__ import annotations

import pytest
from api_fixtures import Api

BETA_WORDS = ("Beta secret", "Beta CISO", "Beta auditor", "CSP-Z", "Zeta", "CERT-Z", "critical")


def no_beta(body: object) -> None:
    text = str(body)
    assert not any(word in text for word in BETA_WORDS), text


# ---------------------------------------------------------------- authentication


@pytest.mark.parametrize("header", [None, "", "Bearer", "Basic abc", "Bearer nope", "Bearer rt_deadbeef_x" + "y" * 40])
def test_missing_or_invalid_token_is_401(api: Api, header: str | None) -> None:
    headers = {"Authorization": header} if header is not None else {}
    response = api.client.post("/graphql", json={"query": "{ viewer { name } }"}, headers=headers)
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_revoked_token_is_refused(api: Api) -> None:
    status, code, _ = api.error("{ viewer { name } }", as_="revoked")
    assert (status, code) == (401, "UNAUTHENTICATED")


# ---------------------------------------------------------------- roles


def test_board_sees_counts_only(api: Api) -> None:
    data = api.data('{ coverage(groupBy: ARTICLE, asOf: "2026-11-29") { key percent } '
                    'gaps(asOf: "2026-11-29") { totalCount } viewer { role } }', as_="board")
    assert data["gaps"]["totalCount"] > 0 and data["viewer"]["role"] == "board"
    for query in ('{ gaps(asOf: "2026-11-29") { edges { node { provision } } } }',
                  '{ gaps(asOf: "2026-11-29") { nodes { controls } } }',
                  '{ trace(asOf: "2026-11-29") { totalCount } }', "{ evidences { evidence_id } }",
                  "{ controlsConnection { totalCount } }", "{ provisions { provision_id } }",
                  '{ certificationStates { certification_id } }', "{ changeLog { totalCount } }"):
        _, body = api.post(query, as_="board")
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", query
        assert "edges" not in str(body.get("data")) or body["data"] is None


def test_auditor_reads_but_cannot_write(api: Api) -> None:
    assert api.data("{ controls { control_id } }", as_="auditor")["controls"]
    _, code, _ = api.error('mutation { closeFinding(findingId: "F-01", closedOn: "2026-11-29") { status } }',
                           as_="auditor")
    assert code == "FORBIDDEN"


def test_only_admin_lists_tenants_or_chooses_one(api: Api) -> None:
    assert api.data("{ tenants }", as_="admin")["tenants"] == ["alpha", "beta"]
    assert api.error("{ tenants }")[1] == "FORBIDDEN"
    assert api.error('{ controls(tenant: "beta") { name } }')[1] == "FORBIDDEN"
    beta = api.data('{ controls(tenant: "beta") { name } }', as_="admin")
    assert beta["controls"] == [{"name": "Beta secret control"}]
    assert api.data('{ controls(tenant: "alpha") { control_id } }')["controls"]  # its own tenant is fine


# ---------------------------------------------------------------- tenant isolation


QUERIES = [
    "{ outsourcingArrangements { name controls { name } evidence { title } findings { severity } } }",
    '{ outsourcingArrangement(id: "ARR-01") { name providedBy { name } audits { auditor } } }',
    "{ controlsConnection { totalCount edges { node { name owner evidence { title } } } } }",
    '{ obligation(id: "A7.P1.I2.S1") { controls { name owner } } }',
    '{ obligations(where: {controls_SOME: {owner: "Beta CISO"}}) { obligation_id } }',
    '{ outsourcingArrangements(where: {controls_SOME: {name_contains: "secret"}}) { arrangement_id } }',
    "{ evidences { title } findings { severity } certifications { standard certification_id } "
    "cloudServiceProviders { name } }",
    '{ trace(asOf: "2026-11-29", first: 1000) { edges { node { subject controls evidence } } } }',
    '{ gaps(asOf: "2026-11-29", first: 1000) { edges { node { subject controls } } } }',
    '{ coverage(groupBy: CSP, asOf: "2026-11-29") { key } }',
    '{ certificationStates(asOf: "2026-11-29") { certification_id csp_id } }',
    '{ findingStates(asOf: "2026-11-29", states: [open, overdue, closed]) { finding_id severity } }',
    '{ expiringEvidence(withinDays: 3650, includeExpired: true, asOf: "2026-11-29") { edges { node { title } } } }',
    "{ changeLog { edges { node { target_id after } } } }",
]


@pytest.mark.parametrize("query", QUERIES)
def test_no_query_shows_another_tenant(api: Api, query: str) -> None:
    status, body = api.post(query)
    assert status == 200 and "errors" not in body, body
    no_beta(body)


@pytest.mark.parametrize(("query", "kind"), [
    ('{ outsourcingArrangement(id: "ARR-99") { name } }', "outsourcing arrangement"),
    ('{ evidence(id: "E-999") { title } }', "evidence"),
])
def test_another_tenants_id_is_not_found_like_a_missing_one(api: Api, query: str, kind: str) -> None:
    status, code, message = api.error(query)
    assert (status, code) == (200, "NOT_FOUND") and message.startswith(f"no {kind}")
    missing = api.error(query.replace("ARR-99", "ARR-00").replace("E-999", "E-000"))
    assert missing[1:] == (code, message.replace("ARR-99", "ARR-00").replace("E-999", "E-000"))


def test_mutations_cannot_reach_another_tenant(api: Api) -> None:
    # ARR-99 and C-ALL's beta twin exist only in beta: alpha sees the same error as for missing ids
    _, code, message = api.error('mutation { closeFinding(findingId: "F-99", closedOn: "2026-11-29") { status } }')
    assert (code, message) == ("NOT_FOUND", "no finding 'F-99'")
    _, body = api.post('mutation { attachEvidence(input: {evidence_id: "E-X", control_id: "C-ALL", '
                            'arrangement_id: "ARR-99", collected_on: "2026-11-01", title: "t"}) { evidence_id } }')
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "ARR-99" in body["errors"][0]["message"] and "Beta" not in str(body)
    beta = api.data('{ findings { status } }', as_="beta_officer")
    assert beta["findings"] == [{"status": "open"}]


# ---------------------------------------------------------------- limits and bad requests


def test_depth_and_cost_limits(api: Api) -> None:
    deep = "{ outsourcingArrangements { " + "providedBy { arrangements { " * 8 + "arrangement_id" + " } }" * 8 + " } }"
    status, code, _ = api.error(deep)
    assert (status, code) == (400, "QUERY_TOO_COMPLEX")
    costly = ("{ outsourcingArrangements(limit: 1000) { controls(limit: 1000) { evidence(limit: 1000) "
              "{ title } } } }")
    status, code, message = api.error(costly)
    assert (status, code) == (400, "QUERY_TOO_COMPLEX") and "cost" in message
    variables = {"n": 1000}
    status, code, _ = api.error("query($n: Int) { outsourcingArrangements(limit: $n) { controls(limit: $n) "
                                "{ evidence(limit: $n) { title } } } }", variables)
    assert code == "QUERY_TOO_COMPLEX"


def test_introspection_is_forbidden_unless_enabled(api_store, api_template) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient
    from regtrace.api.app import create_app

    with TestClient(create_app(api_store)) as client:
        headers = {"Authorization": f"Bearer {api_template.tokens['admin']}"}
        body = client.post("/graphql", json={"query": "{ __schema { types { name } } }"}, headers=headers).json()
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        typo = client.post("/graphql", json={"query": "{ outsourcingArrangementz { name } }"}, headers=headers)
        assert typo.status_code == 400 and "Did you mean" not in typo.text
        assert client.post("/graphql", json={"query": "{ __typename }"}, headers=headers).json() == {
            "data": {"__typename": "Query"}}


@pytest.mark.parametrize(("body", "content_type", "status"), [
    (b"{not json", "application/json", 400),
    (b"[]", "application/json", 400),
    (b'"x"', "application/json", 400),
    (b'{"query": 5}', "application/json", 400),
    (b'{"query": "{ viewer { name } }", "variables": [1]}', "application/json", 400),
    (b'{"query": "{ viewer { name } }", "variables": "{bad"}', "application/json", 400),
    (b"query=1", "application/x-www-form-urlencoded", 400),
    (b"\xff\xfe", "application/json", 400),
    (b'{"query": "{ viewer { name }"}', "application/json", 400),
    (b'{"query": "{ nothing }"}', "application/json", 400),
    (b'{"query": "query($d: Date!) { trace(asOf: $d) { totalCount } }", "variables": {"d": "yesterday"}}',
     "application/json", 400),
    (b'{"query": "query A { viewer { name } } query B { viewer { role } }"}', "application/json", 400),
    (b'{"query": "{ viewer { name } }", "operationName": "Nope"}', "application/json", 400),
    (b'{"query": "' + b"{" * 5000 + b'"}', "application/json", 400),
])
def test_bad_requests_are_4xx_graphql_errors(api: Api, body: bytes, content_type: str, status: int) -> None:
    response = api.client.post("/graphql", content=body, headers={
        "Content-Type": content_type, "Authorization": f"Bearer {api.tokens['officer']}"})
    assert response.status_code == status, response.text
    assert response.json()["errors"][0]["extensions"]["code"] in (
        "BAD_USER_INPUT", "GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED", "QUERY_TOO_COMPLEX")
    assert "Traceback" not in response.text


def test_too_large_body_is_413(api: Api) -> None:
    query = "{ viewer { name } }" + " " * 70_000
    response = api.client.post("/graphql", json={"query": query},
                               headers={"Authorization": f"Bearer {api.tokens['officer']}"})
    assert response.status_code == 413
    assert response.json()["errors"][0]["message"].startswith("the request body is larger")


def test_get_runs_queries_but_not_mutations_and_serves_graphiql(api: Api) -> None:
    auth = {"Authorization": f"Bearer {api.tokens['officer']}"}
    ok = api.client.get("/graphql", params={"query": "{ viewer { role } }"}, headers=auth)
    assert ok.json() == {"data": {"viewer": {"role": "officer"}}}
    mutation = api.client.get("/graphql", params={
        "query": 'mutation { closeFinding(findingId: "F-01", closedOn: "2026-11-29") { status } }'}, headers=auth)
    assert mutation.status_code == 405
    page = api.client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "graphiql.min.js" in page.text and "unpkg" not in page.text
    asset = api.client.get("/graphql/static/graphiql.min.js")
    assert asset.status_code == 200 and len(asset.content) > 1_000_000
    assert api.client.get("/graphql/static/..%2Fapp.py").status_code == 404


def test_timeout_is_a_graphql_error(api_store, api_template) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient
    from regtrace.api.app import ApiSettings, create_app
    from regtrace.api.execution import Limits

    with TestClient(create_app(api_store, settings=ApiSettings(Limits(timeout_seconds=0.0001)))) as client:
        body = client.post("/graphql", json={"query": '{ trace(asOf: "2026-11-29") { totalCount } }'},
                           headers={"Authorization": f"Bearer {api_template.tokens['officer']}"}).json()
        assert body["errors"][0]["extensions"]["code"] == "TIMEOUT" and body["data"] is None


def test_a_tenant_without_registers_is_not_found_not_zero_percent(api: Api) -> None:
    """Issue 14: an admin naming a tenant with no registers gets NOT_FOUND listing the tenants there are."""
    for query in ('{ coverageOverall(tenant: "alpah", asOf: "2026-11-29") { percent } }',
                  '{ coverage(tenant: "alpah", asOf: "2026-11-29", groupBy: ARTICLE) { percent } }'):
        _, code, message = api.error(query, as_="admin")
        assert code == "NOT_FOUND", message
        assert "tenant 'alpah' has no registers" in message and "alpha, beta" in message
