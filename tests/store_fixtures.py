"""Pytest plugin: every store behind the port, for suites that must hold on all of them (tests/conftest.py).

Fixtures:
    store         (function) parametrised over STORES: an empty LadybugStore in tmp_path, and a Neo4jStore
                             on the session server (tests/neo4j_fixtures.py) wiped of data first.
    seeded_store  (function) the same, with the bundled seed installed (regtrace.seed.install_seed): the
                             LadybugStore is a copy of one seeded once per session (seeding takes seconds, a
                             copy of the closed store's folder hundredths); the Neo4jStore's database gets a
                             copy of the graph the seed left on it the first time (every node with its labels
                             and properties, every relationship with its type and properties: seeded_neo4j).
    store_pair    (function) both at once, {"ladybug": ..., "neo4j": ...}, to compare their answers.
    open_store_of (function) a factory: open_store_of("neo4j") -> a fresh store of that kind;
                             open_store_of(kind, seeded=True) -> the same with the seed installed.

The Neo4j wipe deletes every node and every constraint or index that regtrace did not create; regtrace's own
(generated from the ontology, all named `regtrace_…`) stay, so the server's query-plan cache survives and a
test costs tenths of a second instead of seconds. A Neo4j test skips without Java, but fails under CI=true.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from neo4j import Driver, ManagedTransaction
from neo4j_fixtures import neo4j_auth
from regtrace.graph.port import Store

if TYPE_CHECKING:
    from regtrace.graph.ladybug_store import LadybugStore

STORES = ("ladybug", "neo4j")
StoreFactory = Callable[..., Store]  # (kind, seeded=False) -> Store


def _quote(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def wipe_data(driver: Driver) -> None:
    """Delete every node and relationship, and every constraint and index but regtrace's own."""
    driver.execute_query("MATCH (n) DETACH DELETE n")
    for record in driver.execute_query("SHOW CONSTRAINTS YIELD name").records:
        if not record["name"].startswith("regtrace_"):
            driver.execute_query(f"DROP CONSTRAINT {_quote(record['name'])} IF EXISTS")
    indexes = driver.execute_query(
        "SHOW INDEXES YIELD name, type, owningConstraint WHERE type <> 'LOOKUP' AND owningConstraint IS NULL "
        "RETURN name"
    )
    for record in indexes.records:
        if not record["name"].startswith("regtrace_"):
            driver.execute_query(f"DROP INDEX {_quote(record['name'])} IF EXISTS")


_seeded_template: list[Path] = []


def seeded_ladybug(folder: Path) -> LadybugStore:
    """A LadybugStore at `folder` (which must not exist) holding the bundled seed and nothing else, as
    `LadybugStore(folder)` then `install_seed` leave it: a copy of a closed store seeded once per process."""
    from regtrace.graph.ladybug_store import LadybugStore

    if not _seeded_template:
        from regtrace.seed import install_seed

        root = Path(tempfile.mkdtemp(prefix="regtrace-seeded-"))
        atexit.register(shutil.rmtree, root, True)
        with LadybugStore(root / "store") as store:
            install_seed(store)
        _seeded_template.append(root / "store")
    shutil.copytree(_seeded_template[0], folder)
    return LadybugStore(folder)


NODES = "MATCH (n) RETURN elementId(n) AS id, labels(n) AS labels, properties(n) AS props"
LINKS = ("MATCH (a)-[r]->(b) RETURN elementId(a) AS source, elementId(b) AS target, type(r) AS type, "
         "properties(r) AS props")
Graph = tuple[list[dict[str, Any]], list[dict[str, Any]]]  # (nodes, relationships) as NODES and LINKS read them
_seeded_graph: list[Graph] = []


def graph_of(driver: Driver) -> Graph:
    """Every node (element id, labels, properties) and relationship (its ends' ids, type, properties)."""
    nodes = [dict(r) for r in driver.execute_query(NODES).records]
    return nodes, [dict(r) for r in driver.execute_query(LINKS).records]


