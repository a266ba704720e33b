"""Replacing a tenant's registers in LadybugDB by writing only what differs (a diff of the tenant).

Inside the load's transaction the tenant's stored nodes and links are read as Arrow tables and compared with
the new ones: nodes by uid, links by source and target. Then only the removed nodes are deleted, the new ones
created and those whose properties differ updated in place (past IN_PLACE_ROWS of a label, deleted and created
again, their links made again), and links deleted and created likewise.
The transaction is the caller's: all of it lands or none of it does. Loading the same folder again writes
nothing; a folder differing by one evidence row deletes and creates one node, two links and one evidence
summary row, where deleting and re-creating the whole tenant rewrote a million nodes (and grew the file by the
deleted rows' pages).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from regtrace.trace import evidence_groups

from regtrace.errors import StoreError

from . import ladybug_queries as q
from . import tables
from .cypher_reads import count_nodes, groups_of_controls
from .ladybug_connection import LadybugConnection
from .ladybug_source import SourceReads
from .port import Pending, Writer, ready, start_pending
from .schema import NodeSchema, RelSchema, node_uid, store_schema
from .table_diff import digest_differences, link_changes, node_changes

LinkKey = tuple[str, str, str]
DELETE_BATCH = 50_000
# After a label or relationship type of at least this many rows compared or new, `after_large` runs (the store
# returns the memory of the columns read and written to the system before the next one's rows are compared: a
# reload of a million evidence items changed in two files held 1.96 GB without it when few rows differed).
# Nothing is committed there: committing and checkpointing as well held fewer of the engine's pages (1M
# evidence: peak 771-776 against 825-833 MB) but cost 1-3.5 s more CPU, a relationship's COPY after a checkpoint
# looking its ends up on disk.
LARGE_ROWS = 100_000
# A label's nodes whose properties differ are updated in place, their links kept, when there are at most this
# many (a point lookup each, ~0.3 ms); more are deleted and created again in bulk, and their links with them. Deleting a
# node deletes its links: the 3,000 controls of a 1M-evidence tenant took 11.7 s to delete with their million
# evidence links, and those links had to be made again.
IN_PLACE_ROWS = 10_000
_EMPTY = pa.table({})
# A reload by chunks reads the stored nodes and links of every row of its changed chunks. Nodes are read
# LOOKUP_BATCH uids at a time (ladybug_queries.each_uid); the links of up to LINK_POINT_ROWS uids one by one, of more
# LOOKUP_BATCH at a time (a scan of the relationship type, ~300 MB of the engine's pages at 1M evidence: 50,645 uids
# of a 1M file changed in 5 % of its bytes, 3.4–3.7 s a type one by one, the reload's peak 917 MB, against 1,345 MB).
# A point lookup's rows are taken as Python values: an Arrow result holds ~0.2 MB of the engine's until it is let go
# of (the 1M rows of a file whose every chunk changed, looked up so, held 22 GB and the load was killed).
LOOKUP_BATCH = 50_000
LINK_POINT_ROWS = 100_000
# When the staging copy is as its source generation was (`source`), a patched label's given rows past
# SOURCE_LINK_SHARE of the label's rows have their stored links read there instead, a type's links whole in small
# slices (ladybug_source.SourceReads.links: ~1.7 s a type at 1M evidence, against ~0.15 ms a point lookup in the
# reload's write: 600 rows re-dated across a 1M file, 38,365 rows in their chunks, 11.9 s of lookups), then kept for
# the given rows and taken as the staging copy holds them now (`_links_now`).
SOURCE_LINK_SHARE = 1 / 64
_NO_CONTROLS = pa.table({"uid": pa.array([], pa.string()), "control_id": pa.array([], pa.string())})


def replace_tenant(conn: LadybugConnection, writer: Writer, tenant: str, nodes: dict[str, pa.Table | Pending],
                   links: dict[LinkKey, pa.Table], release: bool, step: Callable[[], None],
                   only: frozenset[str] | None = None, after_large: Callable[[], None] | None = None,
                   patched: Mapping[str, pa.Array] | None = None,
                   settle: Callable[[], None] | None = None, source: SourceReads | None = None) -> dict[str, int]:
    """Make the tenant's nodes exactly `nodes` (label -> table) and its links exactly `links`, writing only
    what differs; labels and relationship types of the tenant not given are emptied, unless `only` names the
    labels replaced: then the other labels, and the relationship types from them, are left as stored. With
    `release` each
    table is removed from its dict once compared (memory). Returns how many nodes and links were deleted and
    created. The reads and the unlinking run on `conn`, the deletes and creates through `writer` (its bulk
    paths), both in the caller's transaction. `after_large` is called after each label or relationship type
    comparing or creating LARGE_ROWS or more.

    A label in `patched` (label -> the uids of all its rows after the load; see Writer.replace_labels) is compared
    on the given rows only: its stored uids alone are read (for the removed ones) and the stored nodes and links of
    the given uids; never the whole label. Its stored links into a node of another label that is deleted and created
    again (changed) are created again with it (`_links_into`). The evidence summary groups of every control such a
    row named before or names now (its node or its links changed) are then computed again from the store's evidence
    of those controls (`_regroup`).

    A label whose table is pending (a first load's evidence summary and load record, computed in a worker
    thread) and that no relationship type starts or ends at is taken after every other label and link: its
    computation is started then, and `settle` called meanwhile (LadybugStore: the write so far committed, its
    checkpoint on one core while the worker takes the other).

    `source` (when the staging copy is as the generation it was copied from: nothing written before this call)
    reads a large label compared whole (LARGE_ROWS new rows or more, some stored), and a large type's links from
    such a label, from that generation instead of the staging copy: a label's nodes are read before anything of
    that label is written, and a type's links as they were less those of the nodes deleted since (deleting a node
    deletes its links; no link of the type is written before its own turn, unless a label is `patched`, whose
    nodes' links into a node created again are made again with it: then the links are read from the staging copy)."""
    schema = store_schema()
    patched = patched or {}
    done = {"nodes_deleted": 0, "nodes_created": 0, "nodes_updated": 0, "links_deleted": 0, "links_created": 0}
    regrouped = evidence_groups.SOURCE in patched
    touched: set[str] = set()  # evidence uids whose node or links changed: their controls' groups are redone
    controls: set[str] = set()  # control ids whose groups are redone (those the changed rows named before)
    given_uids: dict[str, pa.ChunkedArray] = {}  # a patched label's given rows: their stored links are compared
    gone: dict[str, list[str]] = {}  # label -> the uids of its nodes deleted so far, and their links with them
    restored: dict[str, list[pa.Table]] = {}  # rel type -> links into a node created again, made again with it
    read_whole: set[str] = set()  # the large labels whose stored digests were read from `source`: some were stored
    linked = {end for rel in schema.relationships for end in (rel.source, rel.target)}
    replaced = [node for node in schema.nodes.values()
                if node.tenant_scoped and (only is None or node.label in only)]
    later = [node for node in replaced if isinstance(nodes.get(node.label), Pending) and node.label not in linked]

    def replace_label(node: NodeSchema) -> None:
        given = ready(nodes.pop(node.label) if release else nodes[node.label]) if node.label in nodes else None
        new = tables.conformed_nodes(node, given) if given is not None else _empty(node)
        updated = _EMPTY
        if node.label in patched:
            given_uids[node.label] = new.column("uid")
            deleted, created = _patched_changes(conn, tenant, node, new, patched[node.label])
            if node.label == evidence_groups.SOURCE:
                touched.update(created.column("uid").to_pylist())
                controls.update(_controls_of(conn, deleted))  # before they are deleted
        else:
            large = source is not None and new.num_rows >= LARGE_ROWS and _stored_any(conn, node, tenant)
            if large:
                read_whole.add(node.label)
            deleted, created, updated = _differences(conn, tenant, node, new, after_large, source if large else None)
            if updated.num_rows > IN_PLACE_ROWS:  # deleted and created again, in bulk
                deleted += updated.column("uid").to_pylist()
                created, updated = pa.concat_tables([created, updated]), updated.slice(0, 0)
        compared = new.num_rows
        del new, given
        if after_large is not None and compared >= LARGE_ROWS and deleted:
            after_large()  # what the comparison freed, before the engine's pages for the writes
        kept_links = _links_into(conn, tenant, node, deleted, patched) if patched and deleted else {}
        _delete(writer, node, deleted)
        gone.setdefault(node.label, []).extend(deleted)
        done["nodes_deleted"] += len(deleted)
        done["nodes_created"] += (count := created.num_rows)
        if count:
            writer.create_node_table(node.label, created)
        # in place (their links stay): a large label's one by one (a batch would scan the label for each of its
        # rows), a small one's as the writer chooses
        step_rows = q.POINT_ROWS if compared >= LARGE_ROWS else max(updated.num_rows, 1)
        for start in range(0, updated.num_rows, step_rows):
            writer.upsert_nodes(node.label, updated.slice(start, step_rows).to_pylist())
        done["nodes_updated"] += updated.num_rows
        for rel_type, into in kept_links.items():  # deleting the nodes deleted these; their rows are not compared
            again = into.filter(pc.is_in(into.column("target"), value_set=created.column("uid")))
            if again.num_rows:
                writer.create_link_table(rel_type, again)
                done["links_created"] += again.num_rows
                restored.setdefault(rel_type, []).append(again)
        del created  # before `after_large`: its memory is returned with the rest
        if after_large is not None and max(count, compared, len(deleted)) >= LARGE_ROWS:
            after_large()
        step()

    for node in replaced:
        if node not in later:
            replace_label(node)
    for rel in schema.relationships:
        if not schema.nodes[rel.source].tenant_scoped or (only is not None and rel.source not in only):
            continue
        key = (rel.type, rel.source, rel.target)
        given = (links.pop if release else links.get)(key, None)
        new = tables.conformed_links(rel, given) if given is not None else _empty_links(rel)
        if rel.source in patched:  # the given rows' links only (a row may now have none): the others are kept
            given_rows = given_uids[rel.source].to_pylist() if rel.source in given_uids else []
            if source is not None and len(given_rows) > SOURCE_LINK_SHARE * len(patched[rel.source]):
                stored = _links_now(source, tenant, rel, gone, restored.get(rel.type, []), given_uids[rel.source])
            else:
                stored = _lookup(conn, q.links_from(rel), given_rows, new.slice(0, 0), LINK_POINT_ROWS)
        elif source is not None and not patched and rel.source in read_whole and new.num_rows >= LARGE_ROWS:
            stored = _links_left(source, tenant, rel, gone)
        else:
            stored = conn.query_arrow(q.tenant_links(rel), {"tenant": tenant})
        removed, added = link_changes(stored, new)
        compared = max(new.num_rows, stored.num_rows)
        del new, given, stored
        if regrouped and rel.source == evidence_groups.SOURCE:
            touched.update(removed.column("source").to_pylist() + added.column("source").to_pylist())
            if rel.target == evidence_groups.CONTROL:
                controls.update(t[len(tenant) + 1:] for t in removed.column("target").to_pylist())
        _unlink(conn, rel, removed)
        done["links_deleted"] += removed.num_rows
        done["links_created"] += (count := added.num_rows)
        if count:
            writer.create_link_table(key[0], added)
        del added, removed
        if after_large is not None and max(count, compared) >= LARGE_ROWS:
            after_large()
        step()
    if later:
        start_pending({node.label: nodes[node.label] for node in later})
        if settle is not None:
            settle()
    for node in later:
        replace_label(node)
    if regrouped:
        controls.update(_controls_of(conn, sorted(touched)))
        deleted, created = _regroup(conn, tenant, controls)
        _delete(writer, schema.nodes[evidence_groups.LABEL], deleted)
        if created.num_rows:
            writer.create_node_table(evidence_groups.LABEL, created)
        done["nodes_deleted"] += len(deleted)
        done["nodes_created"] += created.num_rows
    return done


