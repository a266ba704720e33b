"""Every Cypher statement the LadybugDB store runs, in one place.

Labels, relationship types and property names come from the ontology-generated schema; every value is a
parameter. LadybugDB's dialect: typed DDL, `CAST(x AS STRING)`, and string concatenation with a null gives
a string (so null guards are explicit).
"""

from __future__ import annotations

from .cypher_reads import Dialect, node_columns
from .cypher_store import QuerySet
from .schema import NodeSchema, Property, RelSchema

_TYPES = {"string": "STRING", "date": "DATE", "boolean": "BOOLEAN", "integer": "INT64"}


def _type(p: Property) -> str:
    base = _TYPES[p.datatype]
    return f"{base}[]" if p.many else base


def create_node_table(node: NodeSchema) -> str:
    cols = ", ".join(f"{p.name} {_type(p)}" for p in node.properties)
    return f"CREATE NODE TABLE IF NOT EXISTS {node.label}({cols}, PRIMARY KEY(uid))"


def table_properties(label: str) -> str:
    return f"CALL table_info('{label}') RETURN name"  # a label from the ontology; CALL takes no parameters


def add_property(label: str, prop: Property) -> str:
    return f"ALTER TABLE {label} ADD {prop.name} {_type(prop)}"


def create_rel_table(rel: RelSchema) -> str:
    cols = "".join(f", {p.name} {_type(p)}" for p in rel.properties)
    return f"CREATE REL TABLE IF NOT EXISTS {rel.type}(FROM {rel.source} TO {rel.target}{cols})"


def _value(p: Property, var: str) -> str:
    """A parameter field cast to its column type: a batch whose values are all null has no type of its own."""
    return f"CAST({var}.{p.name} AS {_type(p)})"


def upsert_nodes(node: NodeSchema) -> str:
    sets = ", ".join(f"n.{p.name} = {_value(p, 'r')}" for p in node.properties if p.name != "uid")
    return f"UNWIND $rows AS r MERGE (n:{node.label} {{uid: r.uid}}) SET {sets}"


def create_nodes(node: NodeSchema) -> str:
    props = ", ".join(f"{p.name}: {_value(p, 'r')}" for p in node.properties)
    return f"UNWIND $rows AS r CREATE (n:{node.label} {{{props}}})"


def link(rel: RelSchema) -> str:
    sets = ", ".join(f"r.{p.name} = {_value(p, 'l')}" for p in rel.properties)
    sets = f" SET {sets}" if sets else ""
    return (
        f"UNWIND $links AS l MATCH (s:{rel.source} {{uid: l.source}}), (t:{rel.target} {{uid: l.target}}) "
        f"MERGE (s)-[r:{rel.type}]->(t){sets}"
    )


def unlink(rel: RelSchema) -> str:
    return (f"UNWIND $links AS l MATCH (s:{rel.source} {{uid: l.source}})-[r:{rel.type}]->"
            f"(t:{rel.target} {{uid: l.target}}) DELETE r")


def tenant_nodes(node: NodeSchema) -> str:
    """Every node of the tenant, every property (the diff of a reload reads them as Arrow, in no order)."""
    return f"MATCH (n:{node.label}) WHERE n.tenant = $tenant RETURN {node_columns(node)}"


# A reload that compares a whole label (graph/ladybug_diff.py) reads each stored node as its uid and a digest of
# its other properties, and has the engine take the same digest of each new row (LOAD FROM the Arrow table), within
# one transaction: the engine's 64-bit hash of the list of each property's hash. A list property adds the hash of its
# length, as the engine hashes an empty list like a missing one. (The engine's hash of a struct of the properties is
# blind to values swapped between its later fields; a list's hash is not.) Reading 1M evidence items so took
# 0.49–0.82 s and +243–251 MB of the engine's pages, against 3.64 s and +669 MB for every property's value.
ROW_NUMBER = "_row"


def _digest(node: NodeSchema, var: str) -> str:
    hashes = []
    for p in node.properties:
        if p.name != "uid":
            hashes.append(f"hash({var}`{p.name}`)")
            if p.many:
                hashes.append(f"hash(size({var}`{p.name}`))")
    return f"hash([{', '.join(hashes)}]) AS digest"


def tenant_node_digests(node: NodeSchema) -> str:
    """Every node of the tenant: its uid and its digest."""
    return f"MATCH (n:{node.label}) WHERE n.tenant = $tenant RETURN n.uid AS uid, {_digest(node, 'n.')}"


