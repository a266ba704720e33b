"""Every Cypher statement the Neo4j store runs, in one place.

Labels, relationship types and property names come from the ontology-generated schema (and filters are
checked against it by graph/filters.py); every value is a parameter. Neo4j's dialect, where it differs from
LadybugDB's (graph/ladybug_queries.py):

* schema-free nodes: no tables; uniqueness constraints on `uid` and range indexes instead (`schema_statements`);
* `toString(x)` instead of `CAST(x AS STRING)`, and no casts on write: the store converts values at the
  boundary (dates to and from `neo4j.time.Date`);
* `null + 'x'` is null (LadybugDB gives 'x'): concatenations guard with `coalesce`;
* setting a property to null removes it; reading a missing property gives null, as LadybugDB's null column;
* `collect()` order is unspecified: collected lists are sorted before collection;
* a relationship is never matched twice within one MATCH (LadybugDB allows it): each hop of a path is its own
  MATCH, so out-and-back paths reach the start node again, as on LadybugDB;
* ties in a multi-source `related` page are broken by the source uid.
"""

from __future__ import annotations

from dataclasses import dataclass

from .cypher_reads import Dialect
from .schema import NodeSchema, RelSchema, Schema, store_schema

# ---------------------------------------------------------------- schema: constraints and indexes


@dataclass(frozen=True)
class SchemaItem:
    """One constraint or index that ensure_schema creates."""

    kind: str  # "unique" | "index"
    label: str
    prop: str

    @property
    def name(self) -> str:
        return f"regtrace_{self.label}_{self.prop}_{'unique' if self.kind == 'unique' else 'index'}"

    @property
    def statement(self) -> str:
        if self.kind == "unique":
            return (f"CREATE CONSTRAINT {self.name} IF NOT EXISTS "
                    f"FOR (n:{self.label}) REQUIRE n.{self.prop} IS UNIQUE")
        return f"CREATE INDEX {self.name} IF NOT EXISTS FOR (n:{self.label}) ON (n.{self.prop})"


def schema_items(schema: Schema | None = None) -> list[SchemaItem]:
    """A uniqueness constraint on every label's uid; a range index on its tenant and on each date property."""
    items: list[SchemaItem] = []
    for node in (schema or store_schema()).nodes.values():
        items.append(SchemaItem("unique", node.label, "uid"))
        items += [SchemaItem("index", node.label, p.name) for p in node.properties
                  if p.name == "tenant" or (p.datatype == "date" and not p.many)]
    return items


def schema_markdown() -> str:
    """The constraints and indexes as a Markdown table, one row per label (README "Neo4j" shows exactly this)."""
    lines = ["| label | unique constraint | range indexes |", "| --- | --- | --- |"]
    for label in store_schema().nodes:
        items = [i for i in schema_items() if i.label == label]
        unique = ", ".join(i.prop for i in items if i.kind == "unique")
        indexes = ", ".join(i.prop for i in items if i.kind == "index") or "—"
        lines.append(f"| {label} | {unique} | {indexes} |")
    return "\n".join(lines)


SHOW_CONSTRAINTS = "SHOW CONSTRAINTS YIELD name RETURN name"
SHOW_INDEXES = "SHOW INDEXES YIELD name RETURN name"

# ---------------------------------------------------------------- writes


def _props(names: tuple[str, ...], var: str) -> str:
    return ", ".join(f"{name}: {var}.{name}" for name in names)


def upsert_nodes(node: NodeSchema) -> str:
    sets = ", ".join(f"n.{name} = r.{name}" for name in node.names if name != "uid")
    return f"UNWIND $rows AS r MERGE (n:{node.label} {{uid: r.uid}}) SET {sets}"


def create_nodes(node: NodeSchema) -> str:
    return f"UNWIND $rows AS r CREATE (n:{node.label} {{{_props(node.names, 'r')}}})"


def _link(rel: RelSchema, verb: str) -> str:
    sets = ", ".join(f"r.{p.name} = l.{p.name}" for p in rel.properties)
    sets = f" SET {sets}" if sets else ""
    return (
        f"UNWIND $links AS l MATCH (s:{rel.source} {{uid: l.source}}) MATCH (t:{rel.target} {{uid: l.target}}) "
        f"{verb} (s)-[r:{rel.type}]->(t){sets}"
    )


def link(rel: RelSchema) -> str:
    """Relationships between existing nodes, once each."""
    return _link(rel, "MERGE")


