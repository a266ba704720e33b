"""The test fixtures' seeded Neo4j store (tests/store_fixtures.py: seeded_neo4j) is what installing the seed gives:
the same nodes with the same labels and properties, the same relationships between the same nodes, and the same
answers through the store."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest
from neo4j import Driver
from store_fixtures import Graph, StoreFactory, graph_of

from regtrace.seed import install_seed, regulation_summary

pytestmark = pytest.mark.usefixtures("neo4j_uri")


def _text(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=repr)


def canonical(graph: Graph) -> tuple[Counter[str], Counter[str]]:
    """The graph without element ids: nodes by labels and properties, relationships by type, properties and the
    nodes at both ends."""
    nodes, links = graph
    node = {n["id"]: _text([sorted(n["labels"]), n["props"]]) for n in nodes}
    return (Counter(node.values()),
            Counter(_text([link["type"], link["props"], node[link["source"]], node[link["target"]]]) for link in links))


def test_a_seeded_neo4j_store_is_the_graph_install_seed_writes(open_store_of: StoreFactory,
                                                               neo4j_driver: Driver) -> None:
    installed = open_store_of("neo4j")
    install_seed(installed)
    expected = canonical(graph_of(neo4j_driver))
    summary = regulation_summary(installed)
    assert sum(expected[0].values()) > 100 and sum(expected[1].values()) > 100, "the seed is a regulation graph"
    for _ in range(2):  # the first may install the seed (the first seeded store of this process), the second copies
        copied = open_store_of("neo4j", seeded=True)
        assert canonical(graph_of(neo4j_driver)) == expected
        assert regulation_summary(copied) == summary
