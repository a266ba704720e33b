"""Every Cypher statement the Neo4j store runs, in one place (the reads both stores share are in
graph/cypher_reads.py, written in this store's dialect).

Labels, relationship types and property names come from the ontology-generated schema (and filters are
checked against it by graph/filters.py); every value is a parameter. Neo4j's dialect, where it differs from
LadybugDB's (graph/ladybug_queries.py):

* schema-free nodes: no tables; uniqueness constraints and range indexes instead (`schema_items`);
* `toString(x)` instead of `CAST(x AS STRING)`, and no casts on write: the store converts values at the
  boundary (dates to and from `neo4j.time.Date`);
* `null + 'x'` is null (LadybugDB gives 'x'): concatenations guard with `coalesce`;
* setting a property to null removes it; reading a missing property gives null, as LadybugDB's null column;
* `collect()` order is unspecified: collected lists are sorted before collection;
* a relationship is never matched twice within one MATCH (LadybugDB allows it): each hop of a path is its own
  MATCH, so out-and-back paths reach the start node again, as on LadybugDB;
* ties in a multi-source `related` page are broken by the source uid.

Generations. Every node of a tenant's registers carries a `generation` (an integer). One small node per
tenant, (:RegtraceGeneration {tenant, current, next, version, revoked_below}), names the published one;
every read keeps only nodes of the published generation (Dialect.tenant_condition / published_condition).
A load writes the next generation beside the published one in bounded batches, then publishes it in one
small transaction and removes the old one afterwards (graph/neo4j_generations.py). `uid` is therefore unique
per generation: the constraint is on (uid, generation) for tenant-scoped labels.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .cypher_reads import GENERATION_LABEL, Dialect
from .cypher_store import QuerySet
from .schema import NodeSchema, Property, RelSchema, Schema, store_schema

# ---------------------------------------------------------------- schema: constraints and indexes


VERSION_LABEL = "RegtraceVersion"  # one node whose `value` every write increments (Neo4jStore.generation)
GENERATION = "generation"


@dataclass(frozen=True)
class SchemaItem:
    """One constraint or index that ensure_schema creates."""

    kind: str  # "unique" | "index"
    label: str
    props: tuple[str, ...]

    @property
    def name(self) -> str:
        return f"regtrace_{self.label}_{'_'.join(self.props)}_{'unique' if self.kind == 'unique' else 'index'}"

    @property
    def statement(self) -> str:
        on = ", ".join(f"n.{p}" for p in self.props)
        if self.kind == "unique":
            on = on if len(self.props) == 1 else f"({on})"
            return f"CREATE CONSTRAINT {self.name} IF NOT EXISTS FOR (n:{self.label}) REQUIRE {on} IS UNIQUE"
        return f"CREATE INDEX {self.name} IF NOT EXISTS FOR (n:{self.label}) ON ({on})"


def schema_items(schema: Schema | None = None) -> list[SchemaItem]:
    """A uniqueness constraint on every label's uid (with the generation for a tenant's registers); a range
    index on the tenant (with the generation); on each date property of the labels outside the tenants'
    registers (a register's rows are only ever read by tenant and generation, so an index on their dates would
    be written with every row and never read); the generation pointers' keys."""
    items: list[SchemaItem] = []
    for node in (schema or store_schema()).nodes.values():
        if node.tenant_scoped:
            items += [SchemaItem("unique", node.label, ("uid", GENERATION)),
                      SchemaItem("index", node.label, ("tenant", GENERATION))]
        else:
            items.append(SchemaItem("unique", node.label, ("uid",)))
            items += [SchemaItem("index", node.label, ("tenant",)) for p in node.properties if p.name == "tenant"]
        items += [SchemaItem("index", node.label, (p.name,)) for p in node.properties
                  if p.datatype == "date" and not p.many and not node.tenant_scoped]
    items += [SchemaItem("unique", GENERATION_LABEL, ("tenant",)), SchemaItem("unique", VERSION_LABEL, ("name",))]
    return items


