"""Malformed requests get a 4xx with a code, never a 5xx: numbers Python refuses to read (more than 4,300 digits
raise ValueError, not JSONDecodeError), subscriptions, lone surrogates, and dates outside 1911–2200."""

from __future__ import annotations

import pytest
from api_fixtures import Api

LONG = "1" * 5000
CODES = ("BAD_USER_INPUT", "GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED", "QUERY_TOO_COMPLEX")


def auth(api: Api) -> dict[str, str]:
    return {"Authorization": f"Bearer {api.tokens['officer']}"}


def refused(response: object, status: int = 400, code: str = "BAD_USER_INPUT") -> str:
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    error = response.json()["errors"][0]  # type: ignore[attr-defined]
    assert error["extensions"]["code"] == code, error
    message: str = error["message"]
    return message


def test_numbers_too_long_to_read(api: Api) -> None:
    body = b'{"query": "query($x: Int) { viewer { name } }", "variables": {"x": ' + LONG.encode() + b"}}"
    post = api.client.post("/graphql", content=body, headers={**auth(api), "Content-Type": "application/json"})
    assert refused(post) == "the request body holds a number too long to read"
    get = api.client.get("/graphql", params={"query": "query($x: Int) { viewer { name } }",
                                             "variables": '{"x": ' + LONG + "}"}, headers=auth(api))
    assert refused(get) == "'variables' holds a number too long to read"
    literal = api.client.post("/graphql", json={"query": "{ controls(limit: " + LONG + ") { name } }"},
                              headers=auth(api))
    assert "5000 characters is too long" in refused(literal)
    length = api.client.post("/graphql", content=b'{"query": "{ viewer { name } }"}',
                             headers={**auth(api), "Content-Type": "application/json", "Content-Length": LONG})
    refused(length, 413)


@pytest.mark.parametrize("method", ["POST", "GET"])
def test_subscriptions_are_refused(api: Api, method: str) -> None:
    query = "subscription { viewer { name } }"
    response = api.client.post("/graphql", json={"query": query}, headers=auth(api)) if method == "POST" else \
        api.client.get("/graphql", params={"query": query}, headers=auth(api))
    assert refused(response) == "subscriptions are not supported: send a query or a mutation"


def test_lone_surrogates_and_nul(api: Api) -> None:
    query = "query($w: String) { controls(where: {name_contains: $w}) { name } }"
    body = '{"query": "' + query + '", "variables": {"w": "a\\ud800b"}}'
    post = api.client.post("/graphql", content=body.encode(), headers={**auth(api), "Content-Type": "application/json"})
    assert refused(post).startswith("variables.w: the text is not valid Unicode")
    get = api.client.get("/graphql", params={"query": query, "variables": '{"w": "\\udfff"}'}, headers=auth(api))
    assert refused(get).startswith("variables.w: the text is not valid Unicode")
    in_document = api.client.post("/graphql", json={"query": '{ controls(where: {name: "\\ud800"}) { name } }'},
                                  headers=auth(api))
    refused(in_document, 400, "GRAPHQL_PARSE_FAILED")
    nul = api.data(query, {"w": "a\x00b"})  # NUL is a character: it matches nothing, it breaks nothing
    assert nul == {"controls": []}


def test_dates_are_bounded_and_the_field_is_named(api: Api) -> None:
    status, code, message = api.error('{ expiringEvidence(withinDays: 36500, asOf: "9999-12-31") { totalCount } }')
    assert (status, code) == (400, "BAD_USER_INPUT")
    assert message == "asOf: 9999-12-31 is out of range; dates must fall in the years 1911–2200"
    status, code, message = api.error("query($d: Date) { trace(asOf: $d) { totalCount } }", {"d": "1910-12-31"})
    assert (status, code) == (400, "BAD_USER_INPUT") and "$d" in message and "1911–2200" in message
    status, code, message = api.error('{ evidences(where: {valid_until_in: ["2026-01-01", "2201-01-01"]}) '
                                      "{ evidence_id } }")
    assert (status, code) == (400, "BAD_USER_INPUT") and message.startswith("valid_until_in: 2201-01-01")
    status, code, message = api.error('query($d: Date = "0001-01-01") { trace(asOf: $d) { totalCount } }')
    assert (status, code) == (400, "BAD_USER_INPUT") and message.startswith("$d: 0001-01-01")
    # the boundaries themselves are dates
    data = api.data('{ a: expiringEvidence(withinDays: 36500, asOf: "2200-12-31") { totalCount } '
                    'b: expiringEvidence(withinDays: 0, asOf: "1911-01-01", includeExpired: true) { totalCount } }')
    assert data == {"a": {"totalCount": 0}, "b": {"totalCount": 0}}


@pytest.mark.parametrize("body", [
    b'{"query": "query($x: Int) { controls(limit: $x) { name } }", "variables": {"x": 1e999999}}',
    b'{"query": "{ viewer { name } }", "operationName": "\\udc00"}',
    b'{"query": "{ viewer { name } }", "variables": {"\\ud800": 1}}',
    b'{"query": "{ viewer { name } }", "variables": ' + b"[" * 100_000 + b"}",
])
def test_other_malformed_bodies_are_4xx(api: Api, body: bytes) -> None:
    response = api.client.post("/graphql", content=body, headers={**auth(api), "Content-Type": "application/json"})
    assert 400 <= response.status_code < 500, response.text
    assert response.json()["errors"][0]["extensions"]["code"] in CODES
