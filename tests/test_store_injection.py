"""Injection attempts through ids, register values and filter values are stored and matched as data, never
run as Cypher, on every store; names that are not in the ontology never reach a query."""

from __future__ import annotations

import datetime as dt

import pytest
from regtrace.graph.filters import Compare, FilterError, Hop, NodeQuery, Or, RelatedQuery, SortKey
from regtrace.graph.port import Store
from regtrace.trace import trace
from trace_fixtures import Registers, write_test_regulation

EVIL = (
    "x'}) DETACH DELETE n //",
    "x\"}) MATCH (m) DETACH DELETE m //",
    '" OR 1=1 --',
    "' OR '1'='1",
    "`Provision`) DETACH DELETE n //",
    "$tenant",
    "$p0 }) RETURN 1 UNION MATCH (n) DETACH DELETE n //",
    "\\'; CALL dbms.shutdown() //",
    "行\n二\t三 {uid: 'A4'}",
)


@pytest.fixture
def evil_store(store: Store) -> Store:
    """The test regulation and a tenant whose ids and values are all injection attempts."""
    write_test_regulation(store)
    reg = Registers("t1")
    reg.csp(EVIL[0])
    for i, text in enumerate(EVIL):
        reg.arrangement(text, ["internet_access"], csp=EVIL[0])
        reg.control(f"C{i}{text}", ["A7.P1.I1"], applies_to=[text])
        reg.evidence(f"E{i}{text}", f"C{i}{text}", dt.date(2026, 10, 1), text)
    reg.write(store)
    return store


def test_evil_ids_and_values_are_stored_as_data(evil_store: Store) -> None:
    ids = sorted(r["arrangement_id"] for r in evil_store.nodes("OutsourcingArrangement", "t1"))
    assert ids == sorted(EVIL)
    assert evil_store.count("Provision") == 15 and evil_store.count("Control") == len(EVIL)
    rows = trace(evil_store, "t1", dt.date(2026, 11, 29))
    assert {(r.subject, r.status) for r in rows if r.provision == "A7.P1.I1"} == {(t, "covered") for t in EVIL}
    assert evil_store.tenants() == ["t1"]


@pytest.mark.parametrize("text", EVIL)
def test_evil_filter_values_match_only_themselves(evil_store: Store, text: str) -> None:
    found = evil_store.find(NodeQuery("OutsourcingArrangement", "t1", Compare("arrangement_id", "eq", text)))
    assert [r["arrangement_id"] for r in found] == [text]
    either = Or((Compare("name", "contains", text), Compare("arrangement_id", "in", (text, "nothing"))))
    assert evil_store.count_matching("OutsourcingArrangement", "t1", either) == 1
    assert evil_store.find(NodeQuery("OutsourcingArrangement", text, None)) == []
    assert evil_store.count_matching("Provision", None, Compare("provision_id", "starts_with", text)) == 0
    uid = f"t1/{text}"
    assert [r["uid"] for r in evil_store.nodes_by_uid("OutsourcingArrangement", [uid, text], "t1")] == [uid]
    related = evil_store.related(RelatedQuery("OutsourcingArrangement", (uid,),
                                              (Hop("APPLIES_TO", "in", "Control", wildcard="applies_to_all"),), "t1"))
    assert [r["control_id"] for r in related] == [f"C{EVIL.index(text)}{text}"]
    assert evil_store.count("Provision") == 15


def test_evil_deletes_delete_only_their_own(evil_store: Store) -> None:
    evil_store.write(lambda w: w.delete_tenant(EVIL[0]))
    evil_store.write(lambda w: w.delete_nodes("OutsourcingArrangement", [EVIL[1], f"t1/{EVIL[2]}"]))
    assert evil_store.count("OutsourcingArrangement", "t1") == len(EVIL) - 1
    assert evil_store.count("Provision") == 15


@pytest.mark.parametrize("name", ["uid) DETACH DELETE n //", "`uid`", "name OR 1=1", "$p0"])
def test_names_outside_the_ontology_never_reach_a_query(evil_store: Store, name: str) -> None:
    with pytest.raises(FilterError):
        evil_store.find(NodeQuery("Provision", None, Compare(name, "eq", 1)))
    with pytest.raises(FilterError):
        evil_store.find(NodeQuery("Provision", None, None, (SortKey(name),)))
    with pytest.raises(FilterError):
        evil_store.related(RelatedQuery("Provision", ("A7",), (Hop(name, "in", "Provision"),), None))
    with pytest.raises((KeyError, FilterError)):
        evil_store.find(NodeQuery(name, None))
    assert evil_store.count("Provision") == 15
