"""The API's reads (graph/filters.py's NodeQuery / RelatedQuery) compiled to Cypher both stores run.

Names come from the ontology-generated schema (checked by filters.check before these run); every value, the
tenant included, is a parameter of `Params`. Each hop of a path is a MATCH of its own: Neo4j never matches a
relationship twice within one MATCH while LadybugDB does, and separate MATCHes make an out-and-back path
(control -> arrangement <- control) reach its start node again on both. Ties in a multi-source `related`
page are broken by the source uid.
"""

from __future__ import annotations

from dataclasses import dataclass

from .filters import And, Compare, Filter, Hop, NodeQuery, Not, Or, Related, RelatedQuery, SortKey
from .schema import NodeSchema, RelSchema, store_schema

EDGE_PREFIX = "e__"
_COMPARE = {
    "eq": "=",
    "lt": "<",
    "lte": "<=",
    "gt": ">",
    "gte": ">=",
    "contains": "CONTAINS",
    "starts_with": "STARTS WITH",
    "ends_with": "ENDS WITH",
    "in": "IN",
}


ROWS, KEYS = "regtrace_rows", "regtrace_keys"  # the columns of a collected read (Dialect.rows)


def _names(items: str) -> list[str]:
    """The column names of a RETURN list (`expr AS name` or a bare name; commas inside brackets skipped)."""
    names, depth, start = [], 0, 0
    for i, char in enumerate(items + ","):
        depth += (char in "([{") - (char in ")]}")
        if char == "," and depth == 0:
            item = items[start:i].strip()
            names.append(item.rsplit(" AS ", 1)[-1].strip())
            start = i + 1
    return names


GENERATION_LABEL = "RegtraceGeneration"  # Neo4j: one node per tenant naming its published generation


@dataclass(frozen=True)
class Dialect:
    """Where the stores' Cypher differs for these reads (each store's query set has its dialect)."""

    exists_joiner: str  # joins a path's patterns inside EXISTS { MATCH … }: ", " or " MATCH "
    skip_with_limit: bool = True  # False: a page is LIMIT skip+limit and the store drops the first `skip` rows
    # True (Neo4j): a tenant's register nodes carry a `generation` and only the published one is read: a
    # statement naming $tenant also gets $generation (the store looks it up; graph/neo4j_store.py).
    generations: bool = False
    # True (Neo4j): a read of many rows returns them as one record holding a list (`rows`): the driver handles
    # each record in Python, a list in one piece (its Rust extension); the store unpacks it (ROWS, KEYS).
    collected: bool = False

    def rows(self, items: str, order: str | None) -> str:
        """`RETURN items ORDER BY order` (None: in no order), or, collected, the same rows as one record: the
        list of rows (each a list of the items' values, in order) and the items' names."""
        ordered = f" ORDER BY {order}" if order is not None else ""
        if not self.collected:
            return f"RETURN {items}{ordered}"
        names = _names(items)
        return (f"WITH {items}{ordered} RETURN collect([{', '.join(names)}]) AS {ROWS}, "
                f"[{', '.join(repr(n) for n in names)}] AS {KEYS}")

    def tenant_condition(self, var: str) -> str:
        """`var` is a node of $tenant's published registers."""
        if self.generations:
            return f"{var}.tenant = $tenant AND {var}.generation = $generation"
        return f"{var}.tenant = $tenant"

    def published_condition(self, var: str) -> str | None:
        """`var` (a tenant-scoped node of any tenant) belongs to its tenant's published registers; None: all do."""
        if self.generations:
            return f"EXISTS {{ MATCH (:{GENERATION_LABEL} {{tenant: {var}.tenant, current: {var}.generation}}) }}"
        return None


