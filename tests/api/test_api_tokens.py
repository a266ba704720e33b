"""Tokens expire (90 days unless --expires-in says otherwise), an expired or revoked token is refused saying so,
a revocation reaches a running app within REGTRACE_AUTH_CACHE_SECONDS (at once when the app sees its write), and
the change log names who changed what (token id and role)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from api_fixtures import Api, Template, settle
from fastapi.testclient import TestClient
from regtrace.api.app import create_app
from regtrace.api.auth import (
    ROLES,
    create_token,
    expires_at,
    list_tokens,
    parse_lifetime,
    principal_of,
    revoke_token,
)
from regtrace.api.errors import UnauthenticatedError
from regtrace.graph.ladybug_store import LadybugStore
from regtrace.graph.port import Writer
from regtrace.ontology.model import load_ontology


def test_roles_are_the_ontologys() -> None:
    role = next(f for f in load_ontology().classes["ApiToken"].attributes if f.name == "role")
    assert tuple(role.allowed) == ROLES


@pytest.mark.parametrize(("text", "lifetime"), [
    ("30d", dt.timedelta(days=30)), ("12h", dt.timedelta(hours=12)), ("90m", dt.timedelta(minutes=90)),
    (" 3650d ", dt.timedelta(days=3650)),
])
def test_lifetimes(text: str, lifetime: dt.timedelta) -> None:
    assert parse_lifetime(text) == lifetime


@pytest.mark.parametrize("text", ["", "0d", "30", "1y", "-5d", "3651d", "1.5d", "30 days"])
def test_bad_lifetimes_name_the_option(text: str) -> None:
    from regtrace.errors import InputError

    with pytest.raises(InputError, match="--expires-in"):
        parse_lifetime(text)


def test_a_new_token_expires_in_90_days_and_an_old_one_90_days_after_it_was_made(api_store: LadybugStore) -> None:
    _, row = create_token(api_store, "auditor", "alpha", "auditor with default lifetime")
    created = dt.datetime.fromisoformat(row["created_at"])
    assert dt.datetime.fromisoformat(row["expires_at"]) - created == dt.timedelta(days=90)
    listed = next(t for t in list_tokens(api_store) if t["token_id"] == row["token_id"])
    assert listed["expires_at"] == row["expires_at"] and "hash" not in listed
    legacy = {"token_id": "x", "name": "n", "role": "board", "tenant": "alpha", "revoked": False,
              "created_at": "2026-01-01T00:00:00+00:00", "expires_at": None}
    assert expires_at(legacy) == dt.datetime(2026, 4, 1, tzinfo=dt.UTC)  # 31 + 28 + 31 = 90 days
    assert principal_of(legacy, dt.datetime(2026, 3, 31, 23, 59, tzinfo=dt.UTC)).role == "board"
    with pytest.raises(UnauthenticatedError, match="expired at 2026-04-01T00:00:00"):
        principal_of(legacy, dt.datetime(2026, 4, 1, tzinfo=dt.UTC))


def test_an_expired_token_is_told_so(api: Api, api_store: LadybugStore) -> None:
    token, row = create_token(api_store, "officer", "alpha", "short-lived", dt.timedelta(minutes=1))
    past = {**next(r for r in api_store.nodes("ApiToken") if r["token_id"] == row["token_id"]),
            "expires_at": "2026-01-01T00:00:00+00:00"}

    def unit(w: Writer) -> None:
        w.upsert_nodes("ApiToken", [past])

    api_store.write(unit)
    response = api.client.post("/graphql", json={"query": "{ viewer { name } }"},
                               headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert error["message"].startswith("the token expired at 2026-01-01T00:00:00+00:00")


def test_a_revocation_reaches_a_running_app_within_its_seconds(api_store: LadybugStore, api_template: Template,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REGTRACE_AUTH_CACHE_SECONDS", "0.5")
    token, row = create_token(api_store, "officer", "alpha", "to be revoked")
    with TestClient(create_app(api_store)) as client:
        headers = {"Authorization": f"Bearer {token}"}
        assert client.post("/graphql", json={"query": "{ viewer { name } }"}, headers=headers).status_code == 200
        settle(client, token)  # the bound holds when the store is not busy (a running store call is not interrupted)
        revoke_token(api_store, row["token_id"])  # as `regtrace token revoke` would, beside the server
        time.sleep(0.6)
        response = client.post("/graphql", json={"query": "{ viewer { name } }"}, headers=headers)
        assert response.status_code == 401 and response.json()["errors"][0]["message"] == "the token was revoked"


def test_a_revocation_seen_in_the_store_is_refused_at_once_even_while_the_store_is_busy(
        api_store: LadybugStore, api_template: Template) -> None:
    """With the default five seconds: the request after the revocation's write is refused, although the store's
    one thread is held by a long call (the book is read again behind it, not used as it was)."""
    token, row = create_token(api_store, "officer", "alpha", "to be revoked")
    app = create_app(api_store)
    with TestClient(app) as client:
        headers = {"Authorization": f"Bearer {token}"}
        assert client.post("/graphql", json={"query": "{ viewer { name } }"}, headers=headers).status_code == 200
        settle(client, token)
        revoke_token(api_store, row["token_id"])  # as `regtrace token revoke` would, beside the server
        gate = threading.Event()
        app.state.runner.scheduler.submit(gate.wait, 10, priority=True)  # the store is busy with something long
        threading.Timer(1.0, gate.set).start()  # longer than a request waits for an old book (0.25 s)
        response = client.post("/graphql", json={"query": "{ viewer { name } }"}, headers=headers)
        assert response.status_code == 401 and response.json()["errors"][0]["message"] == "the token was revoked"
        gate.set()


def test_the_change_log_names_the_token_and_its_role(api: Api) -> None:
    api.data('mutation { closeFinding(findingId: "F-01", closedOn: "2026-11-29") { status } }')
    api.data('mutation { closeFinding(findingId: "F-02", closedOn: "2026-11-29") { status } }', as_="admin")
    entries = api.data("{ changeLog { edges { node { actor_token actor_name actor_role mutation target_id } } } }")
    nodes = [e["node"] for e in entries["changeLog"]["edges"]]
    assert [(n["actor_name"], n["actor_role"], n["target_id"]) for n in nodes] == [
        ("admin of alpha", "admin", "F-02"), ("officer of alpha", "officer", "F-01")]
    assert all(len(n["actor_token"]) == 16 for n in nodes)


def test_token_commands(store_folder: Path) -> None:
    regtrace = str(Path(sys.executable).parent / "regtrace")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([regtrace, "--store", str(store_folder), "token", *args], capture_output=True,
                              text=True, timeout=120)

    created = run("create", "--role", "board", "--tenant", "alpha", "--expires-in", "12h")
    assert created.returncode == 0, created.stderr
    rows = json.loads(run("list", "--json").stdout)
    newest = max(rows, key=lambda r: r["created_at"])
    made = dt.datetime.fromisoformat(newest["created_at"])
    assert dt.datetime.fromisoformat(newest["expires_at"]) - made == dt.timedelta(hours=12)
    assert "expires_at" in run("list").stdout
    bad = run("create", "--role", "board", "--tenant", "alpha", "--expires-in", "1y")
    assert bad.returncode == 2 and "--expires-in: '1y' is not a lifetime" in bad.stderr