def pre_generation_items() -> list[str]:
    """The names of what stores made before generations had on a tenant's registers (dropped when adopted)."""
    return [name for node in store_schema().nodes.values() if node.tenant_scoped
            for name in (f"regtrace_{node.label}_uid_unique", f"regtrace_{node.label}_tenant_index")]


def schema_markdown() -> str:
    """The constraints and indexes as a Markdown table, one row per label (README "Neo4j" shows exactly this)."""
    lines = ["| label | unique constraint | range indexes |", "| --- | --- | --- |"]
    labels = [*store_schema().nodes, GENERATION_LABEL, VERSION_LABEL]
    for label in labels:
        items = [i for i in schema_items() if i.label == label]
        unique = ", ".join(f"({', '.join(i.props)})" if len(i.props) > 1 else i.props[0]
                           for i in items if i.kind == "unique")
        indexes = ", ".join(f"({', '.join(i.props)})" if len(i.props) > 1 else i.props[0]
                            for i in items if i.kind == "index") or "—"
        lines.append(f"| {label} | {unique} | {indexes} |")
    return "\n".join(lines)



SHOW_REGTRACE_ITEMS = (
    "SHOW CONSTRAINTS YIELD name WHERE name STARTS WITH 'regtrace_' RETURN name",
    "SHOW INDEXES YIELD name, owningConstraint WHERE name STARTS WITH 'regtrace_' AND owningConstraint IS NULL "
    "RETURN name",
)

# ---------------------------------------------------------------- writes
# A tenant's register nodes are written into generation $generation: the one being staged by a load, or the
# published one (looked up by the writer) for a change made in place. A relationship's tenant-scoped ends are
# matched in that generation too.


def _match(var: str, label: str, uid: str, staged: bool) -> str:
    """A node by uid; of the staged generation ($generation) or of its tenant's published one."""
    if not store_schema().nodes[label].tenant_scoped:
        return f"MATCH ({var}:{label} {{uid: {uid}}})"
    if staged:
        return f"MATCH ({var}:{label} {{uid: {uid}, {GENERATION}: $generation}})"
    return (f"MATCH ({var}:{label} {{uid: {uid}}}) "
            f"MATCH (:{GENERATION_LABEL} {{tenant: {var}.tenant, current: {var}.{GENERATION}}})")


def _generation(node: NodeSchema) -> str:
    return f", {GENERATION}: $generation" if node.tenant_scoped else ""


def _props(names: tuple[str, ...], var: str) -> str:
    return ", ".join(f"{name}: {var}.{name}" for name in names)


def upsert_nodes(node: NodeSchema) -> str:
    sets = ", ".join(f"n.{name} = r.{name}" for name in node.names if name != "uid")
    return f"UNWIND $rows AS r MERGE (n:{node.label} {{uid: r.uid{_generation(node)}}}) SET {sets}"


def create_nodes(node: NodeSchema) -> str:
    return f"UNWIND $rows AS r CREATE (n:{node.label} {{{_props(node.names, 'r')}{_generation(node)}}})"


def _link(rel: RelSchema, verb: str, staged: bool) -> str:
    sets = ", ".join(f"r.{p.name} = l.{p.name}" for p in rel.properties)
    sets = f" SET {sets}" if sets else ""
    return (f"UNWIND $links AS l {_match('s', rel.source, 'l.source', staged)} "
            f"{_match('t', rel.target, 'l.target', staged)} {verb} (s)-[r:{rel.type}]->(t){sets}")


def link(rel: RelSchema, staged: bool) -> str:
    """Relationships between existing nodes, once each."""
    return _link(rel, "MERGE", staged)


def create_links(rel: RelSchema, staged: bool) -> str:
    """Relationships known not to exist yet (no MERGE check)."""
    return _link(rel, "CREATE", staged)


def _from_text(prop: Property, value: str) -> str:
    """A positional value as stored: a date travels as ISO text (the driver packs a date object per value in
    Python, several times slower) and becomes a date in the server."""
    if prop.datatype != "date":
        return value
    return f"[d IN {value} | date(d)]" if prop.many else f"date({value})"


