"""A reload compares a whole stored label by digest (graph/ladybug_diff._differences: the engine's hash of each
stored node's properties against the same hash of each new row). Property: on a real LadybugDB, that finds
exactly the nodes the value-by-value comparison finds (graph/table_diff.node_differences), for the labels that
hold every kind of property the ontology has: text, dates, yes/no, whole numbers, and lists of text and dates.
Hand-worked examples pin the values a digest could confuse: a blank text against no text, an empty list against
none, values moved between properties or between the items of a list."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from regtrace.graph import ladybug_diff, tables
from regtrace.graph import ladybug_queries as q
from regtrace.graph.ladybug_connection import LadybugConnection
from regtrace.graph.schema import NodeSchema, Property, store_schema
from regtrace.graph.table_diff import node_differences

# together these hold every datatype of the ontology, single and as lists
LABELS = ("OutsourcingArrangement", "EvidenceGroup", "Control")
_tenants = itertools.count()
Found = tuple[set[str], set[str], set[str]]  # the uids removed, added and changed


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LadybugConnection]:
    conn = LadybugConnection(tmp_path_factory.mktemp("digests") / "graph.lbdb", read_only=False)
    for label in LABELS:
        conn.execute(q.create_node_table(store_schema().nodes[label]))
    yield conn
    conn.close()


def _node(label: str) -> NodeSchema:
    return store_schema().nodes[label]


def _differences(conn: LadybugConnection, node: NodeSchema, stored: list[dict[str, Any]],
                 new: list[dict[str, Any]]) -> tuple[Found, Found]:
    """(by digest, value by value): the uids removed, added and changed, for `stored` written under a tenant
    of its own and compared with `new`."""
    tenant = f"t{next(_tenants)}"
    for rows in (stored, new):
        for row in rows:
            row["uid"], row["tenant"] = f"{tenant}:{row['uid'].split(':')[-1]}", tenant
    schema = pa.schema([(p.name, tables.arrow_type(p)) for p in node.properties])  # a property not given: null
    if stored:
        conn.copy_from(node.label, pa.Table.from_pylist(stored, schema=schema))
    new_table = pa.Table.from_pylist(new, schema=schema)
    removed, added, changed = ladybug_diff._differences(conn, tenant, node, new_table, None)
    read_back = tables.conformed_nodes(node, conn.query_arrow(q.tenant_nodes(node), {"tenant": tenant}))
    exact = node_differences(node, read_back, new_table)

    def uids(found: tuple[list[str], pa.Table, pa.Table]) -> Found:
        return (set(found[0]), set(found[1].column("uid").to_pylist()), set(found[2].column("uid").to_pylist()))

    return uids((removed, added, changed)), uids(exact)


_TEXT = st.sampled_from(["", " ", "a", "ab", "b", "雲端", "a\nb", "a,b", '"']) | st.text(max_size=6)
_DATE = st.dates(dt.date(1999, 1, 1), dt.date(2031, 12, 31))


def _value(p: Property) -> st.SearchStrategy[Any]:
    if p.name in ("uid", "tenant"):
        return st.just("")
    one: st.SearchStrategy[Any] = {"string": _TEXT, "date": _DATE, "boolean": st.booleans(),
                                   "integer": st.integers(-3, 3) | st.integers(-(2 ** 63), 2 ** 63 - 1)}[p.datatype]
    if p.many:
        return st.none() | st.lists(st.none() | one, max_size=3)
    return st.none() | one


@st.composite
def _case(draw: st.DrawFn) -> tuple[str, list[dict[str, Any]], list[dict[str, Any]]]:
    node = _node(draw(st.sampled_from(LABELS)))

    def row(uid: int) -> dict[str, Any]:
        return {p.name: draw(_value(p)) for p in node.properties} | {"uid": f"x:{uid}"}

    editable = [p for p in node.properties if p.name not in ("uid", "tenant")]
    stored = [row(i) for i in range(draw(st.integers(0, 8)))]
    new: list[dict[str, Any]] = []
    for old in stored:
        what = draw(st.sampled_from(["same", "same", "removed", "edited", "swapped", "reordered"]))
        p, other = draw(st.permutations(editable))[:2]
        if what == "same":
            new.append(dict(old))
        elif what == "edited":
            new.append(dict(old) | {p.name: draw(_value(p))})  # may be the value it had
        elif what == "swapped" and (p.datatype, p.many) == (other.datatype, other.many):
            new.append(dict(old) | {p.name: old[other.name], other.name: old[p.name]})
        elif what == "reordered" and p.many and old[p.name]:
            new.append(dict(old) | {p.name: draw(st.permutations(old[p.name]))})
        elif what != "removed":
            new.append(dict(old))
    new += [row(100 + i) for i in range(draw(st.integers(0, 3)))]
    return node.label, stored, new


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=_case())
def test_the_digests_find_exactly_the_nodes_the_values_differ_in(engine: LadybugConnection,
                                                                  case: tuple[str, list[dict[str, Any]],
                                                                              list[dict[str, Any]]]) -> None:
    label, stored, new = case
    by_digest, by_value = _differences(engine, _node(label), stored, new)
    assert by_digest == by_value


def _arrangement(**values: Any) -> dict[str, Any]:
    return {"uid": "x:A1", "arrangement_id": "A1", "name": "核心系統", "data_locations": ["TW"],
            "start_date": dt.date(2025, 1, 1), "material": True} | values


@pytest.mark.parametrize(("before", "after"), [
    ({"name": ""}, {"name": None}),  # a blank name is not no name
    ({"data_locations": []}, {"data_locations": None}),  # an empty list is not no list
    ({"data_locations": ["TW", "JP"]}, {"data_locations": ["TWJP"]}),
    ({"data_locations": ["TW", "JP"]}, {"data_locations": ["JP", "TW"]}),
    ({"data_locations": ["TW", None]}, {"data_locations": ["TW"]}),
    ({"name": "A", "service_model": "B"}, {"name": "B", "service_model": "A"}),  # values swapped
    ({"name": "AB", "service_model": ""}, {"name": "A", "service_model": "B"}),
    ({"start_date": dt.date(2025, 1, 1)}, {"start_date": dt.date(2025, 1, 2)}),
    ({"material": True}, {"material": False}),
    ({"material": False}, {"material": None}),
    ({"facts": None, "data_locations": ["TW"]}, {"facts": ["TW"], "data_locations": None}),
])
def test_a_change_a_digest_could_confuse_is_found(engine: LadybugConnection, before: dict[str, Any],
                                                   after: dict[str, Any]) -> None:
    stored = _arrangement(**before)
    by_digest, by_value = _differences(engine, _node("OutsourcingArrangement"), [stored], [_arrangement(**after)])
    assert by_digest == by_value == (set(), set(), {f"{stored['tenant']}:A1"})


def test_unchanged_nodes_added_and_removed_ones_are_told_apart(engine: LadybugConnection) -> None:
    kept, gone = _arrangement(), _arrangement(uid="x:A2", arrangement_id="A2")
    added = _arrangement(uid="x:A3", arrangement_id="A3", data_locations=None)
    by_digest, by_value = _differences(engine, _node("OutsourcingArrangement"), [kept, gone], [dict(kept), added])
    tenant = kept["tenant"]
    assert by_digest == by_value == ({f"{tenant}:A2"}, {f"{tenant}:A3"}, set())


def test_a_label_emptied_or_new_is_removed_or_added_whole(engine: LadybugConnection) -> None:
    node = _node("Control")
    rows = [{"uid": f"x:C{i}", "control_id": f"C{i}", "frequency_months": i, "applies_to_all": i % 2 == 0}
            for i in range(3)]
    emptied, _ = _differences(engine, node, [dict(r) for r in rows], [])
    assert (len(emptied[0]), emptied[1], emptied[2]) == (3, set(), set())
    first, _ = _differences(engine, node, [], [dict(r) for r in rows])
    assert (first[0], len(first[1]), first[2]) == (set(), 3, set())



def test_the_new_rows_are_not_held_once_compared(engine: LadybugConnection) -> None:
    """The new rows go to the engine as an Arrow table (`LOAD FROM`); the driver's statement cache kept the last
    table given to each statement, so a reload held a million new evidence rows (~190 MB) until it ended. Once
    the comparison is done and its caller lets go of the rows, their memory is free."""
    node = _node("Control")
    schema = pa.schema([(p.name, tables.arrow_type(p)) for p in node.properties])
    engine.copy_from(node.label, pa.Table.from_pylist([{"uid": "held:stored", "tenant": "held"}], schema=schema))
    pool = pa.default_memory_pool()
    before = pool.bytes_allocated()
    new = pa.table({p.name: pa.array([f"held:{i:06d}" if p.name == "uid" else "held" if p.name == "tenant" else
                                      f"{p.name}-{i:06d}" if p.datatype == "string" else None for i in range(50_000)],
                                     tables.arrow_type(p)) for p in node.properties if not p.many})
    held = pool.bytes_allocated() - before
    assert held > 2_000_000  # the table is large enough to tell
    removed, added, changed = ladybug_diff._differences(engine, "held", node, tables.conformed_nodes(node, new), None)
    assert (removed, added.num_rows, changed.num_rows) == (["held:stored"], 50_000, 0)
    del new, added, changed
    assert pool.bytes_allocated() - before < held / 10