class Params:
    """Parameters of one statement, fresh variable names for its patterns, and the store's dialect."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self.values: dict[str, object] = {}
        self._vars = 0

    def tenant(self, value: str | None) -> str:
        """The condition that a node is of tenant `value` (one tenant per statement: the parameter $tenant)."""
        self.values["tenant"] = value
        return "$tenant"

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
        params.tenant(tenant)
        return [params.dialect.tenant_condition(var)]
    return []


def path_patterns(
    start: str, path: tuple[Hop, ...], tenant: str | None, params: Params, edge_var: str | None = None
) -> tuple[list[str], list[str], str]:
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
    exists = f"EXISTS {{ MATCH {params.dialect.exists_joiner.join(patterns)}{where} }}"
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


def node_columns(node: NodeSchema, var: str = "n") -> str:
    """Every property of the node `var`, returned under its own name."""
    return ", ".join(f"{var}.{name} AS {name}" for name in node.names)


def _where(label: str, var: str, tenant: str | None, where: Filter | None, params: Params) -> str:
    conditions = _tenant_condition(label, var, tenant, params)
    if where is not None:
        conditions.append(compile_filter(where, var, tenant, params))
    return f" WHERE {' AND '.join(conditions)}" if conditions else ""


def find_nodes(query: NodeQuery, dialect: Dialect) -> tuple[str, dict[str, object]]:
    """One page of a NodeQuery."""
    params = Params(dialect)
    node = store_schema().nodes[query.label]
    where = _where(query.label, "n", query.tenant, query.where, params)
    if query.limit is None:
        page = f" SKIP {params.add(query.skip)}"
    elif dialect.skip_with_limit:
        page = f" SKIP {params.add(query.skip)} LIMIT {params.add(query.limit)}"
    else:
        page = f" LIMIT {params.add(query.skip + query.limit)}"
    statement = f"MATCH (n:{node.label}){where} RETURN {node_columns(node, 'n')} {_order('n', query.sort)}{page}"
    return statement, params.values


def count_matching(
    label: str, tenant: str | None, where: Filter | None, dialect: Dialect
) -> tuple[str, dict[str, object]]:
    params = Params(dialect)
    clause = _where(label, "n", tenant, where, params)
    return f"MATCH (n:{label}){clause} RETURN count(n) AS count", params.values


def nodes_by_uid(label: str, uids: list[str], tenant: str | None, dialect: Dialect) -> tuple[str, dict[str, object]]:
    params = Params(dialect)
    node = store_schema().nodes[label]
    uid_list = params.add(uids)
    where = _where(label, "n", tenant, None, params)
    statement = f"UNWIND {uid_list} AS u MATCH (n:{label} {{uid: u}}){where} RETURN {node_columns(node, 'n')}"
    return statement, params.values


def related_nodes(query: RelatedQuery, dialect: Dialect) -> tuple[str, dict[str, object]]:
    """For each source uid, the nodes at the end of the path (with `_from` and the last edge's properties)."""
    params = Params(dialect)
    uids = params.add(list(query.uids))
    last_hop = query.path[-1]
    edge_props = () if last_hop.wildcard else store_schema().relationship(last_hop.rel_type).properties
    patterns, conditions, last = path_patterns("s", query.path, query.tenant, params, "r" if edge_props else None)
    conditions = [*_tenant_condition(query.source_label, "s", query.tenant, params), *conditions]
    if query.where is not None:
        conditions.append(compile_filter(query.where, last, query.tenant, params))
    where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    node = store_schema().nodes[last_hop.label]
    edges = "".join(f", r.{p.name} AS {EDGE_PREFIX}{p.name}" for p in edge_props)
    statement = (
        f"UNWIND {uids} AS u MATCH (s:{query.source_label} {{uid: u}}) MATCH {' MATCH '.join(patterns)}{where} "
        f"RETURN u AS _from, {node_columns(node, last)}{edges} {_order(last, query.sort, '_from')}"
    )
    return statement, params.values


# ---------------------------------------------------------------- whole-label reads


def _scope(node: NodeSchema, var: str, by_tenant: bool, dialect: Dialect) -> str:
    """WHERE clause keeping the nodes of $tenant (by_tenant) or, for tenant-scoped labels, the published ones."""
    if by_tenant:
        return f" WHERE {dialect.tenant_condition(var)}"
    published = dialect.published_condition(var) if node.tenant_scoped else None
    return f" WHERE {published}" if published else ""


def all_nodes(node: NodeSchema, by_tenant: bool, dialect: Dialect) -> str:
    return f"MATCH (n:{node.label}){_scope(node, 'n', by_tenant, dialect)} {dialect.rows(node_columns(node), 'uid')}"


def all_uids(node: NodeSchema, dialect: Dialect) -> str:
    """The uid alone of every node of a label (a tenant-scoped label's: of every tenant's published registers), in
    no order; a tenant's are read in pages (tenant_uids_page)."""
    return f"MATCH (n:{node.label}){_scope(node, 'n', False, dialect)} {dialect.rows('n.uid AS uid', None)}"


def tenant_nodes_page(node: NodeSchema, dialect: Dialect) -> str:
    """One page of $tenant's nodes of a label: those with a uid above $after and below $end, the first $page by
    uid (a seek of the uid's index, in order, on Neo4j)."""
    return (f"MATCH (n:{node.label}) WHERE n.uid > $after AND n.uid < $end AND {dialect.tenant_condition('n')} "
            f"WITH n ORDER BY n.uid LIMIT $page {dialect.rows(node_columns(node), 'uid')}")


def tenant_uids_page(node: NodeSchema, dialect: Dialect) -> str:
    """The uids alone of one page of $tenant's nodes of a label (as tenant_nodes_page)."""
    return (f"MATCH (n:{node.label}) WHERE n.uid > $after AND n.uid < $end AND {dialect.tenant_condition('n')} "
            f"WITH n ORDER BY n.uid LIMIT $page {dialect.rows('n.uid AS uid', 'uid')}")


def tenant_links_page(rel: RelSchema, dialect: Dialect) -> str:
    """The links of one page of $tenant's source nodes (as tenant_nodes_page) as source and target uids; a source
    with none gives one row whose target is null."""
    return (f"MATCH (s:{rel.source}) WHERE s.uid > $after AND s.uid < $end AND {dialect.tenant_condition('s')} "
            f"WITH s ORDER BY s.uid LIMIT $page OPTIONAL MATCH (s)-[:{rel.type}]->(t:{rel.target}) "
            f"{dialect.rows('s.uid AS source, t.uid AS target', 'source, target')}")


def groups_of_controls(node: NodeSchema, dialect: Dialect) -> str:
    """$tenant's evidence summary groups (EvidenceGroup, `node`) of the control ids in $controls."""
    return (f"MATCH (n:{node.label}) WHERE {dialect.tenant_condition('n')} AND n.control_id IN $controls "
            f"RETURN {node_columns(node)}")


def count_nodes(node: NodeSchema, by_tenant: bool, dialect: Dialect) -> str:
    return f"MATCH (n:{node.label}){_scope(node, 'n', by_tenant, dialect)} RETURN count(n) AS count"


def all_links(rel: RelSchema, by_tenant: bool, dialect: Dialect) -> str:
    cols = "".join(f", r.{p.name} AS {p.name}" for p in rel.properties)
    source = store_schema().nodes[rel.source]
    return (
        f"MATCH (s:{rel.source})-[r:{rel.type}]->(t:{rel.target}){_scope(source, 's', by_tenant, dialect)} "
        f"{dialect.rows(f's.uid AS source, t.uid AS target{cols}', 'source, target')}"
    )


# ---------------------------------------------------------------- deletes (both stores)


def delete_tenant(node: NodeSchema, dialect: Dialect) -> str:
    """Every node of $tenant's published registers of one label, with its relationships."""
    return f"MATCH (n:{node.label}) WHERE {dialect.tenant_condition('n')} DETACH DELETE n"


def delete_nodes(node: NodeSchema, dialect: Dialect) -> str:
    """The nodes with the uids in $uids (of their tenant's published registers), with their relationships."""
    published = dialect.published_condition("n") if node.tenant_scoped else None
    where = f" WHERE {published}" if published else ""
    return f"UNWIND $uids AS u MATCH (n:{node.label} {{uid: u}}){where} DETACH DELETE n"


# ---------------------------------------------------------------- what the trace reads (both stores)
# Small registers, read per tenant with their links resolved to ids. Collected lists come back in no promised
# order (Neo4j's collect() is unordered): CypherStore sorts them. The first node of each is the tenant's; the
# nodes reached from it are of the same registers.


def control_links(d: Dialect) -> str:
    """One row per control (not per control and obligation: its arrangements are then collected once, not again
    for each obligation it satisfies): the obligations it satisfies collected (controls satisfying none left
    out); CypherStore.control_links gives a row per pair."""
    items = ("c.control_id AS control_id, c.frequency_months AS frequency_months, c.applies_to_all AS "
             "applies_to_all, c.satisfies_targets AS satisfies_targets, applies_to, obligations")
    return f"""
MATCH (c:Control) WHERE {d.tenant_condition('c')}
OPTIONAL MATCH (c)-[:APPLIES_TO]->(a:OutsourcingArrangement)
WITH c, collect(a.arrangement_id) AS applies_to
MATCH (c)-[:SATISFIES]->(o:Obligation)
WITH c, applies_to, collect(o.obligation_id) AS obligations
{d.rows(items, "control_id")}
"""


def evidence_groups(d: Dialect) -> str:
    """What the trace reads of the evidence groups (trace/evidence_groups.summaries_on), in no order."""
    items = ("g.control_id AS control_id, g.arrangement_id AS arrangement_id, g.evidence_count AS evidence_count, "
             "g.frontier AS frontier, g.frontier_until AS frontier_until")
    return f"MATCH (g:EvidenceGroup) WHERE {d.tenant_condition('g')} {d.rows(items, None)}"


def contract_clauses(d: Dialect) -> str:
    items = "a.arrangement_id AS arrangement_id, k.contract_id AS contract_id, o.obligation_id AS obligation_id"
    return f"""
MATCH (k:Contract)-[:GOVERNS]->(a:OutsourcingArrangement)
WHERE {d.tenant_condition('k')} AND k.signed_on <= $as_of AND (k.expires_on IS NULL OR k.expires_on >= $as_of)
MATCH (k)-[:COVERS_CLAUSE]->(o:Obligation)
{d.rows(items, "arrangement_id, contract_id, obligation_id")}
"""


def audits_between(d: Dialect) -> str:
    items = ("a.arrangement_id AS arrangement_id, u.audit_id AS audit_id, u.kind AS kind, u.performed_on AS "
             "performed_on, u.independent AS independent")
    return f"""
MATCH (u:Audit)-[:AUDITS]->(a:OutsourcingArrangement)
WHERE {d.tenant_condition('u')} AND u.performed_on >= $since AND u.performed_on <= $until
{d.rows(items, "arrangement_id, performed_on, audit_id")}
"""


def company(d: Dialect) -> str:
    items = ("c.legal_name AS legal_name, c.legal_name_en AS legal_name_en, c.foreign_branch AS foreign_branch, "
             "c.multi_cloud AS multi_cloud")
    return f"""
MATCH (c:Company) WHERE {d.tenant_condition('c')}
{d.rows(items, "legal_name")}
"""


def systems_describing_materiality(d: Dialect) -> str:
    items = ("a.arrangement_id AS arrangement_id, s.system_id AS system_id, s.material AS material, "
             "s.natural_person_data AS natural_person_data, s.data_locations AS data_locations")
    return f"""
MATCH (s:System)-[:RUNS_UNDER]->(a:OutsourcingArrangement) WHERE {d.tenant_condition('s')}
AND (s.material IS NOT NULL OR s.natural_person_data IS NOT NULL OR s.data_locations IS NOT NULL)
{d.rows(items, "arrangement_id, system_id")}
"""


def findings(d: Dialect) -> str:
    items = ("f.finding_id AS finding_id, f.title AS title, u.audit_id AS audit_id, u.performed_on AS "
             "performed_on, a.arrangement_id AS arrangement_id, f.severity AS severity, f.status AS status, "
             "f.due_on AS due_on, f.closed_on AS closed_on, obligations")
    return f"""
MATCH (f:Finding)-[:RAISED_IN]->(u:Audit) WHERE {d.tenant_condition('f')}
MATCH (u)-[:AUDITS]->(a:OutsourcingArrangement)
OPTIONAL MATCH (f)-[:CITES]->(o:Obligation)
WITH f, u, a, collect(o.obligation_id) AS obligations
{d.rows(items, "arrangement_id, finding_id")}
"""


def approvals(d: Dialect) -> str:
    items = ("p.approval_id AS approval_id, a.arrangement_id AS arrangement_id, p.kind AS kind, p.reference AS "
             "reference, p.decided_on AS decided_on, p.valid_until AS valid_until, obligations")
    return f"""
MATCH (p:Approval) WHERE {d.tenant_condition('p')}
OPTIONAL MATCH (p)-[:AUTHORISES]->(a:OutsourcingArrangement)
OPTIONAL MATCH (p)-[:SUPPORTS]->(o:Obligation)
WITH p, a, collect(o.obligation_id) AS obligations
{d.rows(items, "approval_id")}
"""