def create_node_rows(node: NodeSchema) -> str:
    """Fresh nodes from positional rows (lists in the order of the label's properties, dates as ISO text): a
    bulk write sends no property names per row."""
    props = ", ".join(f"{p.name}: {_from_text(p, f'r[{i}]')}" for i, p in enumerate(node.properties))
    return f"UNWIND $rows AS r CREATE (n:{node.label} {{{props}{_generation(node)}}})"


def create_node_groups(node: NodeSchema, links: Sequence[RelSchema]) -> str:
    """Fresh nodes of a staged generation with their `links` (relationships a node has at most one of), grouped
    by their targets: each group is the target uid of each link (null: none), then the group's rows, each the
    node's properties in order and then each link's properties (dates as ISO text). A target is looked up once
    per group, not once per node (1M evidence items have ~9,000 (control, arrangement) pairs)."""
    props = ", ".join(f"{p.name}: {_from_text(p, f'r[{i}]')}" for i, p in enumerate(node.properties))
    parts = ["UNWIND $groups AS g"]
    parts += [f"OPTIONAL {_match(f't{j}', rel.target, f'g[{j}]', True)}" for j, rel in enumerate(links)]
    parts.append(f"UNWIND g[{len(links)}] AS r CREATE (n:{node.label} {{{props}{_generation(node)}}})")
    at = len(node.properties)
    for j, rel in enumerate(links):
        rel_props = ", ".join(f"{p.name}: {_from_text(p, f'r[{at + i}]')}" for i, p in enumerate(rel.properties))
        rel_props = f" {{{rel_props}}}" if rel_props else ""
        parts.append(f"FOREACH (x IN CASE WHEN t{j} IS NULL THEN [] ELSE [t{j}] END | "
                     f"CREATE (n)-[:{rel.type}{rel_props}]->(x))")
        at += len(rel.properties)
    return " ".join(parts)


def create_link_rows(rel: RelSchema, staged: bool) -> str:
    """Fresh relationships from positional rows: source uid, target uid, then the properties in order (dates as
    ISO text)."""
    sets = ", ".join(f"r.{p.name} = {_from_text(p, f'l[{i}]')}" for i, p in enumerate(rel.properties, start=2))
    sets = f" SET {sets}" if sets else ""
    return (f"UNWIND $links AS l {_match('s', rel.source, 'l[0]', staged)} "
            f"{_match('t', rel.target, 'l[1]', staged)} CREATE (s)-[r:{rel.type}]->(t){sets}")


def delete_staged(node: NodeSchema) -> str:
    """Nodes of the staged generation by uid (the published ones are deleted by cypher_reads.delete_nodes)."""
    return f"UNWIND $uids AS u {_match('n', node.label, 'u', True)} DETACH DELETE n"


def tenants_of(node: NodeSchema) -> str:
    """The tenants of the published nodes with these uids."""
    return f"UNWIND $uids AS u {_match('n', node.label, 'u', False)} RETURN DISTINCT n.tenant AS tenant"


# ---------------------------------------------------------------- a reload written in place (graph/neo4j_patch.py)
# Reads and writes inside the reload's one transaction, of $tenant's published generation ($generation).


# A reload in place reads the stored side of a file's changed chunks (tens of thousands of rows) as one record of
# lists, its dates as ISO text: a record per row cost the client most of the time (38,365 evidence rows at 1M: 3.4 s
# as records, their two kinds of links 3.1 s; CONTROLS_EVIDENCE below has the measurements).
def links_from(rel: RelSchema) -> str:
    """The links of a type from the nodes of $uids in $generation: one record, `sources` and `targets` (uids, the
    i-th of each one link)."""
    return (f"UNWIND $uids AS u MATCH (s:{rel.source} {{uid: u, {GENERATION}: $generation}})"
            f"-[:{rel.type}]->(t:{rel.target}) RETURN collect(s.uid) AS sources, collect(t.uid) AS targets")


def nodes_as_lists(node: NodeSchema) -> str:
    """The nodes of $uids in $tenant's $generation: one record, `rows`, each node's properties as a list in the
    schema's order, dates as ISO text."""
    values = ", ".join(_text_dates(p, f"n.{p.name}") for p in node.properties)
    return (f"UNWIND $uids AS u MATCH (n:{node.label} {{uid: u, {GENERATION}: $generation}}) "
            f"WHERE n.tenant = $tenant RETURN collect([{values}]) AS rows")


