"""The Neo4j constraints and indexes: generated from the ontology, created by ensure_schema, listed in README."""

from __future__ import annotations

import re
from pathlib import Path

from neo4j import Driver
from regtrace.graph.neo4j_queries import schema_items, schema_markdown
from regtrace.graph.neo4j_store import Neo4jStore
from regtrace.graph.port import Writer
from regtrace.graph.schema import store_schema

README = Path(__file__).resolve().parent.parent / "README.md"


def test_the_readme_lists_the_generated_constraints_and_indexes() -> None:
    found = re.search(r"<!-- neo4j-schema:start[^>]*-->\n(.*?)\n<!-- neo4j-schema:end -->", README.read_text(), re.S)
    assert found, "README.md has no neo4j-schema block"
    assert found.group(1) == schema_markdown(), (
        "README's Neo4j table is out of date; paste the output of: .venv/bin/python -c "
        "'from regtrace.graph.neo4j_queries import schema_markdown; print(schema_markdown())'")


def test_every_label_has_a_uid_constraint_and_dates_outside_the_registers_are_indexed() -> None:
    """A tenant's registers are unique per generation (a load stages the next one beside the published one) and
    found by (tenant, generation) only, so their dates are not indexed (each index is written with every row of a
    load); everything else by uid alone, its dates indexed."""
    items = {(i.kind, i.label, i.props) for i in schema_items()}
    for node in store_schema().nodes.values():
        scoped = node.tenant_scoped
        assert ("unique", node.label, ("uid", "generation") if scoped else ("uid",)) in items
        for p in node.properties:
            if p.datatype == "date" and not p.many:
                assert (("index", node.label, (p.name,)) in items) is not scoped
            if p.name == "tenant":
                assert ("index", node.label, ("tenant", "generation") if scoped else ("tenant",)) in items
    assert ("unique", "RegtraceGeneration", ("tenant",)) in items


def test_ensure_schema_creates_exactly_what_the_readme_lists(neo4j_uri: str, neo4j_clean: Driver) -> None:
    store = Neo4jStore(neo4j_clean, uri=neo4j_uri)  # an injected driver stays open after close()
    constraints = neo4j_clean.execute_query(
        "SHOW CONSTRAINTS YIELD name, type, labelsOrTypes, properties "
        "WHERE name STARTS WITH 'regtrace_' RETURN name, type, labelsOrTypes[0] AS label, properties").records
    indexes = neo4j_clean.execute_query(
        "SHOW INDEXES YIELD name, type, labelsOrTypes, properties, owningConstraint "
        "WHERE name STARTS WITH 'regtrace_' AND owningConstraint IS NULL "
        "RETURN name, type, labelsOrTypes[0] AS label, properties").records
    created = {(r["name"], "unique", r["label"], tuple(r["properties"])) for r in constraints
               if r["type"] == "UNIQUENESS"}
    created |= {(r["name"], "index", r["label"], tuple(r["properties"])) for r in indexes if r["type"] == "RANGE"}
    assert created == {(i.name, i.kind, i.label, i.props) for i in schema_items()}
    assert len(constraints) + len(indexes) == len(created)
    store.ensure_schema()  # idempotent
    store.close()
    neo4j_clean.verify_connectivity()


def test_an_index_an_earlier_version_made_and_this_one_does_not_is_dropped(neo4j_uri: str,
                                                                          neo4j_clean: Driver) -> None:
    """A store whose registers' dates were indexed (before 2026-12) loses those indexes when opened, so that no
    later load pays for them; what the ontology asks for stays."""
    neo4j_clean.execute_query("CREATE INDEX regtrace_Evidence_collected_on_index IF NOT EXISTS "
                              "FOR (n:Evidence) ON (n.collected_on)")
    store = Neo4jStore(neo4j_clean, uri=neo4j_uri)
    names = {r["name"] for r in neo4j_clean.execute_query("SHOW INDEXES YIELD name").records}
    assert "regtrace_Evidence_collected_on_index" not in names
    assert {i.name for i in schema_items()} <= names
    store.close()


def test_a_store_made_before_generations_is_adopted_once(neo4j_uri: str, neo4j_clean: Driver) -> None:
    """Registers written before generations (no `generation`, uid unique alone) become each tenant's published
    generation 0 when the store is opened: read as before, and replaceable by a load."""
    neo4j_clean.execute_query("CREATE CONSTRAINT regtrace_OutsourcingArrangement_uid_unique IF NOT EXISTS "
                              "FOR (n:OutsourcingArrangement) REQUIRE n.uid IS UNIQUE")
    neo4j_clean.execute_query("CREATE (:OutsourcingArrangement {uid: 't1/A', arrangement_id: 'A', tenant: 't1'}), "
                              "(:CloudServiceProvider {uid: 't1/C', csp_id: 'C', tenant: 't1'})")
    store = Neo4jStore(neo4j_clean, uri=neo4j_uri)
    assert store.tenants() == ["t1"]
    assert [r["uid"] for r in store.nodes("OutsourcingArrangement", "t1")] == ["t1/A"]
    names = {r["name"] for r in neo4j_clean.execute_query("SHOW CONSTRAINTS YIELD name").records}
    assert "regtrace_OutsourcingArrangement_uid_unique" not in names
    assert "regtrace_OutsourcingArrangement_uid_generation_unique" in names
    fresh = {n: None for n in store_schema().nodes["OutsourcingArrangement"].names}

    def reload(w: Writer) -> None:
        w.delete_tenant("t1")
        w.create_nodes("OutsourcingArrangement", [{**fresh, "uid": "t1/A", "arrangement_id": "A", "name": "again",
                                                   "tenant": "t1"}])

    store.replace_tenant("t1", reload)
    assert [r["name"] for r in store.nodes("OutsourcingArrangement", "t1")] == ["again"]
    assert store.tenants() == ["t1"]
    left = neo4j_clean.execute_query("MATCH (n) WHERE n.tenant = 't1' AND n.generation IS NOT NULL "
                                     "RETURN count(n) AS n").records[0]["n"]
    assert left == 1, "the old generation (the arrangement and the provider) is removed after the load"
    store.close()