def _differences(conn: LadybugConnection, tenant: str, node: NodeSchema, new: pa.Table,
                 after_large: Callable[[], None] | None, source: SourceReads | None = None,
                 ) -> tuple[list[str], pa.Table, pa.Table]:
    """table_diff.node_differences of the label's stored nodes and `new`, their properties compared by digest
    (ladybug_queries.tenant_node_digests): the stored values are never read. With `source` the stored digests are
    read there (the label not written yet), and the engine takes the new rows' there too."""
    if source is not None:
        stored = source.query_arrow(q.tenant_node_digests(node), {"tenant": tenant}, rows=new.num_rows,
                                    more=new.num_rows > 0)
    else:
        stored = conn.query_arrow(q.tenant_node_digests(node), {"tenant": tenant})
        if after_large is not None and stored.num_rows >= LARGE_ROWS:
            after_large()  # what the engine held to give them, before they are compared
    if not stored.num_rows or not new.num_rows:
        if source is not None:
            source.close()
        return digest_differences(stored, new, pa.array([], pa.uint64()))
    numbered = new.append_column(q.ROW_NUMBER, pa.array(np.arange(new.num_rows, dtype=np.int64)))
    # prepared for this call alone: the driver's statement cache would keep the rows (LadybugConnection._once)
    if source is not None:
        found = source.query_arrow(q.row_digests(node), {"rows": numbered}, rows=new.num_rows, once=True)
    else:
        found = conn.query_arrow(q.row_digests(node), {"rows": numbered}, once=True)
    del numbered
    if found.num_rows != new.num_rows:
        raise StoreError(f"the store gave {found.num_rows} digests of {new.num_rows} {node.label} rows; "
                         "nothing was written")
    digests = np.empty(new.num_rows, np.uint64)  # the engine may give the rows in any order
    digests[found.column(q.ROW_NUMBER).to_numpy()] = found.column("digest").to_numpy()
    del found
    return digest_differences(stored, new, pa.array(digests))