def _text_dates(p: Property, value: str) -> str:
    if p.datatype != "date":
        return value
    return f"[d IN {value} | toString(d)]" if p.many else f"toString({value})"


def unlink(rel: RelSchema) -> str:
    """The links ($links: source and target uids) of a type from nodes of $generation, deleted."""
    return (f"UNWIND $links AS l MATCH (s:{rel.source} {{uid: l.source, {GENERATION}: $generation}})"
            f"-[r:{rel.type}]->(t:{rel.target} {{uid: l.target}}) DELETE r")


# The controls the evidence items of $uids name, and every evidence item of the controls in $controls with what its
# summary group is computed from (trace/evidence_groups.py): in $tenant's published generation.
EVIDENCE_CONTROLS = (f"UNWIND $uids AS u MATCH (e:Evidence {{uid: u, {GENERATION}: $generation}})"
                     "-[:EVIDENCES]->(c:Control) RETURN DISTINCT c.control_id AS control_id")
# The evidence of some controls, one record per (control, arrangement) with its items as [collected_on, evidence_id,
# valid_until], the dates as ISO text: at 1M, 183,286 items as records took the client 11-12 s to decode (the server
# 0.3-0.5 s), as lists per group 1.8-2.0 s (3.2-3.6 s with the dates as the driver's date objects).
CONTROLS_EVIDENCE = (f"MATCH (c:Control) WHERE c.tenant = $tenant AND c.{GENERATION} = $generation "
                     "AND c.control_id IN $controls MATCH (e:Evidence)-[:EVIDENCES]->(c) "
                     "OPTIONAL MATCH (e)-[:CONCERNS]->(a:OutsourcingArrangement) "
                     "RETURN c.control_id AS control_id, a.arrangement_id AS arrangement_id, "
                     "collect([toString(e.collected_on), e.evidence_id, toString(e.valid_until)]) AS items")

# Taken first by a reload written in place: the tenant's pointer is locked until it commits (another load or change
# in place waits), and a load staging a generation meanwhile can no longer publish.
HOLD_TENANT = (f"MATCH (g:{GENERATION_LABEL} {{tenant: $tenant}}) SET g.version = g.version + 1 "
               "RETURN g.current AS current")


# ---------------------------------------------------------------- generations

# The published generation of a tenant, made (empty: generation 0) if the tenant has none yet.
ENSURE_GENERATION = f"""
MERGE (g:{GENERATION_LABEL} {{tenant: $tenant}})
ON CREATE SET g.current = 0, g.next = 1, g.version = 0, g.revoked_below = 0
RETURN g.current AS current
"""

CURRENT_GENERATION = f"MATCH (g:{GENERATION_LABEL} {{tenant: $tenant}}) RETURN g.current AS current"

# A change made in place: the tenants it touched have a new version (a load that began before it will not
# publish over it), and the store a new version token.
TOUCHED = f"UNWIND $tenants AS t MATCH (g:{GENERATION_LABEL} {{tenant: t}}) SET g.version = g.version + 1"
BUMP_VERSION = f"MERGE (v:{VERSION_LABEL} {{name: 'store'}}) ON CREATE SET v.value = 0 SET v.value = v.value + 1"
VERSION = f"MATCH (v:{VERSION_LABEL} {{name: 'store'}}) RETURN v.value AS value"

# A load claims the next generation number; every load of the tenant that claimed a lower one can no longer
# publish (the newest load wins), so their staged nodes may be removed.
CLAIM = f"""
MERGE (g:{GENERATION_LABEL} {{tenant: $tenant}})
ON CREATE SET g.current = 0, g.next = 1, g.version = 0, g.revoked_below = 0
WITH g, g.next AS claimed
SET g.next = claimed + 1, g.revoked_below = claimed
RETURN claimed, g.current AS current, g.version AS version
"""

