"""A tenant's stored nodes and links compared with new ones, column-wise (Arrow): what a load would delete and
create. LadybugDB's reload writes only these differences (graph/ladybug_diff.py); `regtrace validate --tenant`
counts them per register on any store (loaders/register_changes.py), so the two agree on what "changed" means."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from .schema import NodeSchema


def same(a: pa.ChunkedArray, b: pa.ChunkedArray) -> pa.ChunkedArray:
    """Element-wise equality where two nulls are equal (lists compared as Python values)."""
    if pa.types.is_list(a.type):
        return pa.chunked_array([pa.array([x == y for x, y in zip(a.to_pylist(), b.to_pylist(), strict=True)],
                                          pa.bool_())], pa.bool_())
    both_null = pc.and_(pc.is_null(a), pc.is_null(b))
    return pc.or_(both_null, pc.fill_null(pc.equal(a, b), False))


def node_changes(node: NodeSchema, stored: pa.Table, new: pa.Table) -> tuple[list[str], pa.Table]:
    """(uids to delete: stored nodes absent from `new` or whose properties differ; rows of `new` to create:
    absent from `stored` or differing). Both tables conformed to the label's schema."""
    if not stored.num_rows:  # a first load: everything is new (and the table is not copied again)
        return [], new
    removed, added, changed = node_differences(node, stored, new)
    return removed + changed.column("uid").to_pylist(), pa.concat_tables([added, changed])


def node_differences(node: NodeSchema, stored: pa.Table, new: pa.Table) -> tuple[list[str], pa.Table, pa.Table]:
    """(uids of stored nodes absent from `new`; rows of `new` absent from `stored`; rows of `new` whose stored
    node's properties differ). Both tables conformed to the label's schema."""
    if not stored.num_rows:
        return [], new, new.slice(0, 0)
    removed, added, align_new, align_stored = _aligned(stored.column("uid"), new)
    # the nodes in both, aligned by uid, compared one property at a time (a million rows never copied whole)
    differs = pa.array([False] * len(align_new), pa.bool_())
    for name in node.names[1:]:
        equal = same(new.column(name).take(align_new), stored.column(name).take(align_stored))
        differs = pc.or_(differs, pc.invert(equal))
    return removed, added, new.take(pc.filter(align_new, differs))


def digest_differences(stored: pa.Table, new: pa.Table, digests: pa.Array) -> tuple[list[str], pa.Table, pa.Table]:
    """As node_differences, the properties compared by a digest of them: `stored` holds each stored node's uid and
    digest, `digests` the same digest of each row of `new`, in its order."""
    if not stored.num_rows:
        return [], new, new.slice(0, 0)
    removed, added, align_new, align_stored = _aligned(stored.column("uid"), new)
    differs = pc.not_equal(digests.take(align_new), stored.column("digest").take(align_stored))
    return removed, added, new.take(pc.filter(align_new, differs))


def _aligned(stored_uids: pa.ChunkedArray, new: pa.Table) -> tuple[list[str], pa.Table, pa.Array, pa.Array]:
    """(stored uids absent from `new`; rows of `new` absent from the stored ones; the positions in `new` of the
    rows stored, and the stored positions of those rows, aligned). Uids are distinct on each side."""
    new_uids = new.column("uid")
    at = pc.index_in(new_uids, value_set=stored_uids)  # each new row's stored row, or null
    kept_new = pc.is_valid(at)
    removed = pc.filter(stored_uids, pc.invert(pc.is_in(stored_uids, value_set=new_uids))).to_pylist()
    return removed, new.filter(pc.invert(kept_new)), pc.indices_nonzero(kept_new), pc.drop_null(at)


def link_changes(stored: pa.Table, new: pa.Table) -> tuple[pa.Table, pa.Table]:
    """(stored links absent from `new`, links of `new` absent from `stored`), by source and target, each in its
    table's order.

    Each link is made one integer, its source's and target's positions in the dictionaries of the two sides' ends,
    and the integers are looked up: a join on the two text columns held ~250 MB for a million links a side, these
    ~120 MB (bench/README.md, 2026-12-03)."""
    key = ["source", "target"]
    stored, new = stored.select(key), new.select(key)
    if not stored.num_rows or not new.num_rows:
        return stored, new
    stored_sources, new_sources, _ = _positions(stored.column("source"), new.column("source"))
    stored_targets, new_targets, width = _positions(stored.column("target"), new.column("target"))
    stored_links = pc.add(pc.multiply(stored_sources, width), stored_targets)
    new_links = pc.add(pc.multiply(new_sources, width), new_targets)
    del stored_sources, new_sources, stored_targets, new_targets
    removed = stored.filter(pc.invert(pc.is_in(stored_links, value_set=new_links)))
    added = new.filter(pc.invert(pc.is_in(new_links, value_set=stored_links)))
    return removed, added


def _positions(stored: pa.ChunkedArray, new: pa.ChunkedArray) -> tuple[pa.ChunkedArray, pa.ChunkedArray, int]:
    """(each stored value's position in the dictionary of both sides' values; each new value's; the dictionary's
    length), positions as 64-bit integers. A null is a value like any other."""
    both = pa.chunked_array([*stored.cast(new.type).chunks, *new.chunks], new.type).dictionary_encode(
        null_encoding="encode")
    width = max(len(chunk.dictionary) for chunk in both.chunks)  # each chunk holds the dictionary so far
    positions = pa.chunked_array([chunk.indices.cast(pa.int64()) for chunk in both.chunks], pa.int64())
    return positions.slice(0, len(stored)), positions.slice(len(stored)), width