def _stored_any(conn: LadybugConnection, node: NodeSchema, tenant: str) -> bool:
    """Whether the tenant has a node of the label (the first one found: ~0.02 s and a few MB at 1M; a first load's
    labels are empty, and a connection of its own would be opened for nothing). Links are not probed so: the engine
    joins them all before taking the first (0.39 s and ~110 MB at 1M)."""
    return bool(conn.execute(f"{q.tenant_uids(node)} LIMIT 1", {"tenant": tenant}))


def _links_left(source: SourceReads, tenant: str, rel: RelSchema, gone: Mapping[str, Sequence[str]]) -> pa.Table:
    """The type's stored links as the staging copy holds them now: those of the generation it was copied from,
    less those from or to a node deleted since."""
    return _not_gone(source.links(rel, tenant), rel, gone)


def _not_gone(links: pa.Table, rel: RelSchema, gone: Mapping[str, Sequence[str]]) -> pa.Table:
    """The links less those from or to a node deleted (`gone`: label -> uids)."""
    for end, label in (("source", rel.source), ("target", rel.target)):
        if gone.get(label) and links.num_rows:
            deleted = pa.array(gone[label], pa.string())
            links = links.filter(pc.invert(pc.is_in(links.column(end), value_set=deleted)))
    return links


def _links_now(source: SourceReads, tenant: str, rel: RelSchema, gone: Mapping[str, Sequence[str]],
               restored: Sequence[pa.Table], rows: pa.ChunkedArray) -> pa.Table:
    """The type's stored links from the nodes of `rows` as the staging copy holds them now: those the generation it
    was copied from holds, less those from or to a node deleted since (`_not_gone`), with the links made again since
    into a node created again (`_links_into`; those of a node deleted after that are gone with it)."""
    links = _not_gone(source.links(rel, tenant, rows), rel, gone)
    again = [t.filter(pc.is_in(t.column("source"), value_set=rows)) for t in restored]
    if gone.get(rel.source):  # made again, then deleted with their source
        deleted = pa.array(gone[rel.source], pa.string())
        again = [t.filter(pc.invert(pc.is_in(t.column("source"), value_set=deleted))) for t in again]
    return pa.concat_tables([t.select(["source", "target"]) for t in (links, *again)])


