"""A store made by the release before regulation versions is upgraded in place: its regulation becomes the seed
version (every provision and obligation keeps its key and gains the label and its version link), the trace does
not change, and an amended text can then be adopted. On both stores."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from neo4j import Driver
from regtrace.graph.generations import Layout
from regtrace.graph.ladybug_connection import LadybugConnection
from regtrace.graph.ladybug_store import LadybugStore
from regtrace.graph.port import Store
from store_fixtures import StoreFactory
from test_versions import AMENDED, EFFECTIVE, _registers, _rows

from regtrace.seed import install_seed
from regtrace.stores import open_store
from regtrace.versions import VersionBook
from regtrace.versions_adopt import adopt
from regtrace.versions_upgrade import needs_upgrade, upgrade_versions

# What this release added to the store: the version tables and links, and the label on provisions and obligations.
NEW_RELS = ("IN_VERSION", "VERSION_OF", "SAME_AS", "RENUMBERED_FROM", "REPLACES")
NEW_NODES = ("InstrumentVersion", "MappingReview")
DAY = dt.date(2026, 11, 29)


def _as_before_versions(folder: Path) -> None:
    """Make the published generation look as the previous release made it (published generations are never
    written by regtrace itself; this stands in for a store that release made)."""
    with LadybugStore(folder) as store:
        generation = int(store.generation() or 0)
    conn = LadybugConnection(Layout(folder).database(generation), read_only=False)
    try:
        for rel in NEW_RELS:
            conn.execute(f"DROP TABLE {rel}")
        for label in NEW_NODES:
            conn.execute(f"DROP TABLE {label}")
        for label in ("Provision", "Obligation"):
            conn.execute(f"ALTER TABLE {label} DROP version")
        conn.execute("CHECKPOINT")
    finally:
        conn.close()


def _check_upgraded(store: Store, trace_before: object) -> None:
    book = VersionBook.read(store)
    assert [(v.label, v.effective_from, v.effective_until) for v in book.versions] == [("seed", None, None)]
    assert {p["version"] for p in book.provisions} == {"seed"} and {o["version"] for o in book.obligations} == {"seed"}
    assert len(store.links("IN_VERSION")) == len(book.provisions) == 130
    assert _rows(store, DAY) == trace_before
    assert not needs_upgrade(store) and not upgrade_versions(store), "a second run does nothing"
    assert adopt(store, AMENDED, EFFECTIVE, "2027").counts() == {"carried": 5, "needs_review": 1, "orphaned": 1}


def test_an_embedded_store_of_the_previous_release_is_upgraded_in_place(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    with LadybugStore(folder) as store:
        install_seed(store)
        _registers(store)
        trace_before = _rows(store, DAY)
    _as_before_versions(folder)
    with LadybugStore(folder, create=False) as old:
        names = {r["name"] for r in old.execute("CALL show_tables() RETURN name")}
        assert "InstrumentVersion" in names, "opening adds the tables the ontology names (empty)"
        assert needs_upgrade(old)
    store = open_store(str(folder), create=False)
    try:
        _check_upgraded(store, trace_before)
    finally:
        store.close()


@pytest.mark.neo4j
def test_a_neo4j_store_of_the_previous_release_is_upgraded_in_place(open_store_of: StoreFactory,
                                                                       neo4j_driver: Driver) -> None:
    store = open_store_of("neo4j")
    install_seed(store)
    _registers(store)
    trace_before = _rows(store, DAY)
    with neo4j_driver.session() as session:
        session.run("MATCH (n:InstrumentVersion) DETACH DELETE n").consume()
        session.run("MATCH (n) WHERE n:Provision OR n:Obligation REMOVE n.version").consume()
    assert needs_upgrade(store)
    assert upgrade_versions(store)
    _check_upgraded(store, trace_before)
