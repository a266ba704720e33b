"""What every Cypher-speaking store reads the same way: one implementation over `execute` and the store's
query set (labels and properties from the schema, values as parameters)."""

from __future__ import annotations

import datetime as dt
from abc import abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from . import cypher_reads as reads
from .cypher_reads import Dialect
from .filters import Filter, NodeQuery, RelatedQuery, check, check_path
from .port import Row, Store
from .schema import node_uid, store_schema

if TYPE_CHECKING:
    import pyarrow as pa

# Rows (nodes, or source nodes of links) per page when a store reads a tenant's table in pages (node_table)
TABLE_PAGE = 100_000


@dataclass(frozen=True)
class QuerySet:
    """The statements a store's reads run: the shared ones (graph/cypher_reads.py) written in its dialect, and
    the evidence summary, which each engine answers fastest its own way (one statement, or parts whose rows
    CypherStore orders together). Build it with `QuerySet.of`."""

    dialect: Dialect
    evidence_summary: tuple[str, ...]
    tenants: tuple[str, ...]  # statements each returning `tenant`: the tenants that have registers
    control_links: str
    evidence_groups: str
    contract_clauses: str
    audits_between: str
    company: str
    systems_describing_materiality: str
    findings: str
    approvals: str

    @classmethod
    def of(cls, dialect: Dialect, *, evidence_summary: tuple[str, ...], tenants: tuple[str, ...]) -> QuerySet:
        return cls(dialect, evidence_summary, tenants, reads.control_links(dialect),
                   reads.evidence_groups(dialect), reads.contract_clauses(dialect),
                   reads.audits_between(dialect), reads.company(dialect), reads.systems_describing_materiality(dialect),
                   reads.findings(dialect), reads.approvals(dialect))