def _delete(writer: Writer, node: NodeSchema, uids: Sequence[str]) -> None:
    """Delete the nodes (and their links), DELETE_BATCH at a time."""
    for start in range(0, len(uids), DELETE_BATCH):
        writer.delete_nodes(node.label, uids[start:start + DELETE_BATCH])


def _unlink(conn: LadybugConnection, rel: RelSchema, removed: pa.Table) -> None:
    """Delete the links (source, target): a few one by one (a point lookup each, q.POINT_ROWS), more in batches."""
    if removed.num_rows <= q.POINT_ROWS:
        for lk in removed.to_pylist():
            conn.execute(q.unlink_one(rel), lk)
        return
    for batch in removed.to_batches(max_chunksize=DELETE_BATCH):
        conn.execute(q.unlink(rel), {"links": batch.to_pylist()})


def _patched_changes(conn: LadybugConnection, tenant: str, node: NodeSchema, new: pa.Table, keep: pa.Array,
                     ) -> tuple[list[str], pa.Table]:
    """As node_changes for a patched label: (stored uids absent from `keep` or whose properties differ from
    their row in `new`; rows of `new` to create).

    The rows of `keep` not in `new` are stored (the caller's promise: a file's unchanged rows). The label's
    stored nodes are counted first: when they are exactly those and the stored ones among `new`, none was
    removed and the stored uid column is not read (a million uids at full size). Fewer means that promise was
    broken: StoreError, nothing written.

    A changed row is deleted and created again, not updated in place: at 1M evidence, 313 rows changed in 2 % of
    the file, updating them in place cost 1.5 s and 130 MB more than creating them again with their 505 links."""
    stored = tables.conformed_nodes(node, _lookup(conn, q.node_with_uid(node), new.column("uid").to_pylist(),
                                                new.slice(0, 0)))
    changed, created = node_changes(node, stored, new)  # the stored rows are all among `new`: changed only
    count = conn.execute(count_nodes(node, True, q.QUERIES.dialect), {"tenant": tenant})[0]["count"]
    expected = len(keep) - new.num_rows + stored.num_rows  # the unchanged rows and the given ones stored
    if count == expected:
        return changed, created
    stored_uids = conn.query_arrow(q.tenant_uids(node), {"tenant": tenant}).column("uid")
    kept = pc.is_in(stored_uids, value_set=keep)
    if pc.sum(kept).as_py() != expected:
        raise StoreError(f"the {node.label} rows this reload keeps are not all stored; nothing was written: "
                         "load the folder again")
    removed = pc.filter(stored_uids, pc.invert(kept)).to_pylist()
    return removed + changed, created