# Publishing: only if no change was made in place since the claim and no later load claimed meanwhile.
PUBLISH = f"""
MATCH (g:{GENERATION_LABEL} {{tenant: $tenant}})
WHERE g.version = $version AND g.revoked_below = $generation
WITH g, g.current AS previous
SET g.current = $generation, g.version = g.version + 1
RETURN previous
"""

# Deleting a tenant in place: it moves to a new, empty generation (the old nodes go after the commit).
EMPTY_GENERATION = f"""
MATCH (g:{GENERATION_LABEL} {{tenant: $tenant}})
WITH g, g.next AS fresh
SET g.current = fresh, g.next = fresh + 1, g.version = g.version + 1
RETURN fresh
"""


REMOVE_BATCH = 10_000  # nodes deleted per transaction when a generation is removed


def remove_generations(node: NodeSchema) -> str:
    """Up to $batch nodes of $tenant whose generation is below $below but not $keep, deleted with their links,
    and how many (`removed`): the caller runs it, each time its own transaction, until fewer are removed. (One
    `CALL { … } IN TRANSACTIONS` over the whole match read every matched node into the outer transaction first,
    the planner's Eager between the read and the delete: a million evidence items exceeded the server's
    transaction memory, and the tenant could not be loaded again.)"""
    return (f"MATCH (n:{node.label}) WHERE n.tenant = $tenant AND n.{GENERATION} < $below "
            f"AND n.{GENERATION} <> $keep WITH n LIMIT $batch DETACH DELETE n RETURN count(*) AS removed")


# Stores made before generations: every register node becomes generation 0 of its tenant, published.
def legacy_pointers(node: NodeSchema) -> str:
    return (f"MATCH (n:{node.label}) WHERE n.{GENERATION} IS NULL AND n.tenant IS NOT NULL "
            f"WITH DISTINCT n.tenant AS tenant MERGE (g:{GENERATION_LABEL} {{tenant: tenant}}) "
            "ON CREATE SET g.current = 0, g.next = 1, g.version = 0, g.revoked_below = 0")


def adopt_legacy(node: NodeSchema) -> str:
    return (f"MATCH (n:{node.label}) WHERE n.{GENERATION} IS NULL "
            f"CALL {{ WITH n SET n.{GENERATION} = 0 }} IN TRANSACTIONS OF {REMOVE_BATCH} ROWS")


TENANTS = f"""
MATCH (g:{GENERATION_LABEL}) MATCH (a:OutsourcingArrangement {{tenant: g.tenant, {GENERATION}: g.current}})
RETURN DISTINCT g.tenant AS tenant
UNION
MATCH (g:{GENERATION_LABEL}) MATCH (c:CloudServiceProvider {{tenant: g.tenant, {GENERATION}: g.current}})
RETURN DISTINCT g.tenant AS tenant
"""

# ---------------------------------------------------------------- named trace aggregates

# Grouped by the control and arrangement nodes, their ids read once per group after the aggregation (not once
# per evidence item): about a fifth faster on 1M evidence items.
EVIDENCE_SUMMARY = ("""
MATCH (e:Evidence {tenant: $tenant, generation: $generation})-[:EVIDENCES]->(c:Control)
WHERE e.collected_on <= $as_of
OPTIONAL MATCH (e)-[:CONCERNS]->(a:OutsourcingArrangement)
WITH c, a, e, toString(e.collected_on) + '|' + coalesce(e.evidence_id, '') AS stamp
WITH c, a, count(e) AS count, max(stamp) AS latest,
     max(CASE WHEN e.valid_until IS NULL OR e.valid_until >= $as_of THEN stamp END) AS latest_unexpired
RETURN c.control_id AS control_id, a.arrangement_id AS arrangement_id, count, latest, latest_unexpired
ORDER BY control_id, arrangement_id
""",)

# The API's reads are the same Cypher on every store (graph/cypher_reads.py) but for this.
# One MATCH per hop: Neo4j never matches a relationship twice within one MATCH. Reads of many rows come back
# collected into one record (Dialect.rows; Neo4jStore unpacks them).
QUERIES = QuerySet.of(Dialect(exists_joiner=" MATCH ", generations=True, collected=True),
                      evidence_summary=EVIDENCE_SUMMARY,
                      tenants=(TENANTS,))
