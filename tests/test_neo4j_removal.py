"""Removing a tenant's previous generation on Neo4j keeps every transaction small, whatever the generation's
size, on a server of its own whose transactions may hold 2 MiB each. Measured at a million evidence items on a
4 GB server, the removal had run out of the server's transaction memory, and from then on every load of the
tenant failed as it began by removing that generation: the controls were removed before their evidence, each
control's links with it, a million links in one transaction."""

from __future__ import annotations

from collections.abc import Iterator

import neo4j_server
import pytest
from neo4j import Driver, GraphDatabase
from neo4j_fixtures import require_local_tools
from regtrace.graph import neo4j_generations, neo4j_queries
from regtrace.graph.schema import store_schema

pytestmark = pytest.mark.neo4j

CONTROLS, EVIDENCE = 20, 30_000  # 1,500 evidence items linked to each control
TRANSACTION_MEMORY = "2m"


@pytest.fixture(scope="module")
def driver() -> Iterator[Driver]:
    require_local_tools()
    server = neo4j_server.start(short_lived=True, settings=(f"db.memory.transaction.max={TRANSACTION_MEMORY}",))
    try:
        with GraphDatabase.driver(server.uri, auth=None) as driver:
            yield driver
    finally:
        neo4j_server.stop(server)


def test_nodes_are_removed_after_the_nodes_that_link_to_them() -> None:
    order = [node.label for node in neo4j_generations.removal_order()]
    schema = store_schema()
    assert sorted(order) == sorted(node.label for node in schema.nodes.values() if node.tenant_scoped)
    for rel in schema.relationships:
        if rel.source in order and rel.target in order:
            assert order.index(rel.source) < order.index(rel.target), rel.type


def _generation(driver: Driver, generation: int, controls: int, evidence: int) -> None:
    """`controls` controls and `evidence` evidence items of tenant t1 in `generation`, each item linked to a
    control, 100 items per transaction (within the server's limit)."""
    driver.execute_query("UNWIND range(0, $n - 1) AS i CREATE (:Control {uid: 't1/C' + toString(i), "
                         "tenant: 't1', generation: $generation})", {"n": controls, "generation": generation})
    for start in range(0, evidence, 100):
        driver.execute_query(
            "UNWIND range($start, $end - 1) AS i MATCH (c:Control {tenant: 't1', generation: $generation, "
            "uid: 't1/C' + toString(i % $controls)}) CREATE (:Evidence {uid: 't1/E' + toString(i), tenant: 't1', "
            "generation: $generation})-[:EVIDENCES]->(c)",
            {"start": start, "end": min(evidence, start + 100), "generation": generation, "controls": controls})


def _count(driver: Driver, generation: int) -> int:
    return int(driver.execute_query("MATCH (n {tenant: 't1', generation: $generation}) RETURN count(n) AS n",
                                    {"generation": generation}).records[0]["n"])


def test_a_previous_generation_goes_in_transactions_the_server_allows(driver: Driver,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(neo4j_queries, "REMOVE_BATCH", 500)
    _generation(driver, 1, CONTROLS, EVIDENCE)
    _generation(driver, 2, 1, 3)  # the published one, kept
    assert (_count(driver, 1), _count(driver, 2)) == (CONTROLS + EVIDENCE, 4)
    with driver.session() as session:
        neo4j_generations.remove_old(session, "t1", below=3, keep=2)
    assert (_count(driver, 1), _count(driver, 2)) == (0, 4)