def _write_graph(tx: ManagedTransaction, graph: Graph) -> None:
    nodes, links = graph
    new_id: dict[str, str] = {}
    by_labels: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for node in nodes:
        by_labels.setdefault(tuple(sorted(node["labels"])), []).append(node)
    for labels, group in by_labels.items():
        names = "".join(f":{_quote(label)}" for label in labels)
        made = tx.run(f"UNWIND $rows AS row CREATE (n{names}) SET n = row.props RETURN row.id AS old, "
                      "elementId(n) AS new", rows=[{"id": n["id"], "props": n["props"]} for n in group]).data()
        new_id.update((r["old"], r["new"]) for r in made)
    by_type: dict[str, list[dict[str, Any]]] = {}
    for link in links:
        by_type.setdefault(link["type"], []).append(
            {"source": new_id[link["source"]], "target": new_id[link["target"]], "props": link["props"]})
    for rel_type, group in by_type.items():
        tx.run(f"UNWIND $rows AS row MATCH (a) WHERE elementId(a) = row.source MATCH (b) WHERE elementId(b) = "
               f"row.target CREATE (a)-[r:{_quote(rel_type)}]->(b) SET r = row.props", rows=group).consume()


def seeded_neo4j(store: Store, driver: Driver) -> None:
    """Give `store`, an empty Neo4jStore on `driver`'s server (wiped by wipe_data, regtrace's schema in place),
    the bundled seed as `install_seed` leaves it: installed the first time in this process, and its graph kept
    (graph_of) and written back in one transaction each time after (tests/test_store_fixtures.py checks that the
    copy equals an installation)."""
    if not _seeded_graph:
        from regtrace.seed import install_seed

        install_seed(store)
        _seeded_graph.append(graph_of(driver))
        return
    with driver.session() as session:
        session.execute_write(_write_graph, _seeded_graph[0])


@pytest.fixture
def open_store_of(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreFactory]:
    """Open empty (or seeded) stores by kind; all are closed at the end of the test."""
    opened: list[Store] = []

    def make(kind: str, seeded: bool = False) -> Store:
        store: Store
        if kind == "ladybug":
            from regtrace.graph.ladybug_store import LadybugStore

            folder = tmp_path / f"ladybug-{len(opened)}"
            store = seeded_ladybug(folder) if seeded else LadybugStore(folder)
        elif kind == "neo4j":
            from regtrace.graph.neo4j_store import Neo4jStore

            uri: str = request.getfixturevalue("neo4j_uri")
            driver: Driver = request.getfixturevalue("neo4j_driver")
            wipe_data(driver)
            auth = neo4j_auth()
            store = Neo4jStore.connect(uri, *(auth or (None, None)))
            if seeded:
                opened.append(store)
                seeded_neo4j(store, driver)
                return store
        else:
            raise ValueError(f"unknown store kind {kind}")
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()


@pytest.fixture(params=[pytest.param(kind, marks=[pytest.mark.neo4j] if kind == "neo4j" else []) for kind in STORES])
def store(request: pytest.FixtureRequest, open_store_of: StoreFactory) -> Store:
    """An empty store of each kind in turn."""
    return open_store_of(str(request.param))


@pytest.fixture(params=[pytest.param(kind, marks=[pytest.mark.neo4j] if kind == "neo4j" else []) for kind in STORES])
def seeded_store(request: pytest.FixtureRequest, open_store_of: StoreFactory) -> Store:
    """A store of each kind in turn holding the bundled seed and nothing else."""
    return open_store_of(str(request.param), seeded=True)


@pytest.fixture
def store_pair(open_store_of: StoreFactory) -> dict[str, Store]:
    """One empty store of every kind, to compare their answers to the same inputs."""
    return {kind: open_store_of(kind) for kind in STORES}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "store_pair" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.neo4j)
