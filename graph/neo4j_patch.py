"""A partial reload on Neo4j written in place: only what differs, in one transaction, into the tenant's published
generation (Neo4jStore.patch_tenant), as a change made through the API is.

Inside the transaction the stored nodes and links of the labels given are read and compared with the new tables
(graph/table_diff.py, as LadybugDB's reload compares them: nodes by uid and every property, links by their ends);
then the removed nodes are deleted with their links, the new ones created, those whose properties differ updated
in place (their links kept), and the links gone or new deleted and created. A label given in part (`patched`: a
file's changed chunks) is compared on its given rows, its stored nodes absent from the uids of all its rows after
the load removed; the evidence summary groups (trace/evidence_groups.py) of every control an evidence item
removed, added, changed in what its group reads (its dates: evidence_groups.ITEM_PROPERTIES) or linked otherwise
named before or names now are computed again from the stored evidence of those controls, after the writes, by the
loader's own code (`group_rows`), reading the evidence a few controls at a time (about `bound` items as their
stored groups count them). A row of a changed chunk that did not change touches no group, nor does a retitled
item (78 rows retitled across a 1M file touched ~2,500 rows' controls, most of them, and reading their evidence,
that reload took 49.8 s; 4.2 s touching only the rows that changed).

The transaction stays small: past `bound` rows written (or a whole label of more to read) PatchTooLargeError is raised,
the transaction is rolled back and the loader writes the tenant as a new generation instead (registers._load).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from regtrace.trace import evidence_groups

from regtrace.errors import PatchTooLargeError, StoreError

from . import neo4j_queries as q
from . import tables
from .cypher_reads import all_links, all_nodes, count_nodes, groups_of_controls, tenant_uids_page
from .cypher_store import pages
from .port import Pending, Row, Writer, ready
from .schema import NodeSchema, node_key, store_schema
from .table_diff import link_changes, node_differences, same

Read = Callable[[str, Mapping[str, Any]], list[Row]]  # a statement inside the transaction: rows of native values
LinkKey = tuple[str, str, str]


@dataclass
class InPlace:
    """The tenant's published generation, written through `writer` (in place) and read through `read`, both in
    the one transaction; at most `bound` rows written."""

    writer: Writer
    read: Read
    run: Callable[[str, Mapping[str, Any]], object]
    tenant: str
    generation: int
    bound: int
    written: int = 0

    def params(self, **more: Any) -> dict[str, Any]:
        return {"tenant": self.tenant, "generation": self.generation, **more}

    def spend(self, rows: int) -> None:
        """Count rows about to be written; PatchTooLargeError past the bound."""
        self.written += rows
        if self.written > self.bound:
            raise PatchTooLargeError(f"more than {self.bound} rows to write in place")


def replace_labels(target: InPlace, nodes: Mapping[str, pa.Table | Pending], links: Mapping[LinkKey, pa.Table],
                   step: Callable[[], None], patched: Mapping[str, pa.Array] | None) -> None:
    """Writer.replace_labels in place (see the module's text)."""
    schema = store_schema()
    patched = patched or {}
    regroup = evidence_groups.SOURCE in patched
    controls: set[str] = set()  # the control ids whose evidence summary groups are computed again
    touched: set[str] = set()  # evidence uids whose node or links changed: the controls they name now too
    given_uids: dict[str, list[str]] = {}  # a patched label's given rows: only their stored links are compared
    step()
    for node in schema.nodes.values():
        if not node.tenant_scoped or node.label not in nodes:
            continue
        new = tables.conformed_nodes(node, ready(nodes[node.label]))
        if node.label in patched:
            given_uids[node.label] = new.column("uid").to_pylist()
            stored, removed, added, changed = _patched_differences(target, node, new, patched[node.label])
            if regroup and node.label == evidence_groups.SOURCE:  # the controls they named before the writes
                touched.update(added.column("uid").to_pylist() + _regrouped(stored, changed))
                controls |= _controls_of(target, sorted(touched) + removed)
        else:
            removed, added, changed = node_differences(node, _stored_nodes(target, node, new.num_rows), new)
        _write_nodes(target, node, removed, added, changed)
        step()
    for rel in schema.relationships:
        if not schema.nodes[rel.source].tenant_scoped or rel.source not in nodes:
            continue
        given = links.get((rel.type, rel.source, rel.target))
        new = tables.conformed_links(rel, given) if given is not None else _no_links()
        if rel.source in patched:
            [found] = target.read(q.links_from(rel), target.params(uids=given_uids.get(rel.source, [])))
            stored = _links(found["sources"], found["targets"])
        else:
            rows = target.read(all_links(rel, True, q.QUERIES.dialect), target.params())
            stored = _links([r["source"] for r in rows], [r["target"] for r in rows])
        gone, made = link_changes(stored, new)
        target.spend(gone.num_rows + made.num_rows)
        if regroup and rel.source == evidence_groups.SOURCE:
            touched.update(gone.column("source").to_pylist() + made.column("source").to_pylist())
            if rel.target == evidence_groups.CONTROL:  # the control an item named before
                controls.update(node_key(target.tenant, uid) for uid in gone.column("target").to_pylist())
        if gone.num_rows:
            target.run(q.unlink(rel), target.params(links=gone.to_pylist()))
        if made.num_rows:
            target.writer.create_link_table(rel.type, made)
        step()
    if regroup:  # and the controls they name now
        controls |= _controls_of(target, sorted(touched))
        _regroup(target, controls)


def _stored_nodes(target: InPlace, node: NodeSchema, given: int) -> pa.Table:
    """Every stored node of a label given whole (PatchTooLargeError when it or the stored label is past the bound)."""
    if given > target.bound or _count(target, node) > target.bound:
        raise PatchTooLargeError(f"{node.label}: more than {target.bound} rows to compare in place")
    return tables.node_table(node, target.read(all_nodes(node, True, q.QUERIES.dialect), target.params()))


def _count(target: InPlace, node: NodeSchema) -> int:
    return int(target.read(count_nodes(node, True, q.QUERIES.dialect), target.params())[0]["count"])


def _patched_differences(target: InPlace, node: NodeSchema, new: pa.Table, keep: pa.Array,
                         ) -> tuple[pa.Table, list[str], pa.Table, pa.Table]:
    """node_differences for a label given in part: (the stored nodes among `new`; stored uids absent from `keep`;
    rows of `new` not stored; rows of `new` whose stored node differs).

    The rows of `keep` not in `new` are stored (the loader's promise: a file's unchanged rows). The label's stored
    nodes are counted first: when they are exactly those and the stored ones among `new`, none was removed and the
    stored uids are not read. Otherwise fewer kept than promised: StoreError, nothing written."""
    [found] = target.read(q.nodes_as_lists(node), target.params(uids=new.column("uid").to_pylist()))
    stored = pa.table({p.name: tables.column(p, [row[i] for row in found["rows"]])
                       for i, p in enumerate(node.properties)})
    _, added, changed = node_differences(node, stored, new)  # the stored rows are all among `new`
    expected = len(keep) - new.num_rows + stored.num_rows  # the unchanged rows and the given ones stored
    count = _count(target, node)
    if count == expected:
        return stored, [], added, changed
    if count - expected > target.bound:
        raise PatchTooLargeError(f"{node.label}: more than {target.bound} rows to remove in place")
    statement = tenant_uids_page(node, q.QUERIES.dialect)  # in pages: a million uids as rows at once were ~300 MB
    stored_uids = pa.concat_arrays([pa.array([r["uid"] for r in rows], pa.string())
                                    for rows in pages(target.read, statement, target.params())]
                                   + [pa.array([], pa.string())])
    kept = pc.is_in(stored_uids, value_set=keep)
    if pc.sum(kept).as_py() != expected:
        raise StoreError(f"the {node.label} rows this reload keeps are not all stored; nothing was written: "
                         "load the folder again")
    return stored, pc.filter(stored_uids, pc.invert(kept)).to_pylist(), added, changed


def _regrouped(stored: pa.Table, changed: pa.Table) -> list[str]:
    """The uids of the `changed` evidence rows whose stored node differs in what its summary group reads
    (evidence_groups.ITEM_PROPERTIES): a retitled item changes no group."""
    at = pc.index_in(changed.column("uid"), value_set=stored.column("uid"))
    differs = pa.chunked_array([pa.array([False] * changed.num_rows, pa.bool_())])
    for name in evidence_groups.ITEM_PROPERTIES:
        differs = pc.or_(differs, pc.invert(same(changed.column(name), stored.column(name).take(at))))
    uids: list[str] = pc.filter(changed.column("uid"), differs).to_pylist()
    return uids


def _controls_of(target: InPlace, evidence_uids: Sequence[str]) -> set[str]:
    """The control ids the stored evidence items of these uids name."""
    if not evidence_uids:
        return set()
    rows = target.read(q.EVIDENCE_CONTROLS, target.params(uids=list(evidence_uids)))
    return {str(r["control_id"]) for r in rows}


def _regroup(target: InPlace, controls: set[str]) -> None:
    """Every evidence summary group of `controls` computed again from their stored evidence (as a load computes
    them), and written where it differs from the stored one; the evidence read a few controls at a time, about
    `bound` items each (as their stored groups count them), not every control's at once."""
    if not controls:
        return
    node = store_schema().nodes[evidence_groups.LABEL]
    stored = tables.node_table(node, target.read(groups_of_controls(node, q.QUERIES.dialect),
                                                 target.params(controls=sorted(controls))))
    for part in _slices(sorted(controls), stored, target.bound):
        groups = target.read(q.CONTROLS_EVIDENCE, target.params(controls=part))
        new = tables.node_table(node, evidence_groups.group_rows(target.tenant, (
            (g["control_id"], g["arrangement_id"], dt.date.fromisoformat(collected), evidence, _day(until))
            for g in groups for collected, evidence, until in g["items"])))
        mine = stored.filter(pc.is_in(stored.column("control_id"), value_set=pa.array(part, pa.string())))
        _write_nodes(target, node, *node_differences(node, mine, new))


def _day(text: str | None) -> dt.date | None:
    """A date that may be blank, read as ISO text (q.CONTROLS_EVIDENCE)."""
    return dt.date.fromisoformat(text) if text is not None else None


def _slices(controls: list[str], groups: pa.Table, items: int) -> list[list[str]]:
    """`controls` in runs whose stored groups count about `items` evidence items in all (at least one control
    each; a control with no group yet counts none)."""
    sizes: dict[str, int] = {}
    for control, count in zip(groups.column("control_id").to_pylist(), groups.column("evidence_count").to_pylist(),
                              strict=True):
        sizes[control] = sizes.get(control, 0) + count
    runs: list[list[str]] = [[]]
    held = 0
    for control in controls:
        size = sizes.get(control, 0)
        if runs[-1] and held + size > items:
            runs.append([])
            held = 0
        runs[-1].append(control)
        held += size
    return runs


def _write_nodes(target: InPlace, node: NodeSchema, removed: list[str], added: pa.Table, changed: pa.Table) -> None:
    """A label's differences written in place (counted against the bound first): the removed nodes deleted with
    their links, the added ones created, the changed ones updated (their links kept)."""
    target.spend(len(removed) + added.num_rows + changed.num_rows)
    if removed:
        target.writer.delete_nodes(node.label, removed)
    if added.num_rows:
        target.writer.create_node_table(node.label, added)
    if changed.num_rows:
        target.writer.upsert_nodes(node.label, changed.to_pylist())


def _links(sources: Sequence[str], targets: Sequence[str]) -> pa.Table:
    """Links as a table of their ends' uids (the i-th source and target: one link)."""
    return pa.table({"source": pa.array(sources, pa.string()), "target": pa.array(targets, pa.string())})


def _no_links() -> pa.Table:
    return _links([], [])

