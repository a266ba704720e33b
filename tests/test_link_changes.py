"""A reload's links compared (graph/table_diff.link_changes: each link made one integer from its ends' positions
in a shared dictionary). Property: it finds exactly the links a plain comparison of (source, target) pairs finds,
in each side's order, whatever the tables' chunks; hand-worked cases pin what integer codes could confuse."""

from __future__ import annotations

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st
from regtrace.graph.table_diff import link_changes

Pair = tuple[str, str]
_ends = st.sampled_from(["e1", "e2", "e3", "e10", "e", "", "c1", "c2", "c12", "1", "2"])
_links = st.lists(st.tuples(_ends, _ends), max_size=40)


def _table(links: list[Pair], pieces: int = 1) -> pa.Table:
    """The links as a table of `pieces` chunks (some may be empty)."""
    step = max(1, -(-len(links) // pieces))
    parts = [links[start:start + step] for start in range(0, max(len(links), 1), step)] + [[]]
    return pa.Table.from_batches(
        [pa.record_batch({"source": pa.array([s for s, _ in part], pa.string()),
                          "target": pa.array([t for _, t in part], pa.string())}) for part in parts])


def _pairs(table: pa.Table) -> list[Pair]:
    return list(zip(table.column("source").to_pylist(), table.column("target").to_pylist(), strict=True))


def _plain(stored: list[Pair], new: list[Pair]) -> tuple[list[Pair], list[Pair]]:
    return [p for p in stored if p not in set(new)], [p for p in new if p not in set(stored)]


@settings(max_examples=300, deadline=None)
@given(_links, _links, st.integers(1, 4), st.integers(1, 4))
def test_link_changes_equal_a_plain_comparison(stored: list[Pair], new: list[Pair], pieces_stored: int,
                                               pieces_new: int) -> None:
    removed, added = link_changes(_table(stored, pieces_stored), _table(new, pieces_new))
    assert (_pairs(removed), _pairs(added)) == _plain(stored, new)


def test_ends_swapped_or_shared_are_different_links() -> None:
    """(a, b) is not (b, a); a source's link to one target is not its link to another; codes built from the
    positions of both sides' ends do not mistake one for the other."""
    stored = [("a", "b"), ("e1", "c1"), ("e2", "c2")]
    new = [("b", "a"), ("e1", "c2"), ("e2", "c1")]
    removed, added = link_changes(_table(stored), _table(new))
    assert _pairs(removed) == stored
    assert _pairs(added) == new


def test_a_source_only_one_side_has() -> None:
    """An end named on one side only still gets a position: its links are removed (stored) or added (new)."""
    removed, added = link_changes(_table([("gone", "c1"), ("e1", "c1")]), _table([("e1", "c1"), ("new", "c9")]))
    assert _pairs(removed) == [("gone", "c1")]
    assert _pairs(added) == [("new", "c9")]


def test_empty_sides() -> None:
    links = [("e1", "c1"), ("e2", "c1")]
    removed, added = link_changes(_table([]), _table(links))
    assert (_pairs(removed), _pairs(added)) == ([], links)
    removed, added = link_changes(_table(links), _table([]))
    assert (_pairs(removed), _pairs(added)) == (links, [])


def test_other_columns_are_left_out() -> None:
    stored = _table([("e1", "c1")]).append_column("note", pa.array(["x"]))
    removed, added = link_changes(stored, _table([("e2", "c1")]))
    assert removed.column_names == added.column_names == ["source", "target"]