def row_digests(node: NodeSchema) -> str:
    """The digest of each row of the Arrow table $rows (the label's properties and ROW_NUMBER), by row number."""
    return f"LOAD FROM $rows RETURN `{ROW_NUMBER}` AS {ROW_NUMBER}, {_digest(node, '')}"


def tenant_uids(node: NodeSchema) -> str:
    return f"MATCH (n:{node.label}) WHERE n.tenant = $tenant RETURN n.uid AS uid"


def all_uids(node: NodeSchema) -> str:
    return f"MATCH (n:{node.label}) RETURN n.uid AS uid"


def tenant_links(rel: RelSchema) -> str:
    """Every relationship of the type from a node of the tenant, as source and target uids."""
    return (f"MATCH (s:{rel.source})-[r:{rel.type}]->(t:{rel.target}) WHERE s.tenant = $tenant "
            "RETURN s.uid AS source, t.uid AS target")


def tenant_links_between(rel: RelSchema) -> str:
    """tenant_links from the source nodes at offsets $low (included) to $high (excluded) of their table."""
    return (f"MATCH (s:{rel.source})-[r:{rel.type}]->(t:{rel.target}) WHERE s.tenant = $tenant "
            "AND offset(ID(s)) >= $low AND offset(ID(s)) < $high RETURN s.uid AS source, t.uid AS target")


def last_offset(label: str) -> str:
    """The largest offset of a node of the label in its table (`last`: null when it has none)."""
    return f"MATCH (n:{label}) RETURN max(offset(ID(n))) AS last"


# Reads, writes and deletes of single nodes and links by uid, run once per uid: a point lookup in the primary key's
# index. (A write by UNWIND scans the label: one evidence item linked to its control by UNWIND took 0.8 s among
# 1M.) Up to POINT_ROWS uids are written one by one. Many uids are read by `each_uid` (graph/ladybug_diff.py picks).
POINT_ROWS = 2_000


def each_uid(statement: str) -> str:
    """A point lookup's statement (its node given by {uid: $uid}) run for every uid in $uids. Measured at 1M evidence
    in a write transaction: nodes, each looked up in the index (20,000 in 0.55 s, against 2.5 s for as many point
    lookups; the engine's pages read alike); relationships, their whole type scanned (0.75–0.87 s and ~300 MB of
    the engine's pages, for 78 uids as for 20,000, against 0.03 s and 8 MB for 78 point lookups, 2.1 s and 93 MB for
    20,000). (WHERE n.uid IN $uids scans the label and the list: 4.2 s for 1,000.)"""
    assert statement.count("{uid: $uid}") == 1, statement
    return "UNWIND $uids AS u " + statement.replace("{uid: $uid}", "{uid: u}")


def node_with_uid(node: NodeSchema) -> str:
    """The node with the uid $uid, every property."""
    return f"MATCH (n:{node.label} {{uid: $uid}}) RETURN {node_columns(node)}"


def delete_loaded_nodes(node: NodeSchema) -> str:
    """The nodes with the uids in the `uid` column of the Arrow table $rows, and their relationships (a store's
    write goes to its private copy: no generation condition). Given as a column, not a list: at 1M evidence,
    62,500 nodes deleted 2.4 s and +158 MB of the engine's, against 2.7 s and +191 MB from a list of strings."""
    return f"LOAD FROM $rows MATCH (n:{node.label} {{uid: uid}}) DETACH DELETE n"


def delete_node(node: NodeSchema) -> str:
    """The node with the uid $uid and its relationships (a store's write goes to its private copy: no
    generation condition)."""
    return f"MATCH (n:{node.label} {{uid: $uid}}) DETACH DELETE n"


def upsert_node(node: NodeSchema) -> str:
    """The node with the uid $uid made or updated, each other property from the parameter `v_<name>`."""
    sets = ", ".join(f"n.{p.name} = CAST($v_{p.name} AS {_type(p)})" for p in node.properties if p.name != "uid")
    return f"MERGE (n:{node.label} {{uid: $uid}}) SET {sets}"


def link_one(rel: RelSchema) -> str:
    """The relationship of the type from the node $source to the node $target made (or its properties set,
    each from the parameter `v_<name>`)."""
    sets = ", ".join(f"r.{p.name} = CAST($v_{p.name} AS {_type(p)})" for p in rel.properties)
    sets = f" SET {sets}" if sets else ""
    return (f"MATCH (s:{rel.source} {{uid: $source}}), (t:{rel.target} {{uid: $target}}) "
            f"MERGE (s)-[r:{rel.type}]->(t){sets}")