def _links_into(conn: LadybugConnection, tenant: str, node: NodeSchema, uids: Sequence[str],
                patched: Mapping[str, pa.Array]) -> dict[str, pa.Table]:
    """Per relationship type from a patched label to `node`'s label: the stored links into the nodes of `uids`
    (rel type -> source and target uids). A changed node is deleted and created again, and its links with it;
    those from the patched label's rows not given (a file's unchanged chunks) are never compared, so they are
    created again as they were (loaders/register_chunked: the ids they reference are all still there)."""
    found: dict[str, pa.Table] = {}
    for rel in store_schema().relationships:
        if rel.target != node.label or rel.source not in patched or rel.source == node.label:
            continue
        if len(uids) <= q.POINT_ROWS:  # a node may have many links into it (a control's evidence): few nodes alone
            found[rel.type] = _lookup(conn, q.links_to(rel), uids, _empty_links(rel), q.POINT_ROWS)
        else:
            every = conn.query_arrow(q.tenant_links(rel), {"tenant": tenant})
            found[rel.type] = every.filter(pc.is_in(every.column("target"), value_set=pa.array(uids, pa.string())))
    return found


def _controls_of(conn: LadybugConnection, uids: Sequence[str]) -> set[str]:
    """The control ids the stored evidence items of `uids` name."""
    found = _lookup(conn, q.EVIDENCE_CONTROL, uids, _NO_CONTROLS, LINK_POINT_ROWS)
    return set(found.column("control_id").to_pylist())


def _regroup(conn: LadybugConnection, tenant: str, controls: set[str]) -> tuple[list[str], pa.Table]:
    """(stored groups of `controls` that are gone or differ; group rows to create), every group of those
    controls computed again from all their stored evidence items, column-wise as a first load's
    (evidence_groups.group_table)."""
    node = store_schema().nodes[evidence_groups.LABEL]
    if not controls:
        return [], _empty(node)
    uids = sorted(node_uid(tenant, control_id) for control_id in controls)
    items = conn.query_arrow(q.CONTROLS_EVIDENCE, {"controls": uids})
    arrangements = conn.query_arrow(q.CONTROLS_EVIDENCE_ARRANGEMENTS, {"controls": uids})
    evidence = items.join(arrangements, "uid", join_type="left outer")  # an item with no arrangement: null
    del items, arrangements
    new = evidence_groups.group_table(tenant, evidence.select(
        ["control_id", "arrangement_id", "collected_on", "evidence_id", "valid_until"]))
    stored = tables.conformed_nodes(node, conn.query_arrow(groups_of_controls(node, q.QUERIES.dialect), {
        "tenant": tenant, "controls": sorted(controls)}))
    return node_changes(node, stored, new)


def _lookup(conn: LadybugConnection, statement: str, uids: Sequence[str], empty: pa.Table,
            point_rows: int = 0) -> pa.Table:
    """`statement` (a point lookup of $uid; ladybug_queries) for each of the uids, the rows together as a table
    like `empty`: up to `point_rows` uids one by one, more LOOKUP_BATCH at a time (ladybug_queries.each_uid)."""
    if len(uids) <= point_rows:
        rows = [row for uid in uids for row in conn.execute(statement, {"uid": uid})]
        return pa.Table.from_pylist(rows, schema=empty.schema) if rows else empty
    batch = q.each_uid(statement)
    parts = [part for start in range(0, len(uids), LOOKUP_BATCH)
             if (part := conn.query_arrow(batch, {"uids": list(uids[start:start + LOOKUP_BATCH])})).num_rows]
    return pa.concat_tables(parts, promote_options="permissive") if parts else empty


def _empty(node: NodeSchema) -> pa.Table:
    return pa.table({p.name: pa.array([], tables.arrow_type(p)) for p in node.properties})


def _empty_links(rel: RelSchema) -> pa.Table:
    return pa.table({"source": pa.array([], pa.string()), "target": pa.array([], pa.string())})