def create_links(rel: RelSchema) -> str:
    """Relationships known not to exist yet (no MERGE check)."""
    return _link(rel, "CREATE")


def create_node_rows(node: NodeSchema) -> str:
    """Fresh nodes from positional rows (lists in the order of the label's properties): a bulk write sends no
    property names per row."""
    props = ", ".join(f"{name}: r[{i}]" for i, name in enumerate(node.names))
    return f"UNWIND $rows AS r CREATE (n:{node.label} {{{props}}})"


def create_link_rows(rel: RelSchema) -> str:
    """Fresh relationships from positional rows: source uid, target uid, then the properties in order."""
    sets = ", ".join(f"r.{p.name} = l[{i}]" for i, p in enumerate(rel.properties, start=2))
    sets = f" SET {sets}" if sets else ""
    return (
        f"UNWIND $links AS l MATCH (s:{rel.source} {{uid: l[0]}}) MATCH (t:{rel.target} {{uid: l[1]}}) "
        f"CREATE (s)-[r:{rel.type}]->(t){sets}"
    )


def delete_tenant(node: NodeSchema) -> str:
    return f"MATCH (n:{node.label} {{tenant: $tenant}}) DETACH DELETE n"


def delete_nodes(node: NodeSchema) -> str:
    return f"UNWIND $uids AS u MATCH (n:{node.label} {{uid: u}}) DETACH DELETE n"


TENANTS = """
MATCH (a:OutsourcingArrangement) WHERE a.tenant IS NOT NULL RETURN DISTINCT a.tenant AS tenant
UNION
MATCH (c:CloudServiceProvider) WHERE c.tenant IS NOT NULL RETURN DISTINCT c.tenant AS tenant
"""

# ---------------------------------------------------------------- named trace aggregates

CONTROL_LINKS = """
MATCH (c:Control {tenant: $tenant})-[:SATISFIES]->(o:Obligation)
OPTIONAL MATCH (c)-[:APPLIES_TO]->(a:OutsourcingArrangement)
WITH c, o, a ORDER BY a.arrangement_id
RETURN c.control_id AS control_id, o.obligation_id AS obligation_id, c.frequency_months AS frequency_months,
       c.applies_to_all AS applies_to_all, collect(a.arrangement_id) AS applies_to
ORDER BY control_id, obligation_id
"""

# Grouped by the control and arrangement nodes, their ids read once per group after the aggregation (not once
# per evidence item): about a fifth faster on 1M evidence items.
EVIDENCE_SUMMARY = ("""
MATCH (e:Evidence {tenant: $tenant})-[:EVIDENCES]->(c:Control)
WHERE e.collected_on <= $as_of
OPTIONAL MATCH (e)-[:CONCERNS]->(a:OutsourcingArrangement)
WITH c, a, e, toString(e.collected_on) + '|' + coalesce(e.evidence_id, '') AS stamp
WITH c, a, count(e) AS count, max(stamp) AS latest,
     max(CASE WHEN e.valid_until IS NULL OR e.valid_until >= $as_of THEN stamp END) AS latest_unexpired
RETURN c.control_id AS control_id, a.arrangement_id AS arrangement_id, count, latest, latest_unexpired
ORDER BY control_id, arrangement_id
""",)

CONTRACT_CLAUSES = """
MATCH (k:Contract {tenant: $tenant})-[:GOVERNS]->(a:OutsourcingArrangement)
WHERE k.signed_on <= $as_of AND (k.expires_on IS NULL OR k.expires_on >= $as_of)
MATCH (k)-[:COVERS_CLAUSE]->(o:Obligation)
RETURN a.arrangement_id AS arrangement_id, k.contract_id AS contract_id, o.obligation_id AS obligation_id
ORDER BY arrangement_id, contract_id, obligation_id
"""

AUDITS_BETWEEN = """
MATCH (u:Audit {tenant: $tenant})-[:AUDITS]->(a:OutsourcingArrangement)
WHERE u.performed_on >= $since AND u.performed_on <= $until
RETURN a.arrangement_id AS arrangement_id, u.audit_id AS audit_id, u.kind AS kind,
       u.performed_on AS performed_on, u.independent AS independent
ORDER BY arrangement_id, performed_on, audit_id
"""


# The API's reads are the same Cypher on every store (graph/cypher_reads.py) but for this.
# One MATCH per hop: Neo4j never matches a relationship twice within one MATCH.
DIALECT = Dialect(exists_joiner=" MATCH ")