def unlink_one(rel: RelSchema) -> str:
    """The relationship of the type from the node $source to the node $target."""
    return (f"MATCH (s:{rel.source} {{uid: $source}})-[r:{rel.type}]->(t:{rel.target} {{uid: $target}}) "
            "DELETE r")


def links_from(rel: RelSchema) -> str:
    """The relationships of the type from the node with the uid $uid, as source and target uids."""
    return (f"MATCH (s:{rel.source} {{uid: $uid}})-[r:{rel.type}]->(t:{rel.target}) "
            "RETURN s.uid AS source, t.uid AS target")


def links_to(rel: RelSchema) -> str:
    """The relationships of the type to the node with the uid $uid, as source and target uids."""
    return (f"MATCH (s:{rel.source})-[r:{rel.type}]->(t:{rel.target} {{uid: $uid}}) "
            "RETURN s.uid AS source, t.uid AS target")


# The control of an evidence item (its evidence summary group's, trace/evidence_groups.py), and the items of given
# controls (looked up from the controls' side: 14 ms for 5 controls' items among 200k evidence items); the
# control and the arrangement apart (one OPTIONAL MATCH costs this engine more than two reads).
EVIDENCE_CONTROL = ("MATCH (e:Evidence {uid: $uid})-[:EVIDENCES]->(c:Control) "
                    "RETURN e.uid AS uid, c.control_id AS control_id")
CONTROLS_EVIDENCE = ("MATCH (e:Evidence)-[:EVIDENCES]->(c:Control) WHERE c.uid IN $controls "
                     "RETURN e.uid AS uid, c.control_id AS control_id, e.collected_on AS collected_on, "
                     "e.evidence_id AS evidence_id, e.valid_until AS valid_until")
CONTROLS_EVIDENCE_ARRANGEMENTS = (
    "MATCH (a:OutsourcingArrangement)<-[:CONCERNS]-(e:Evidence)-[:EVIDENCES]->(c:Control) WHERE c.uid IN $controls "
    "RETURN e.uid AS uid, a.arrangement_id AS arrangement_id")


TENANTS = "MATCH (a:OutsourcingArrangement) RETURN DISTINCT a.tenant AS tenant ORDER BY tenant"
TENANTS_WITH_CSPS = "MATCH (c:CloudServiceProvider) RETURN DISTINCT c.tenant AS tenant ORDER BY tenant"

# Per control and arrangement, in two statements: evidence that names an arrangement, and evidence that does
# not. One OPTIONAL MATCH to the arrangement costs this engine several times the two (about 6 s against 2 s
# on 1M evidence items). CypherStore.evidence_summary orders the rows of both.
_EVIDENCE_AGGREGATES = """count(e) AS count, max(stamp) AS latest,
       max(CASE WHEN e.valid_until IS NULL OR e.valid_until >= $as_of THEN stamp ELSE NULL END) AS latest_unexpired"""
_STAMP = "CAST(e.collected_on AS STRING) + '|' + e.evidence_id AS stamp"
EVIDENCE_SUMMARY = (
    f"""
MATCH (e:Evidence)-[:EVIDENCES]->(c:Control), (e)-[:CONCERNS]->(a:OutsourcingArrangement)
WHERE e.tenant = $tenant AND e.collected_on <= $as_of
WITH c.control_id AS control_id, a.arrangement_id AS arrangement_id, e, {_STAMP}
RETURN control_id, arrangement_id, {_EVIDENCE_AGGREGATES}
""",
    f"""
MATCH (e:Evidence)-[:EVIDENCES]->(c:Control)
WHERE e.tenant = $tenant AND e.collected_on <= $as_of
  AND NOT EXISTS {{ MATCH (e)-[:CONCERNS]->(:OutsourcingArrangement) }}
WITH c.control_id AS control_id, e, {_STAMP}
RETURN control_id, CAST(NULL AS STRING) AS arrangement_id, {_EVIDENCE_AGGREGATES}
""",
)

# The API's reads are the same Cypher on every store (graph/cypher_reads.py) but for this: LadybugDB takes one
# MATCH with comma-separated patterns inside EXISTS; and ORDER BY … SKIP s LIMIT l crashes LadybugDB 0.22
# (a segmentation fault) when s is large, e.g. s=14660 over a few rows, while ORDER BY … LIMIT s+l is safe,
# so its pages are cut in Python (graph/cypher_store.py; tests/test_store_pages.py).
QUERIES = QuerySet.of(Dialect(exists_joiner=", ", skip_with_limit=False), evidence_summary=EVIDENCE_SUMMARY,
                      tenants=(TENANTS, TENANTS_WITH_CSPS))
