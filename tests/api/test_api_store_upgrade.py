"""A store made before the ontology gave tokens an expiry and change-log entries a role opens with those
properties added (empty), and its tokens keep working until 90 days after they were created."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from regtrace.api.auth import authenticate, list_tokens
from regtrace.graph.ladybug_store import LadybugStore


def test_an_older_store_gains_the_new_properties(store_folder: Path) -> None:
    store = LadybugStore(store_folder)
    store.execute("ALTER TABLE ApiToken DROP expires_at")  # as the store was before
    store.execute("ALTER TABLE ChangeLogEntry DROP actor_role")
    store.close()
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
    store = LadybugStore(store_folder)
    store.execute("ALTER TABLE ApiToken DROP expires_at")
    store.close()
    store = LadybugStore(store_folder)
    try:
        principal = authenticate(store, f"Bearer {api_template.tokens['officer']}")  # type: ignore[attr-defined]
        assert (principal.role, principal.tenant) == ("officer", "alpha")
    finally:
        store.close()
