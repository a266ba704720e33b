"""One suite for every store behind the port: the same inputs give the same rows, trace, gaps, coverage and
API reads on LadybugDB and Neo4j (compared as type-tagged JSON), and the port's write contract holds on each."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conformance_data import canonical, install, observe, trace_views, typed
from regtrace.graph.port import Link, Store, Writer
from regtrace.graph.schema import store_schema
from trace_fixtures import Registers, node

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "insurer"


def test_every_store_gives_the_same_answers(store_pair: dict[str, Store]) -> None:
    seen = {}
    for kind, store in store_pair.items():
        install(store)
        seen[kind] = observe(store)
    reference, other = seen["ladybug"], seen["neo4j"]
    assert reference.keys() == other.keys()
    for key in reference:
        assert typed(other[key]) == typed(reference[key]), key
    assert canonical(other) == canonical(reference)
    assert reference["count Provision"] > 100 and reference["trace t1 2026-11-29"], "the comparison saw real data"


@pytest.mark.skipif(not EXAMPLES.is_dir(), reason="examples/insurer is not in the repository yet")
def test_the_example_insurer_traces_the_same_on_every_store(store_pair: dict[str, Store]) -> None:
    from regtrace.loaders.registers import load_registers

    from regtrace.regulation_graph import obligations_under
    from regtrace.seed import install_seed

    seen = {}
    for kind, store in store_pair.items():
        install_seed(store)
        load_registers(store, EXAMPLES, "example", obligations_under(store))
        views = trace_views(store, "example", dt.date(2026, 11, 29))
        seen[kind] = {**views, **{label: store.nodes(label, "example") for label in store_schema().nodes}}
    assert canonical(seen["neo4j"]) == canonical(seen["ladybug"])


# ---------------------------------------------------------------- the write contract, on each store


def _arrangement(tenant: str, aid: str, **props: object) -> dict[str, object]:
    return node("OutsourcingArrangement", tenant, arrangement_id=aid, name=aid, **props)


def test_rows_carry_python_types(store: Store) -> None:
    row = _arrangement("t1", "A", material=True, facts=["offshore"], data_locations=[], start_date=dt.date(2024, 2, 29))
    control = node("Control", "t1", control_id="C", frequency_months=6, applies_to_all=False)

    def unit(w: Writer) -> None:
        w.create_nodes("OutsourcingArrangement", [row])
        w.create_nodes("Control", [control])

    store.write(unit)
    [got] = store.nodes("OutsourcingArrangement", "t1")
    assert got.keys() == set(store_schema().nodes["OutsourcingArrangement"].names)
    assert typed(got) == typed(row)
    assert got["start_date"] == dt.date(2024, 2, 29) and type(got["start_date"]) is dt.date
    assert got["data_locations"] == [] and got["end_date"] is None and got["offshore"] is None
    [c] = store.nodes("Control", "t1")
    assert type(c["frequency_months"]) is int and c["applies_to_all"] is False


def test_a_failing_unit_leaves_nothing(store: Store) -> None:
    reg = Registers()
    reg.csp()
    reg.write(store)

    def unit(w: Writer) -> None:
        w.delete_tenant("t1")
        w.create_nodes("OutsourcingArrangement", [_arrangement("t1", "A")])
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        store.write(unit)
    assert store.count("OutsourcingArrangement") == 0
    assert [r["csp_id"] for r in store.nodes("CloudServiceProvider", "t1")] == ["CSP1"]


def test_upsert_updates_and_none_clears(store: Store) -> None:
    first = _arrangement("t1", "A", service_model="SaaS", facts=["material"])
    store.write(lambda w: w.upsert_nodes("OutsourcingArrangement", [first]))
    second = {**first, "service_model": None, "facts": None, "name": "renamed"}
    store.write(lambda w: w.upsert_nodes("OutsourcingArrangement", [second]))
    [got] = store.nodes("OutsourcingArrangement")
    assert (got["service_model"], got["facts"], got["name"]) == (None, None, "renamed")
    assert store.count("OutsourcingArrangement") == 1


def test_links_are_created_once_and_deleted_with_their_nodes(store: Store) -> None:
    reg = Registers()
    reg.csp()
    reg.arrangement("A1")
    reg.arrangement("A2")
    reg.write(store)
    again = [Link("t1/A1", "t1/CSP1")]
    store.write(lambda w: w.link("PROVIDED_BY", again))
    links = store.links("PROVIDED_BY", "t1")
    assert [(r["source"], r["target"]) for r in links] == [("t1/A1", "t1/CSP1"), ("t1/A2", "t1/CSP1")]
    store.write(lambda w: w.delete_nodes("OutsourcingArrangement", ["t1/A1", "t1/unknown"]))
    links = store.links("PROVIDED_BY", "t1")
    assert [r["source"] for r in links] == ["t1/A2"]


def test_create_links_and_edge_properties(store: Store) -> None:
    instruments = [{**{n: None for n in store_schema().nodes["Instrument"].names}, "uid": i, "instrument_id": i}
                   for i in ("I1", "I2")]
    provision = {**{n: None for n in store_schema().nodes["Provision"].names}, "uid": "P", "provision_id": "P"}

    def unit(w: Writer) -> None:
        w.create_nodes("Instrument", instruments)
        w.create_nodes("Provision", [provision])
        w.create_links("REFERENCES", [
            Link("P", "I1", {"articles": [9], "points": []}), Link("P", "I2", {"articles": None, "points": None})])

    store.write(unit)
    rows = store.links("REFERENCES")
    assert typed(rows) == typed([{"source": "P", "target": "I1", "articles": [9], "points": []},
                                 {"source": "P", "target": "I2", "articles": None, "points": None}])


def test_delete_tenant_keeps_other_tenants_and_the_regulation(store: Store) -> None:
    for tenant in ("t1", "t2"):
        reg = Registers(tenant)
        reg.csp()
        reg.arrangement("A")
        reg.write(store)
    store.write(lambda w: w.delete_tenant("t1"))
    assert store.tenants() == ["t2"]
    assert store.count("OutsourcingArrangement", "t1") == 0 and store.count("OutsourcingArrangement") == 1


def _arrangement_ids(store: Store, tenant: str = "t1") -> list[str]:
    return [r["arrangement_id"] for r in store.nodes("OutsourcingArrangement", tenant)]


def test_replace_tenant_is_all_or_nothing_and_unseen_until_done(store: Store) -> None:
    """A tenant's registers replaced whole: while the new ones are written every read sees the old ones (the
    whole-label, per-tenant, by-uid, path and trace reads); a failure after part of them leaves the old ones;
    a success leaves only the new ones, the other tenant untouched."""
    for tenant, ids in (("t1", ["OLD1", "OLD2"]), ("t2", ["OTHER"])):
        reg = Registers(tenant)
        reg.csp()
        for aid in ids:
            reg.arrangement(aid)
        reg.write(store)
    new = Registers("t1")
    new.csp()
    new.arrangement("NEW")
    seen: list[object] = []

    def replacing(w: Writer) -> None:
        w.delete_tenant("t1")
        new.create(w)

    def failing(w: Writer) -> None:
        replacing(w)
        seen.append((_arrangement_ids(store), store.count("OutsourcingArrangement"), store.tenants(),
                     [r["uid"] for r in store.nodes_by_uid("OutsourcingArrangement", ["t1/NEW", "t1/OLD1"], "t1")],
                     sorted(r["source"] for r in store.links("PROVIDED_BY"))))
        raise RuntimeError("the disk is full")

    with pytest.raises(RuntimeError, match="disk is full"):
        store.replace_tenant("t1", failing)
    old_view = (["OLD1", "OLD2"], 3, ["t1", "t2"], ["t1/OLD1"], ["t1/OLD1", "t1/OLD2", "t2/OTHER"])
    assert seen == [old_view]
    assert (_arrangement_ids(store), store.count("OutsourcingArrangement"), store.tenants()) == old_view[:3]
    assert store.count("CloudServiceProvider", "t1") == 1

    store.replace_tenant("t1", replacing)
    assert _arrangement_ids(store) == ["NEW"] and _arrangement_ids(store, "t2") == ["OTHER"]
    assert store.count("OutsourcingArrangement") == 2 and store.count("CloudServiceProvider") == 2
    assert sorted(r["source"] for r in store.links("PROVIDED_BY")) == ["t1/NEW", "t2/OTHER"]


def test_tenants_are_those_with_registers_in_unicode_and_sorted(store: Store) -> None:
    """The one read `regtrace.tenants` relies on: a token or a change-log entry alone makes no tenant; a
    Unicode tenant name is returned as written."""
    assert store.tenants() == []
    for tenant in ("國泰人壽", "alpha"):
        reg = Registers(tenant)
        reg.csp()
        reg.arrangement("A")
        reg.write(store)
    token = {"uid": "tok1", "token_id": "tok1", "name": "n", "role": "board", "tenant": "ghost",
             "hash": "0" * 64, "created_at": "2026-11-29T00:00:00", "revoked": False}
    store.write(lambda w: w.create_nodes("ApiToken", [{**dict.fromkeys(store_schema().nodes["ApiToken"].names),
                                                       **token}]))
    assert store.tenants() == sorted(["國泰人壽", "alpha"])


# ---------------------------------------------------------------- the registers the trace reads whole, on each store


def test_company_systems_findings_and_approvals_as_the_trace_reads_them(store: Store) -> None:
    install(store)
    assert store.company("t1") == {"legal_name": "範例人壽保險股份有限公司台灣分公司",
                                   "legal_name_en": "Example Life Insurance, Taiwan Branch",
                                   "foreign_branch": True, "multi_cloud": False}
    assert store.company("t2") is None and store.company("nobody") is None
    # S4 (ARR2) gives none of material, natural_person_data, data_locations: the trace does not read it; S1's
    # empty data_locations is given.
    assert typed(store.systems_describing_materiality("t1")) == typed([
        {"arrangement_id": "ARR1", "system_id": "S1", "material": None, "natural_person_data": None,
         "data_locations": []},
        {"arrangement_id": "ARR1", "system_id": "S2", "material": True, "natural_person_data": True,
         "data_locations": ["TW", "SG"]},
        {"arrangement_id": "ARR2", "system_id": "S3", "material": False, "natural_person_data": None,
         "data_locations": None},
    ])
    assert store.systems_describing_materiality("t2") == []
    assert typed(store.findings("t1")) == typed([
        {"finding_id": "F1", "title": None, "audit_id": "AU1", "performed_on": dt.date(2026, 3, 3),
         "arrangement_id": "ARR1", "severity": "high", "status": "open", "due_on": dt.date(2026, 12, 1),
         "closed_on": None, "obligations": []},
        {"finding_id": "F2", "title": "契約缺資料刪除條款", "audit_id": "AU3", "performed_on": dt.date(2024, 4, 4),
         "arrangement_id": "ARR3", "severity": "medium", "status": "closed", "due_on": dt.date(2026, 6, 30),
         "closed_on": dt.date(2026, 7, 2), "obligations": ["A10.P1.I6.S2", "A6.P1.I2", "A6.P1.I4"]},
    ])
    assert typed(store.approvals("t1")) == typed([
        {"approval_id": "AP1", "arrangement_id": "ARR1", "kind": "fsc_approval",
         "reference": "金管保綜字第1140000001號",
         "decided_on": dt.date(2021, 2, 1), "valid_until": dt.date(2031, 1, 31),
         "obligations": ["A6.P1.I7", "A9.P1.I1.S1"]},
        {"approval_id": "AP2", "arrangement_id": None, "kind": "board_resolution", "reference": "第5屆第3次董事會",
         "decided_on": dt.date(2025, 3, 1), "valid_until": None, "obligations": ["A4.P1.I1"]},
    ])
    assert store.findings("t2") == [] and store.approvals("t2") == []


def test_a_kept_trace_reads_back_is_replaced_by_the_next_and_outlives_a_load(store: Store) -> None:
    """The API server's last trace per tenant (TraceSnapshot, api/precompute.py): read back row for row, one per
    tenant (the next replaces it), no tenant of its own, and kept when the tenant's registers are replaced."""
    from regtrace.api.context import compute_trace
    from regtrace.api.precompute import _upsert, snapshot_row, stored_results

    reg = Registers("t1")
    reg.csp()
    reg.arrangement("A")
    reg.write(store)
    day = dt.date(2026, 11, 29)
    result = compute_trace(store, "t1", day)
    row, digest = snapshot_row("t1", result)
    _upsert(store, row)
    _upsert(store, {**row, "computed_at": "2026-11-29T01:02:03+00:00"})
    kept = stored_results(store)
    assert list(kept) == ["t1"] and store.count("TraceSnapshot") == 1 and store.tenants() == ["t1"]
    assert kept["t1"].rows == result.rows and kept["t1"].as_of == day and kept["t1"].digest == digest
    assert kept["t1"].computed_at == dt.datetime(2026, 11, 29, 1, 2, 3, tzinfo=dt.UTC)

    def reload(w: Writer) -> None:
        w.delete_tenant("t1")
        reg.create(w)

    store.replace_tenant("t1", reload)
    assert stored_results(store)["t1"].rows == result.rows


