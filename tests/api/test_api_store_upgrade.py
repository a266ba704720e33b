"""A store made before the ontology gave tokens an expiry and change-log entries a role opens with those
properties added (empty), and its tokens keep working until 90 days after they were created."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from regtrace.api.auth import authenticate, list_tokens
from regtrace.graph.generations import Layout
from regtrace.graph.ladybug_connection import LadybugConnection
from regtrace.graph.ladybug_store import LadybugStore


def as_before(folder: Path, *columns: tuple[str, str]) -> None:
    """Make the published generation look as a store made before `columns` existed (published generations are
    never written by regtrace itself; this stands in for a store an older release made)."""
    with LadybugStore(folder) as store:
        generation = int(store.generation() or 0)
    conn = LadybugConnection(Layout(folder).database(generation), read_only=False)
    try:
        for table, column in columns:
            conn.execute(f"ALTER TABLE {table} DROP {column}")
        conn.execute("CHECKPOINT")
    finally:
        conn.close()


def test_an_older_store_gains_the_new_properties(store_folder: Path) -> None:
    as_before(store_folder, ("ApiToken", "expires_at"), ("ChangeLogEntry", "actor_role"))
    store = LadybugStore(store_folder)
    try:
        names = {r["name"] for r in store.execute("CALL table_info('ApiToken') RETURN name")}
        assert "expires_at" in names
        rows = list_tokens(store)
        assert rows and all(dt.datetime.fromisoformat(r["expires_at"]) - dt.datetime.fromisoformat(r["created_at"])
                            == dt.timedelta(days=90) for r in rows)
    finally:
        store.close()


def test_a_token_of_an_older_store_still_authenticates(store_folder: Path, api_template: object) -> None:
    as_before(store_folder, ("ApiToken", "expires_at"))
    store = LadybugStore(store_folder)
    try:
        principal = authenticate(store, f"Bearer {api_template.tokens['officer']}")  # type: ignore[attr-defined]
        assert (principal.role, principal.tenant) == ("officer", "alpha")
    finally:
        store.close()
