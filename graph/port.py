"""The store port: what every graph store (LadybugDB embedded, Neo4j) offers the rest of regtrace.

Writes go through `write(unit)`, which runs `unit(writer)` in one transaction: all of it lands or none
of it does; a tenant's registers are replaced whole through `replace_tenant(tenant, unit)`, all or nothing
too (a store may write them in many transactions and publish them in one). Reads are named queries whose
Cypher lives in the stores' query sets; callers never see Cypher. Rows are plain dicts keyed by the
ontology's property names. A relationship type names its source and target labels (graph/schema.py), so
links are written and read by type alone.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any

from .filters import Filter, NodeQuery, RelatedQuery

if TYPE_CHECKING:  # pyarrow is imported where tables are built, not by everything that imports the port
    from concurrent.futures import Executor, Future

    import pyarrow as pa

Row = dict[str, Any]
TABLE_BATCH = 10_000  # rows per create_nodes / create_links call when a table is written row-wise


@dataclass(frozen=True)
class Link:
    """One relationship to write: from the node with uid `source` to the node with uid `target`."""

    source: str
    target: str
    properties: Mapping[str, Any] | None = None


class Pending:
    """A node table computed in a worker thread once started (a first load's evidence summary and load
    record): a writer replacing a tenant starts it (`start`) when the store has work of its own to do
    meanwhile, and takes it (`table`, which starts it if need be and waits for it) after the tables given
    ready."""

    def __init__(self, worker: Executor, compute: Callable[..., pa.Table], *args: Any) -> None:
        self._worker, self._compute, self._args = worker, compute, args
        self._future: Future[pa.Table] | None = None

    def start(self) -> None:
        if self._future is None:
            self._future = self._worker.submit(self._compute, *self._args)
            self._args = ()  # what it is computed from is the worker's to let go of once done

    def table(self) -> pa.Table:
        """The table, once computed (what computing it raised, raised here)."""
        self.start()
        assert self._future is not None
        return self._future.result()


def ready(table: pa.Table | Pending) -> pa.Table:
    """The table itself, waiting for it if it is pending."""
    return table.table() if isinstance(table, Pending) else table


def start_pending(nodes: Mapping[str, pa.Table | Pending]) -> None:
    """Start computing every pending table of `nodes` (a writer with work of its own to do meanwhile)."""
    for table in nodes.values():
        if isinstance(table, Pending):
            table.start()


def ready_last(nodes: Mapping[str, pa.Table | Pending]) -> list[str]:
    """The labels of `nodes` in their order, those whose tables are pending after the others."""
    return sorted(nodes, key=lambda label: isinstance(nodes[label], Pending))


class Writer(ABC):
    """Batch writes inside one transaction."""

    @abstractmethod
    def upsert_nodes(self, label: str, rows: Sequence[Row]) -> None:
        """Create or update nodes by `uid`; every row carries every stored property of the label."""

    @abstractmethod
    def create_nodes(self, label: str, rows: Sequence[Row]) -> None:
        """Create nodes known not to exist yet (faster than upsert for fresh register data)."""

    @abstractmethod
    def link(self, rel_type: str, links: Sequence[Link]) -> None:
        """Create relationships between existing nodes, once each (idempotent)."""

    def create_links(self, rel_type: str, links: Sequence[Link]) -> None:
        """Create relationships known not to exist yet between existing nodes (the bulk path for fresh
        register data; a missing node may fail the write). Defaults to `link`; stores may do it faster."""
        self.link(rel_type, links)

    def create_node_table(self, label: str, table: pa.Table) -> None:
        """Create fresh nodes given column-wise (the bulk path for register loads): `table` has a column per
        stored property of the label, named after it; none of the nodes may exist yet. Defaults to
        `create_nodes` batch by batch; stores may write the columns directly."""
        for batch in table.to_batches(max_chunksize=TABLE_BATCH):
            self.create_nodes(label, batch.to_pylist())

    def create_link_table(self, rel_type: str, table: pa.Table) -> None:
        """Create fresh relationships given column-wise: `source` and `target` uids, then a column per property
        of the relationship, if it has any. Defaults to `create_links` batch by batch."""
        for batch in table.to_batches(max_chunksize=TABLE_BATCH):
            columns = batch.to_pydict()
            sources, targets = columns.pop("source"), columns.pop("target")
            links = [Link(s, t, {k: v[i] for k, v in columns.items()} if columns else None)
                     for i, (s, t) in enumerate(zip(sources, targets, strict=True))]
            self.create_links(rel_type, links)

    @abstractmethod
    def delete_tenant(self, tenant: str) -> None:
        """Delete every node of one tenant and its relationships."""

    def replace_tenant(self, tenant: str, nodes: dict[str, pa.Table | Pending],
                       links: dict[tuple[str, str, str], pa.Table], release: bool, step: Callable[[], None]) -> None:
        """Make the tenant's nodes and links exactly these tables (as create_node_table and create_link_table
        take them; a tenant-scoped label or relationship type not given ends up empty; a pending table is
        taken after the ready ones). By default every node of the tenant is deleted and the tables created; a
        store may instead write only what differs. With `release` each table leaves its dict once used (the
        caller's memory). `step` marks progress: once at the start, then once per table."""
        start_pending(nodes)
        self.delete_tenant(tenant)
        step()
        for label in ready_last(nodes):
            table = ready(nodes.pop(label) if release else nodes[label])
            if table.num_rows:
                self.create_node_table(label, table)
            step()
            del table
        for key in list(links):
            table = links.pop(key) if release else links[key]
            if table.num_rows:
                self.create_link_table(key[0], table)
            step()
            del table

    def replace_labels(self, tenant: str, nodes: dict[str, pa.Table | Pending],
                       links: dict[tuple[str, str, str], pa.Table], release: bool, step: Callable[[], None],
                       patched: Mapping[str, pa.Array] | None = None) -> None:
        """As replace_tenant for the labels given in `nodes` and the relationship types from them only; the
        tenant's other labels and relationship types stay as stored. Only stores with `replaces_labels`.

        `patched` maps a label to the uids of all its rows after the load, when its table in `nodes` (and its
        links in `links`) hold only some of them (the rows of a file's changed chunks): the label's stored
        nodes absent from those uids are removed, the given rows written where they differ, the others kept;
        a summary derived from the label (the evidence summary) is recomputed for the groups touched."""
        raise NotImplementedError(f"{type(self).__name__} replaces a tenant whole")

    @abstractmethod
    def delete_nodes(self, label: str, uids: Sequence[str]) -> None:
        """Delete the given nodes and their relationships."""


class Store(ABC):
    """A graph store holding the regulation (shared) and each tenant's registers (isolated)."""

    uri: str
    # Whether `write` may run a unit again (a driver retrying a transient failure): such a store's units must
    # be re-runnable, so they may not consume what they write.
    reruns_units: bool = False
    # Whether its writer's replace_labels keeps the tenant's labels it is not given (a reload writes only the
    # registers whose files changed: loaders/register_digests.py).
    replaces_labels: bool = False

    @abstractmethod
    def ensure_schema(self) -> None:
        """Create the node and relationship tables, keys and indexes generated from the ontology."""

    @abstractmethod
    def write(self, unit: Callable[[Writer], None]) -> None:
        """Run `unit` in one transaction; on any error nothing it wrote remains."""

    def replace_tenant(self, tenant: str, unit: Callable[[Writer], None]) -> None:
        """Run `unit`, which makes the registers of `tenant` exactly what they must be (it deletes the tenant
        first, or writes only what differs), all or nothing: on any error, or a kill of either process at any
        instant, the tenant's previous registers are what every reader sees. Defaults to one `write`; a store
        may instead give `unit` a writer over an empty new generation, written in bounded batches beside the
        old one and published in one small transaction (its `delete_tenant` then deletes nothing)."""
        self.write(unit)

    def patch_rows(self) -> int | None:
        """How many rows a reload may write through `patch_tenant` (nodes and links written, each counted once;
        its whole-label reads as many): past them its writer raises PatchTooLargeError and the tenant is written whole.
        None: no bound (the default, where `patch_tenant` is `replace_tenant`)."""
        return None

    def patch_tenant(self, tenant: str, unit: Callable[[Writer], None]) -> None:
        """Run `unit`, which writes part of the registers of `tenant` (Writer.replace_labels: a partial reload), all
        or nothing as `replace_tenant` is. Defaults to `replace_tenant`; a store may instead run it in one
        transaction writing in place into the tenant's registers as they are, the tenant held meanwhile (no other
        load or change of it lands between the unit's precondition and its commit), bounded by `patch_rows`."""
        self.replace_tenant(tenant, unit)

    def tidy_tenant(self, tenant: str) -> None:
        """Remove what loads of `tenant` that died or lost left behind (a load does so as it starts; a reload
        with nothing to write calls this instead). A store whose writes leave nothing behind does nothing."""
        return None

    @abstractmethod
    def nodes(self, label: str, tenant: str | None = None) -> list[Row]:
        """Every node of a label (of one tenant, for tenant-scoped labels), ordered by uid."""

    @abstractmethod
    def links(self, rel_type: str, tenant: str | None = None) -> list[Row]:
        """Every relationship of a type as rows {source, target, **properties}, ordered."""

    @abstractmethod
    def count(self, label: str, tenant: str | None = None) -> int:
        """How many nodes of a label there are."""

    def uids(self, label: str, tenant: str | None = None) -> pa.Array:
        """The uids of every node of a label (of one tenant, for tenant-scoped labels), in no promised order, as
        an Arrow array of strings (a million uids as Python strings were ~130 MB more at a reload's peak); stores
        may read them without the other properties."""
        import pyarrow as pa

        return pa.array([row["uid"] for row in self.nodes(label, tenant)], pa.string())

    def node_table(self, label: str, tenant: str) -> pa.Table:
        """Every node of a tenant-scoped label of `tenant`, every property, as an Arrow table in the schema's
        order and types, in no promised order (what a load would compare its rows with); stores may read it
        column-wise."""
        from . import tables
        from .schema import store_schema

        return tables.node_table(store_schema().nodes[label], self.nodes(label, tenant))

    def link_table(self, rel_type: str, tenant: str) -> pa.Table:
        """Every relationship of a type from a node of `tenant`, as an Arrow table of source and target uids, in
        no promised order; stores may read it column-wise."""
        import pyarrow as pa

        rows = self.links(rel_type, tenant)
        return pa.table({"source": pa.array([r["source"] for r in rows], pa.string()),
                         "target": pa.array([r["target"] for r in rows], pa.string())})

    @abstractmethod
    def tenants(self) -> list[str]:
        """The tenants that have registers in the store."""

    # Named trace queries: the heavy scans run in the store and return aggregates.

    @abstractmethod
    def control_links(self, tenant: str) -> list[Row]:
        """Per control and obligation it satisfies: control_id, obligation_id, frequency_months,
        applies_to_all, applies_to (arrangement ids), satisfies_targets (the FRAMEWORK:ID items its satisfies
        names, `;`-separated, or None)."""

    @abstractmethod
    def evidence_groups(self, tenant: str) -> list[Row]:
        """The tenant's evidence groups (trace/evidence_groups.py), in no order: control_id, arrangement_id,
        evidence_count, frontier, frontier_until."""

    @abstractmethod
    def evidence_summary(self, tenant: str, as_of: dt.date) -> list[Row]:
        """Per control and arrangement (None: evidence with a blank arrangement), over evidence collected
        on or before `as_of`: control_id, arrangement_id, count, latest (collected_on|evidence_id of the newest),
        latest_unexpired (the same over evidence not past valid_until)."""

    @abstractmethod
    def contract_clauses(self, tenant: str, as_of: dt.date) -> list[Row]:
        """Per contract in force on `as_of`: arrangement_id, contract_id, obligation_id for each clause."""

    @abstractmethod
    def audits_between(self, tenant: str, start: dt.date, end: dt.date) -> list[Row]:
        """Audits performed in [start, end]: arrangement_id, audit_id, kind, performed_on, independent."""

    @abstractmethod
    def company(self, tenant: str) -> Row | None:
        """The member company's row (the company register holds one), None when the tenant has none:
        legal_name, legal_name_en, foreign_branch, multi_cloud."""

    @abstractmethod
    def systems_describing_materiality(self, tenant: str) -> list[Row]:
        """The systems where the register gives one of material, natural_person_data, data_locations (not
        null; an empty list is given), with the arrangement each runs under, ordered by arrangement_id,
        system_id: arrangement_id, system_id, material, natural_person_data, data_locations (None where blank).
        The others say nothing to the trace (trace/facts.py, material_npd_offshore_system)."""

    @abstractmethod
    def findings(self, tenant: str) -> list[Row]:
        """Every finding with its audit and arrangement, ordered by arrangement_id, finding_id: finding_id,
        title, audit_id, performed_on (the audit's), arrangement_id, severity, status, due_on, closed_on,
        obligations (the sorted ids of the obligations it cites; [] when its provisions are blank)."""

    @abstractmethod
    def approvals(self, tenant: str) -> list[Row]:
        """Every approval, ordered by approval_id: approval_id, arrangement_id (None: the company's), kind,
        reference, decided_on, valid_until, obligations (the sorted ids of the obligations it supports)."""

    # Generic reads for the API: filters, sorting and paths are graph/filters.py values, compiled by each
    # store's query module into parameterised queries. Tenant-scoped nodes are always those of the tenant.

    @abstractmethod
    def find(self, query: NodeQuery) -> list[Row]:
        """One page of nodes: filtered, sorted (nulls last, then uid), `skip` then at most `limit`."""

    @abstractmethod
    def count_matching(self, label: str, tenant: str | None, where: Filter | None) -> int:
        """How many nodes a NodeQuery with this label, tenant and filter would match without paging."""

    @abstractmethod
    def nodes_by_uid(self, label: str, uids: Sequence[str], tenant: str | None) -> list[Row]:
        """The nodes with these uids (of `tenant` when the label is tenant-scoped); unknown uids are absent."""

    @abstractmethod
    def related(self, query: RelatedQuery) -> list[Row]:
        """For each source uid, the nodes at the end of the path that match, sorted; each row has `_from` (the
        source uid), the node's properties and `_edge` (the last relationship's properties, {} when none).
        A node reached twice from the same source appears once."""

    @abstractmethod
    def close(self) -> None:
        """Release the store."""

    def generation(self) -> str | None:
        """A token that changes whenever any process writes the store (for caches that must not outlive a
        write made elsewhere); None when the store cannot tell (every read then sees the latest data anyway)."""
        return None

    def snapshot(self) -> AbstractContextManager[None]:
        """Reads inside the block see one state of the store even if another process writes meanwhile (the
        embedded store pins its generation; a server store reads the latest committed data)."""
        return nullcontext()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def batched(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    """Split rows into lists of at most `size`."""
    batch: list[Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
