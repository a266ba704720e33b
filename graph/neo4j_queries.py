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

from .filters import And, Compare, Filter, Hop, NodeQuery, Not, Or, Related, RelatedQuery, SortKey
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


def delete_tenant(node: NodeSchema) -> str:
    return f"MATCH (n:{node.label} {{tenant: $tenant}}) DETACH DELETE n"


def delete_nodes(node: NodeSchema) -> str:
    return f"UNWIND $uids AS u MATCH (n:{node.label} {{uid: u}}) DETACH DELETE n"


# ---------------------------------------------------------------- whole-label reads


def all_nodes(node: NodeSchema, by_tenant: bool) -> str:
    where = " WHERE n.tenant = $tenant" if by_tenant else ""
    cols = ", ".join(f"n.{name} AS {name}" for name in node.names)
    return f"MATCH (n:{node.label}){where} RETURN {cols} ORDER BY n.uid"


def count_nodes(node: NodeSchema, by_tenant: bool) -> str:
    where = " WHERE n.tenant = $tenant" if by_tenant else ""
    return f"MATCH (n:{node.label}){where} RETURN count(n) AS count"


def all_links(rel: RelSchema, by_tenant: bool) -> str:
    where = " WHERE s.tenant = $tenant" if by_tenant else ""
    cols = "".join(f", r.{p.name} AS {p.name}" for p in rel.properties)
    return (
        f"MATCH (s:{rel.source})-[r:{rel.type}]->(t:{rel.target}){where} "
        f"RETURN s.uid AS source, t.uid AS target{cols} ORDER BY source, target"
    )


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

EVIDENCE_SUMMARY = """
MATCH (e:Evidence {tenant: $tenant})-[:EVIDENCES]->(c:Control)
WHERE e.collected_on <= $as_of
OPTIONAL MATCH (e)-[:CONCERNS]->(a:OutsourcingArrangement)
WITH c.control_id AS control_id, a.arrangement_id AS arrangement_id, e,
     toString(e.collected_on) + '|' + coalesce(e.evidence_id, '') AS stamp
RETURN control_id, arrangement_id, count(e) AS count, max(stamp) AS latest,
       max(CASE WHEN e.valid_until IS NULL OR e.valid_until >= $as_of THEN stamp END) AS latest_unexpired
ORDER BY control_id, arrangement_id
"""

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


# ---------------------------------------------------------------- API reads: filters, sorting, pages, hops
# NodeQuery / RelatedQuery (graph/filters.py) compiled to Neo4j Cypher. Names come from the schema (checked by
# filters.check before these run); every value, the tenant included, is a parameter of `Params`.

EDGE_PREFIX = "e__"
_COMPARE = {"eq": "=", "lt": "<", "lte": "<=", "gt": ">", "gte": ">=", "contains": "CONTAINS",
            "starts_with": "STARTS WITH", "ends_with": "ENDS WITH", "in": "IN"}


class Params:
    """Parameters of one statement, and fresh variable names for its patterns."""

    def __init__(self) -> None:
        self.values: dict[str, object] = {}
        self._vars = 0

    def add(self, value: object) -> str:
        name = f"p{len(self.values)}"
        self.values[name] = list(value) if isinstance(value, tuple) else value
        return f"${name}"

    def var(self) -> str:
        self._vars += 1
        return f"m{self._vars}"


def _compare(f: Compare, var: str, params: Params) -> str:
    target = f"{var}.{f.property}"
    if f.op == "is_null":
        return f"{target} IS NULL" if f.value else f"{target} IS NOT NULL"
    if f.op == "includes":
        return f"{params.add(f.value)} IN {target}"
    if f.op == "eq" and f.value is None:
        return f"{target} IS NULL"
    return f"{target} {_COMPARE[f.op]} {params.add(f.value)}"


def _tenant_condition(label: str, var: str, tenant: str | None, params: Params) -> list[str]:
    if store_schema().nodes[label].tenant_scoped:
        return [f"{var}.tenant = {params.add(tenant)}"]
    return []


def path_patterns(start: str, path: tuple[Hop, ...], tenant: str | None, params: Params,
                  edge_var: str | None = None) -> tuple[list[str], list[str], str]:
    """MATCH patterns and conditions that follow `path` from variable `start`, and the last node's variable.

    Each pattern goes in a MATCH of its own: Neo4j never reuses a relationship within one MATCH, LadybugDB does,
    so a path out and back along the same relationship type (control -> arrangement <- control) reaches the
    start node again on both only this way.

    A wildcard hop becomes `(far)` with `source.flag = true OR EXISTS {(near)-[:REL]-(far)}`; tenant-scoped
    nodes on the way must be of `tenant`. `edge_var` names the last relationship (for its properties)."""
    patterns: list[str] = []
    conditions: list[str] = []
    near = start
    for i, hop in enumerate(path):
        far = params.var()
        name = edge_var if edge_var and i == len(path) - 1 else ""
        arrow = f"-[{name}:{hop.rel_type}]->" if hop.direction == "out" else f"<-[{name}:{hop.rel_type}]-"
        if hop.wildcard is None:
            patterns.append(f"({near}){arrow}({far}:{hop.label})")
        else:
            source = near if hop.direction == "out" else far
            bare = f"-[:{hop.rel_type}]->" if hop.direction == "out" else f"<-[:{hop.rel_type}]-"
            patterns.append(f"({far}:{hop.label})")
            conditions.append(f"({source}.{hop.wildcard} = true OR EXISTS {{ MATCH ({near}){bare}({far}) }})")
        conditions += _tenant_condition(hop.label, far, tenant, params)
        near = far
    return patterns, conditions, near