class CypherStore(Store):
    """A store whose reads are the Cypher statements of its `queries`."""

    queries: ClassVar[QuerySet]

    @abstractmethod
    def execute(self, statement: str, parameters: Mapping[str, Any] | None = None) -> list[Row]:
        """Run one read statement with parameters; rows as dicts of Python values."""

    def _tenant_params(self, tenant_scoped: bool, tenant: str | None) -> tuple[bool, dict[str, Any] | None]:
        by_tenant = tenant_scoped and tenant is not None
        return by_tenant, {"tenant": tenant} if by_tenant else None

    def nodes(self, label: str, tenant: str | None = None) -> list[Row]:
        node = store_schema().nodes[label]
        by_tenant, params = self._tenant_params(node.tenant_scoped, tenant)
        return self.execute(reads.all_nodes(node, by_tenant, self.queries.dialect), params)

    def links(self, rel_type: str, tenant: str | None = None) -> list[Row]:
        rel = store_schema().relationship(rel_type)
        by_tenant, params = self._tenant_params(store_schema().nodes[rel.source].tenant_scoped, tenant)
        return self.execute(reads.all_links(rel, by_tenant, self.queries.dialect), params)

    def uids(self, label: str, tenant: str | None = None) -> pa.Array:
        """The uid alone: a reload's removal check over a million evidence items read every property of each
        (Neo4j: 30 s and 1 GB more of the client's memory). A tenant's are read in pages of TABLE_PAGE, as
        node_table: a million uids read at once were a million rows held beside them (~300 MB more, the peak of
        a Neo4j reload's client). Each page is made an Arrow array before the next is read."""
        import pyarrow as pa

        node = store_schema().nodes[label]
        if node.tenant_scoped and tenant is not None:
            pages = self._pages(reads.tenant_uids_page(node, self.queries.dialect), tenant)
        else:
            pages = iter([self.execute(reads.all_uids(node, self.queries.dialect), None)])
        return pa.concat_arrays([pa.array([str(r["uid"]) for r in rows], pa.string()) for rows in pages]
                                + [pa.array([], pa.string())])

    def node_table(self, label: str, tenant: str) -> pa.Table:
        """Read in pages of TABLE_PAGE nodes by uid, in one snapshot, each page made columns before the next is
        read: a million evidence items are never Python values all at once."""
        import pyarrow as pa

        from . import tables  # pyarrow: not imported by a store that only traces

        node = store_schema().nodes[label]
        statement = reads.tenant_nodes_page(node, self.queries.dialect)
        parts = [tables.node_table(node, rows) for rows in self._pages(statement, tenant)]
        return pa.concat_tables(parts) if parts else tables.node_table(node, [])

    def link_table(self, rel_type: str, tenant: str) -> pa.Table:
        """Read in pages of TABLE_PAGE source nodes, as node_table."""
        import pyarrow as pa

        rel = store_schema().relationship(rel_type)
        parts = [pa.table({"source": pa.array([r["source"] for r in rows if r["target"] is not None], pa.string()),
                           "target": pa.array([r["target"] for r in rows if r["target"] is not None], pa.string())})
                 for rows in self._pages(reads.tenant_links_page(rel, self.queries.dialect), tenant, "source")]
        return pa.concat_tables(parts) if parts else pa.table({"source": pa.array([], pa.string()),
                                                               "target": pa.array([], pa.string())})

    def _pages(self, statement: str, tenant: str, key: str = "uid") -> Iterator[list[Row]]:
        """`pages` of a statement read by this store, in one snapshot."""
        with self.snapshot():
            yield from pages(self.execute, statement, {"tenant": tenant}, key)

    def count(self, label: str, tenant: str | None = None) -> int:
        node = store_schema().nodes[label]
        by_tenant, params = self._tenant_params(node.tenant_scoped, tenant)
        rows = self.execute(reads.count_nodes(node, by_tenant, self.queries.dialect), params)
        return int(next(iter(rows[0].values())))

    def tenants(self) -> list[str]:
        return sorted({str(r["tenant"]) for statement in self.queries.tenants for r in self.execute(statement)
                       if r["tenant"] is not None})

    def control_links(self, tenant: str) -> list[Row]:
        """The store's row per control made into a row per obligation it satisfies, in order (control, then
        obligation), its arrangements sorted once."""
        links = []
        for row in self.execute(self.queries.control_links, {"tenant": tenant}):
            applies_to = sorted(row["applies_to"] or ())
            links += [{"control_id": row["control_id"], "obligation_id": obligation_id,
                       "frequency_months": row["frequency_months"], "applies_to_all": row["applies_to_all"],
                       "satisfies_targets": row["satisfies_targets"], "applies_to": list(applies_to)}
                      for obligation_id in sorted(set(row["obligations"]))]
        return links

    def evidence_groups(self, tenant: str) -> list[Row]:
        return self.execute(self.queries.evidence_groups, {"tenant": tenant})

    def evidence_summary(self, tenant: str, as_of: dt.date) -> list[Row]:
        """The statements of EVIDENCE_SUMMARY (one, or parts that a store answers faster apart), their rows
        ordered by control_id, then arrangement_id with blank last (as ORDER BY orders them)."""
        statements = self.queries.evidence_summary
        params = {"tenant": tenant, "as_of": as_of}
        if len(statements) == 1:
            return self.execute(statements[0], params)
        rows = [row for statement in statements for row in self.execute(statement, params)]
        return sorted(rows, key=lambda r: (r["control_id"], r["arrangement_id"] is None, r["arrangement_id"] or ""))

    def contract_clauses(self, tenant: str, as_of: dt.date) -> list[Row]:
        return self.execute(self.queries.contract_clauses, {"tenant": tenant, "as_of": as_of})

    def audits_between(self, tenant: str, start: dt.date, end: dt.date) -> list[Row]:
        return self.execute(self.queries.audits_between, {"tenant": tenant, "since": start, "until": end})

    def company(self, tenant: str) -> Row | None:
        rows = self.execute(self.queries.company, {"tenant": tenant})
        return rows[0] if rows else None

    def systems_describing_materiality(self, tenant: str) -> list[Row]:
        return self.execute(self.queries.systems_describing_materiality, {"tenant": tenant})

    def findings(self, tenant: str) -> list[Row]:
        return [_sorted_ids(row) for row in self.execute(self.queries.findings, {"tenant": tenant})]

    def approvals(self, tenant: str) -> list[Row]:
        return [_sorted_ids(row) for row in self.execute(self.queries.approvals, {"tenant": tenant})]

    def find(self, query: NodeQuery) -> list[Row]:
        check(query.label, query.where, query.sort)
        rows = self.execute(*reads.find_nodes(query, self.queries.dialect))
        dropped = query.limit is not None and not self.queries.dialect.skip_with_limit
        return rows[query.skip :] if dropped else rows

    def count_matching(self, label: str, tenant: str | None, where: Filter | None) -> int:
        check(label, where)
        return int(self.execute(*reads.count_matching(label, tenant, where, self.queries.dialect))[0]["count"])

    def nodes_by_uid(self, label: str, uids: Sequence[str], tenant: str | None) -> list[Row]:
        return self.execute(*reads.nodes_by_uid(label, list(uids), tenant, self.queries.dialect)) if uids else []

    def related(self, query: RelatedQuery) -> list[Row]:
        end = check_path(query.source_label, query.path)
        check(end, query.where, query.sort)
        if not query.uids:
            return []
        rows: list[Row] = []
        seen: set[tuple[str, str]] = set()
        for row in self.execute(*reads.related_nodes(query, self.queries.dialect)):
            if (row["_from"], row["uid"]) in seen:
                continue
            seen.add((row["_from"], row["uid"]))
            edge = {k[len(reads.EDGE_PREFIX) :]: row.pop(k) for k in list(row) if k.startswith(reads.EDGE_PREFIX)}
            rows.append({**row, "_edge": edge})
        return rows


def _sorted_ids(row: Row) -> Row:
    """A row whose collected `obligations` are in order (collect() promises none) and hold no null."""
    return {**row, "obligations": sorted(o for o in row["obligations"] or () if o is not None)}


def pages(read: Callable[[str, Mapping[str, Any]], list[Row]], statement: str, parameters: Mapping[str, Any],
          key: str = "uid") -> Iterator[list[Row]]:
    """The rows of a paged statement of $tenant's nodes ($after, $end, $page: cypher_reads.tenant_nodes_page),
    page by page, each read by `read` with `parameters` (naming the tenant); `key` names the paged uid (a page
    holds TABLE_PAGE distinct ones but the last). The tenant's uids all lie between its prefix (node_uid) and the
    prefix with its last character the next one."""
    after = node_uid(str(parameters["tenant"]), "")
    end = after[:-1] + chr(ord(after[-1]) + 1)
    while True:
        rows = read(statement, {**parameters, "after": after, "end": end, "page": TABLE_PAGE})
        if rows:
            yield rows
        if len({r[key] for r in rows}) < TABLE_PAGE:
            return
        after = rows[-1][key]