# ---------------------------------------------------------------- a tenant read as tables; what a load would change


def _edited(folder: Path, name: str, old: bytes, new: bytes) -> None:
    """Replace `old` by `new` once in a register file (bytes: controls.csv is Big5, evidence.csv UTF-8)."""
    data = (folder / name).read_bytes()
    assert data.count(old) == 1, (name, old)
    (folder / name).write_bytes(data.replace(old, new))


def test_a_tenant_reads_as_tables_and_a_changed_reference_is_a_change(seeded_store: Store, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    from regtrace.graph import cypher_store
    from regtrace.loaders.register_changes import plan_changes
    from regtrace.loaders.registers import convert_registers, load_registers, read_registers

    from regtrace.regulation_graph import obligations_under

    store, under = seeded_store, obligations_under(seeded_store)
    load_registers(store, EXAMPLES, "example", under)
    monkeypatch.setattr(cypher_store, "TABLE_PAGE", 7)  # a store reading in pages reads many (125 evidence items)
    schema = store_schema()
    for label, spec in schema.nodes.items():
        if spec.tenant_scoped:
            table = store.node_table(label, "example")
            assert table.column_names == list(spec.names), label
            assert canonical(sorted(table.to_pylist(), key=lambda r: r["uid"])) == \
                canonical(store.nodes(label, "example")), label
            assert sorted(store.uids(label, "example").to_pylist()) == \
                [r["uid"] for r in store.nodes(label, "example")], label
    for rel in schema.relationships:
        if schema.nodes[rel.source].tenant_scoped:
            table = store.link_table(rel.type, "example")
            assert sorted(zip(table.column("source").to_pylist(), table.column("target").to_pylist(), strict=True)) \
                == sorted((r["source"], r["target"]) for r in store.links(rel.type, "example")), rel.type
    assert store.node_table("Evidence", "example").num_rows == 125 and store.link_table("EVIDENCES", "example")
    load_registers(store, EXAMPLES, "exampl", under)  # a tenant whose name begins the other's: neither reads the other
    for tenant in ("example", "exampl"):
        assert set(store.node_table("Evidence", tenant).column("tenant").to_pylist()) == {tenant}
        assert store.link_table("EVIDENCES", tenant).num_rows == len(store.links("EVIDENCES", tenant)) == 125
        assert len(uids := store.uids("Evidence", tenant).to_pylist()) == 125 and all(u.startswith(f"{tenant}/")
                                                                                    for u in uids)

    # by hand: one control now satisfies another obligation (a link), one evidence item proves another control (a
    # link), one has another title (a property); nothing else differs
    folder = tmp_path / "edited"
    shutil.copytree(EXAMPLES, folder)
    _edited(folder, "controls.csv", b",12,A4.P1.I1,", b",12,A4.P1.I2,")
    _edited(folder, "evidence.csv", b"EV-0001,CTL-GOV-01,", b"EV-0001,CTL-GOV-02,")
    _edited(folder, "evidence.csv", "EV-0002,CTL-GOV-01,,2025-10-15,,雲端服務管理規範檢視紀錄 114年10月".encode(),
            "EV-0002,CTL-GOV-01,,2025-10-15,,雲端服務管理規範檢視紀錄 114年10月（補）".encode())
    dataset, converted = convert_registers(folder, "example", under)
    changes = {c.register: c for c in plan_changes(store, "example", dataset, converted=converted)}
    assert (changes["controls"].changed, changes["controls"].unchanged) == (1, 39)
    assert (changes["evidence"].added, changes["evidence"].changed, changes["evidence"].removed,
            changes["evidence"].unchanged) == (0, 2, 0, 123)
    assert all((c.added, c.changed, c.removed) == (0, 0, 0) for name, c in changes.items()
               if name not in ("controls", "evidence"))
    assert {c.register: c for c in plan_changes(store, "example", read_registers(folder, under))} == changes
    assert all(c.changed == 0 for c in plan_changes(store, "example", read_registers(EXAMPLES, under)))