def _related(f: Related, var: str, tenant: str | None, params: Params) -> str:
    patterns, conditions, last = path_patterns(var, f.path, tenant, params)
    inner = compile_filter(f.where, last, tenant, params) if f.where is not None else None
    if f.quantifier == "all":
        if inner is None:
            return "true"
        conditions.append(f"NOT ({inner})")
    elif inner is not None:
        conditions.append(inner)
    where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    exists = f"EXISTS {{ MATCH {' MATCH '.join(patterns)}{where} }}"
    return exists if f.quantifier == "some" else f"NOT {exists}"


def compile_filter(f: Filter, var: str, tenant: str | None, params: Params) -> str:
    """A boolean Cypher expression over variable `var`."""
    if isinstance(f, Compare):
        return _compare(f, var, params)
    if isinstance(f, And | Or):
        if not f.parts:
            return "true"
        joiner = " AND " if isinstance(f, And) else " OR "
        return "(" + joiner.join(compile_filter(p, var, tenant, params) for p in f.parts) + ")"
    if isinstance(f, Not):
        return f"NOT ({compile_filter(f.part, var, tenant, params)})"
    return _related(f, var, tenant, params)


def _order(var: str, sort: tuple[SortKey, ...], tie: str = "") -> str:
    keys = [f"({var}.{k.property} IS NULL), {var}.{k.property}{' DESC' if k.descending else ''}" for k in sort]
    return "ORDER BY " + ", ".join([*keys, f"{var}.uid", *([tie] if tie else [])])


def _columns(node: NodeSchema, var: str) -> str:
    return ", ".join(f"{var}.{name} AS {name}" for name in node.names)


def _where(label: str, var: str, tenant: str | None, where: Filter | None, params: Params) -> str:
    conditions = _tenant_condition(label, var, tenant, params)
    if where is not None:
        conditions.append(compile_filter(where, var, tenant, params))
    return f" WHERE {' AND '.join(conditions)}" if conditions else ""


def find_nodes(query: NodeQuery) -> tuple[str, dict[str, object]]:
    """One page of a NodeQuery."""
    params = Params()
    node = store_schema().nodes[query.label]
    where = _where(query.label, "n", query.tenant, query.where, params)
    page = f" SKIP {params.add(query.skip)}"
    if query.limit is not None:
        page += f" LIMIT {params.add(query.limit)}"
    statement = f"MATCH (n:{node.label}){where} RETURN {_columns(node, 'n')} {_order('n', query.sort)}{page}"
    return statement, params.values


def count_matching(label: str, tenant: str | None, where: Filter | None) -> tuple[str, dict[str, object]]:
    params = Params()
    clause = _where(label, "n", tenant, where, params)
    return f"MATCH (n:{label}){clause} RETURN count(n) AS count", params.values


def nodes_by_uid(label: str, uids: list[str], tenant: str | None) -> tuple[str, dict[str, object]]:
    params = Params()
    node = store_schema().nodes[label]
    uid_list = params.add(uids)
    where = _where(label, "n", tenant, None, params)
    statement = f"UNWIND {uid_list} AS u MATCH (n:{label} {{uid: u}}){where} RETURN {_columns(node, 'n')}"
    return statement, params.values


def related_nodes(query: RelatedQuery) -> tuple[str, dict[str, object]]:
    """For each source uid, the nodes at the end of the path (with `_from` and the last edge's properties)."""
    params = Params()
    uids = params.add(list(query.uids))
    last_hop = query.path[-1]
    edge_props = () if last_hop.wildcard else store_schema().relationship(last_hop.rel_type).properties
    patterns, conditions, last = path_patterns("s", query.path, query.tenant, params, "r" if edge_props else None)
    if query.where is not None:
        conditions.append(compile_filter(query.where, last, query.tenant, params))
    where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    node = store_schema().nodes[last_hop.label]
    edges = "".join(f", r.{p.name} AS {EDGE_PREFIX}{p.name}" for p in edge_props)
    statement = (
        f"UNWIND {uids} AS u MATCH (s:{query.source_label} {{uid: u}}) MATCH {' MATCH '.join(patterns)}{where} "
        f"RETURN u AS _from, {_columns(node, last)}{edges} {_order(last, query.sort, '_from')}"
    )
    return statement, params.values
