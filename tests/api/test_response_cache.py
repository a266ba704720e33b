"""Answers to read-only queries are kept per token and request until the app writes; mutations never are."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from api_fixtures import Api, settle
from regtrace.api import app as app_module
from regtrace.api.auth import create_token
from regtrace.api.execution import run
from regtrace.api.response_cache import ResponseCache

QUERY = '{ coverageOverall(asOf: "2026-11-29") { covered applicable } gaps(asOf: "2026-11-29") { totalCount } }'
TRACE = '{ trace(asOf: "2026-11-29", first: 3) { edges { node { provision subject } } } }'
ATTACH = """mutation($input: EvidenceInput!) { attachEvidence(input: $input) { evidence_id } }"""
EVIDENCE = {"evidence_id": "E-NEW", "control_id": "C-ALL", "arrangement_id": "ARR-03", "collected_on": "2026-11-20",
            "valid_until": "2027-11-20", "title": "New baseline scan"}


@pytest.fixture
def executions(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The documents the app executed (not answered from the cache)."""
    done: list[str] = []
    real = run

    async def counting(schema: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
        done.append(request.query)
        return await real(schema, request, *args, **kwargs)

    monkeypatch.setattr(app_module, "run", counting)
    return done


def test_a_query_is_answered_once_until_a_write(api: Api, executions: list[str]) -> None:
    first = api.data(QUERY)
    assert api.data(QUERY) == first and executions == [QUERY]
    assert api.data(QUERY, {"unused": 1}) == first and len(executions) == 2  # other variables: another request
    api.data(ATTACH, {"input": EVIDENCE})
    after = api.data(QUERY)
    assert len(executions) == 4 and after != first  # the mutation ran and the answer was computed again
    assert api.data(QUERY) == after and len(executions) == 4


def test_mutations_and_failures_are_never_kept(api: Api, executions: list[str]) -> None:
    api.data(ATTACH, {"input": EVIDENCE})
    _, code, message = api.error(ATTACH, {"input": EVIDENCE})
    assert (code, message) == ("BAD_USER_INPUT", "evidence_id 'E-NEW' already exists")
    missing = '{ outsourcingArrangement(id: "ARR-404") { name } }'
    api.error(missing)
    api.error(missing)
    assert executions == [ATTACH, ATTACH, missing, missing]


def test_answers_are_per_role_and_tenant_and_per_token_for_the_viewer(api: Api, api_store: Any,
                                                                      executions: list[str]) -> None:
    # made first: any write to the store, a token included, drops the kept answers (api/app.py follow_store);
    # the app then sees that write and keeps its background traces before anything is counted (another
    # process's write in the middle of the app's own would make the next request drop the kept answers)
    other = create_token(api_store, "officer", "alpha", "another officer")[0]
    settle(api.client, api.tokens["officer"])
    executions.clear()
    officer = api.data(TRACE)
    shared = api.client.post("/graphql", json={"query": TRACE}, headers={"Authorization": f"Bearer {other}"})
    assert shared.json()["data"] == officer and len(executions) == 1  # the same role and tenant: kept answer
    _, code, _ = api.error(TRACE, as_="board")
    assert code == "FORBIDDEN"  # never the officer's kept answer
    status, body = api.post(TRACE, as_="beta_officer")
    assert status == 200 and body["data"] != officer
    assert api.data(TRACE) == officer and len(executions) == 3
    assert api.data(TRACE, as_="admin") == officer and len(executions) == 4  # admin: another role
    viewer = "{ viewer { name role } }"
    assert api.data(viewer) == {"viewer": {"name": "officer of alpha", "role": "officer"}}
    assert api.data(viewer, as_="auditor")["viewer"]["name"] == "auditor of alpha"
    assert api.data(viewer)["viewer"]["name"] == "officer of alpha" and len(executions) == 6


def test_versions_size_limit_and_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    cache = ResponseCache(max_bytes=800)
    day = dt.date(2026, 11, 29)
    keys = [("token", f"query {i}", None, "null", day) for i in range(12)]
    cache.put(keys[0], 0, b"x" * 100)
    assert cache.get(keys[0], 0) == b"x" * 100
    assert cache.get(keys[0], 1) is None and cache.get(keys[0], 0) is None  # computed under an older version
    cache.put(keys[1], 0, b"y" * 101)  # more than an eighth of the cache: not kept
    assert cache.get(keys[1], 0) is None
    for key in keys[2:]:
        cache.put(key, 0, b"z" * 100)
    assert len(cache) == 8 and cache.get(keys[2], 0) is None and cache.get(keys[11], 0) == b"z" * 100
    monkeypatch.setenv("REGTRACE_RESPONSE_CACHE_MB", "0")
    assert not ResponseCache.from_env().enabled


def test_after_the_apps_own_write_no_date_is_answered_from_before_it(api: Api) -> None:
    """A date other than today (whose trace the write updates in place) waits for its new trace too."""
    past = QUERY.replace("2026-11-29", "2026-11-25")
    first = api.data(past)
    api.data(ATTACH, {"input": EVIDENCE})  # collected 2026-11-20: it counts on 2026-11-25
    status, body = api.post(past)
    assert status == 200 and "errors" not in body, body
    assert "traceState" not in body.get("extensions", {})  # not the previous trace, marked as such
    assert body["data"] != first and body["data"]["coverageOverall"]["covered"] > first["coverageOverall"]["covered"]
