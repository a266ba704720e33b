"""Loading registers into a real LadybugDB store: rows, links, all-or-nothing, replacement, tenants."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from regtrace.graph import ladybug_bulk
from regtrace.graph.ladybug_store import LadybugStore
from regtrace.graph.port import Link, Row, Writer
from regtrace.graph.schema import store_schema
from regtrace.loaders.register_graph import arrangement_facts, register_graph
from regtrace.loaders.registers import load_registers, read_registers
from test_register_validation import UNDER, registers, write_csv, write_folder

from regtrace.errors import InputError, RegisterError, StoreError

OBLIGATIONS = [
    {**dict.fromkeys(store_schema().nodes["Obligation"].names), "uid": oid, "obligation_id": oid, "modality": "shall",
     "falls_on": falls, "rule": rule, "conditions": [], "frequency_months": None, "article": article, "ordinal": i}
    for i, (oid, falls, rule, article) in enumerate([
        ("A4.P1.I1", "company", "control_evidence", 4),
        ("A6.P1.I1", "arrangement", "contract_clause", 6),
        ("A6.P1.I2", "arrangement", "contract_clause", 6),
    ])
]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[LadybugStore]:
    s = LadybugStore(tmp_path / "store")
    s.write(lambda w: w.upsert_nodes("Obligation", OBLIGATIONS))
    yield s
    s.close()


def snapshot(store: LadybugStore, tenant: str | None = None) -> dict[str, list[Row]]:
    """Every tenant-scoped node and link (of one tenant, or all)."""
    schema = store_schema()
    found = {label: store.nodes(label, tenant) for label, node in schema.nodes.items() if node.tenant_scoped}
    for rel in schema.relationships:
        if schema.nodes[rel.source].tenant_scoped:
            found[rel.type] = store.links(rel.type, tenant)
    return found


def pairs(store: LadybugStore, rel_type: str, tenant: str = "t1") -> set[tuple[str, str]]:
    return {(r["source"], r["target"]) for r in store.links(rel_type, tenant)}


def test_load_writes_every_node_and_link(store: LadybugStore, tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "regs")
    write_csv(folder / "evidence.csv", [dict(r, reviewer="王小明") for r in registers()["evidence"]])
    counts = load_registers(store, folder, "t1", UNDER)
    assert counts == {"csps": 2, "arrangements": 2, "audits": 1, "certifications": 1, "contracts": 1,
                      "controls": 2, "evidence": 2, "findings": 2, "systems": 2, "company": 1, "approvals": 2}
    schema = store_schema().nodes
    for label in ("CloudServiceProvider", "OutsourcingArrangement", "Control", "Evidence", "Finding", "System",
                  "Company", "Approval"):
        for row in store.nodes(label, "t1"):
            assert set(row) == set(schema[label].names)
            assert row["tenant"] == "t1" and row["uid"] == f"t1/{row[schema[label].key]}"
    a1, a2 = store.nodes("OutsourcingArrangement", "t1")
    assert a1["facts"] == ["material", "offshore", "natural_person_data", "customer_data", "self_managed",
                           "hybrid_cloud", "internet_access", "vm_or_container_images", "subcontracting"]
    assert a2["facts"] == []
    assert a1["data_locations"] == ["TW", "SG"] and a1["start_date"] == dt.date(2024, 1, 1)
    ct1, ct2 = store.nodes("Control", "t1")
    assert ct1["applies_to_all"] is True and ct2["applies_to_all"] is False
    e1, e2 = store.nodes("Evidence", "t1")
    assert json.loads(e1["extra"]) == {"reviewer": "王小明"}
    assert e2["sha256"] is None and e2["collected_on"] == dt.date(2026, 10, 1)

    assert pairs(store, "PROVIDED_BY") == {("t1/A1", "t1/C1"), ("t1/A2", "t1/C2")}
    assert pairs(store, "SATISFIES") == {("t1/CT1", "A6.P1.I1"), ("t1/CT1", "A6.P1.I2"), ("t1/CT2", "A4.P1.I1")}
    assert pairs(store, "COVERS_CLAUSE") == {("t1/K1", "A6.P1.I1"), ("t1/K1", "A6.P1.I2")}
    assert pairs(store, "APPLIES_TO") == {("t1/CT2", "t1/A1"), ("t1/CT2", "t1/A2")}  # none for '*'
    assert pairs(store, "EVIDENCES") == {("t1/E1", "t1/CT1"), ("t1/E2", "t1/CT2")}
    assert pairs(store, "CONCERNS") == {("t1/E1", "t1/A1")}  # only when given
    assert pairs(store, "HELD_BY") == {("t1/CERT1", "t1/C1")}
    assert pairs(store, "RUNS_UNDER") == {("t1/S1", "t1/A1"), ("t1/S2", "t1/A2")}
    assert pairs(store, "GOVERNS") == {("t1/K1", "t1/A1")}
    assert pairs(store, "AUDITS") == {("t1/AU1", "t1/A1")}
    assert pairs(store, "RAISED_IN") == {("t1/F1", "t1/AU1"), ("t1/F2", "t1/AU1")}
    assert pairs(store, "CITES") == {("t1/F1", "A6.P1.I2"), ("t1/F1", "A4.P1.I1")}  # F2 cites nothing
    assert pairs(store, "AUTHORISES") == {("t1/AP1", "t1/A1")}  # AP2 is the company's
    assert pairs(store, "SUPPORTS") == {("t1/AP1", "A6.P1.I1"), ("t1/AP1", "A6.P1.I2")}  # A6.P1, expanded
    s1, s2 = store.nodes("System", "t1")
    assert (s1["material"], s1["natural_person_data"], s1["data_locations"]) == (True, True, ["TW", "SG"])
    assert (s2["material"], s2["natural_person_data"], s2["data_locations"]) == (None, None, None)
    [company] = store.nodes("Company", "t1")
    assert (company["legal_name"], company["legal_name_en"], company["foreign_branch"], company["multi_cloud"]) == (
        "範例人壽保險股份有限公司台灣分公司", "Example Life, Taiwan Branch", True, False)
    ap1, ap2 = store.nodes("Approval", "t1")
    assert (ap1["kind"], ap1["reference"], ap1["decided_on"], ap1["valid_until"]) == (
        "fsc_approval", "金管保綜字第1150000001號", dt.date(2025, 12, 1), None)
    assert (ap2["kind"], ap2["valid_until"]) == ("board_resolution", dt.date(2026, 3, 14))
    f1, f2 = store.nodes("Finding", "t1")
    assert (f1["title"], f2["title"]) == ("備份契約條款不足", None)
    assert store.tenants() == ["t1"]


def test_a_provision_expands_to_each_obligation_once(tmp_path: Path) -> None:
    data = registers()
    data["controls"][0]["satisfies"] = "A6;A6.P1;A6.P1.I1"
    graph = register_graph(read_registers(write_folder(tmp_path, data), UNDER), "t1")
    links = graph.links[("SATISFIES", "Control", "Obligation")]
    assert [(lk.source, lk.target) for lk in links if lk.source == "t1/CT1"] == [
        ("t1/CT1", "A6.P1.I1"), ("t1/CT1", "A6.P1.I2")]


def test_self_managed_is_derived_from_the_service_model() -> None:
    facts = ("material", "self_managed", "offshore")
    assert arrangement_facts({"service_model": "PaaS", "material": False, "offshore": True}, facts) == [
        "self_managed", "offshore"]
    assert arrangement_facts({"service_model": "SaaS", "material": True}, facts) == ["material"]


def test_a_refused_load_leaves_the_store_as_it_was(store: LadybugStore, tmp_path: Path) -> None:
    load_registers(store, write_folder(tmp_path / "good"), "t1", UNDER)
    before = snapshot(store)
    data = registers()
    data["evidence"] = []  # a smaller folder, which would remove rows if it were written
    data["arrangements"][0]["material"] = "maybe"
    data["controls"][1]["satisfies"] = "A6.P9"
    with pytest.raises(RegisterError) as caught:
        load_registers(store, write_folder(tmp_path / "bad", data), "t1", UNDER)
    assert len(caught.value.problems) == 2
    assert snapshot(store) == before
    with pytest.raises(RegisterError):
        load_registers(store, tmp_path / "bad", "t2", UNDER)
    assert snapshot(store, "t2") == {k: [] for k in before}


@pytest.mark.parametrize("large_rows", [100_000, 1])
@pytest.mark.parametrize("failing", ["create_node_table", "create_link_table"])
def test_a_failure_mid_write_leaves_nothing(store: LadybugStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            failing: str, large_rows: int) -> None:
    """With large_rows 1 every label's columns' memory is returned after it is written, before the failure:
    the published store is still the one before."""
    from regtrace.graph import ladybug_diff

    monkeypatch.setattr(ladybug_diff, "LARGE_ROWS", large_rows)
    folder = write_folder(tmp_path / "regs")
    load_registers(store, folder, "t1", UNDER)
    before = snapshot(store)
    writer_class = type(_writer(store))
    original = getattr(writer_class, failing)
    calls = {"n": 0}

    def fail_on_first(self: Writer, *args: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 1:
            raise StoreError("simulated: the disk is full")
        original(self, *args)

    monkeypatch.setattr(writer_class, failing, fail_on_first)
    data = registers()
    # E2 removed (deleted first), E3 added (its node, then its links): the write fails part way through
    data["evidence"] = [data["evidence"][0], {**data["evidence"][1], "evidence_id": "E3"}]
    with pytest.raises(StoreError, match="simulated"):
        load_registers(store, write_folder(tmp_path / "changed", data), "t1", UNDER)
    assert calls["n"] == 1  # it really failed part way, after the tenant's removed nodes were deleted
    assert snapshot(store) == before
    calls["n"] = 0
    with pytest.raises(StoreError, match="simulated"):
        load_registers(store, folder, "t2", UNDER)
    assert all(not rows for rows in snapshot(store, "t2").values())


def _writer(store: LadybugStore) -> Writer:
    found: list[Writer] = []
    store.write(found.append)
    return found[0]


def test_reloading_the_same_folder_changes_nothing(store: LadybugStore, tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "regs")
    first = load_registers(store, folder, "t1", UNDER)
    before = snapshot(store)
    assert load_registers(store, folder, "t1", UNDER) == first
    assert snapshot(store) == before


def test_a_changed_folder_replaces_the_tenants_data(store: LadybugStore, tmp_path: Path) -> None:
    load_registers(store, write_folder(tmp_path / "v1"), "t1", UNDER)
    data = registers()
    data["evidence"] = [r for r in data["evidence"] if r["evidence_id"] != "E2"]
    data["systems"] = []
    data["controls"][0]["applies_to"] = "A1"
    data["csps"][1]["name"] = "雲端二號 (renamed)"
    # emptying the systems register is deliberate here (without the flag it is refused: test_register_removals)
    load_registers(store, write_folder(tmp_path / "v2", data), "t1", UNDER, allow_removals=True)
    assert [r["evidence_id"] for r in store.nodes("Evidence", "t1")] == ["E1"]
    assert store.count("System", "t1") == 0
    assert pairs(store, "EVIDENCES") == {("t1/E1", "t1/CT1")}
    assert pairs(store, "RUNS_UNDER") == set()
    assert ("t1/CT1", "t1/A1") in pairs(store, "APPLIES_TO")
    assert store.nodes("Control", "t1")[0]["applies_to_all"] is False
    assert store.nodes("CloudServiceProvider", "t1")[1]["name"] == "雲端二號 (renamed)"
    assert store.count("Obligation") == len(OBLIGATIONS)  # the regulation is not the tenant's to delete


def test_two_tenants_do_not_touch_each_other(store: LadybugStore, tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "regs")
    load_registers(store, folder, "t1", UNDER)
    t1 = snapshot(store, "t1")
    load_registers(store, folder, "t2", UNDER)
    assert store.tenants() == ["t1", "t2"]
    assert snapshot(store, "t1") == t1
    data = registers()
    data["evidence"] = []
    load_registers(store, write_folder(tmp_path / "small", data), "t2", UNDER, allow_removals=True)
    assert snapshot(store, "t1") == t1
    assert store.count("Evidence", "t2") == 0 and store.count("Evidence", "t1") == 2
    assert pairs(store, "SATISFIES", "t2") == {(s.replace("t1/", "t2/"), t) for s, t in pairs(store, "SATISFIES")}


def test_large_registers_take_the_bulk_path_and_round_trip(store: LadybugStore, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    tricky = ['quoted "title", with commas', "line one\nline two", " spaced ", "中文標題，全形逗號", "back\\slash"]
    rows = [{"evidence_id": f"E{i:05d}", "control_id": "CT1" if i % 2 else "CT2",
             "arrangement_id": "A1" if i % 3 else "", "collected_on": "115/11/01" if i % 2 else "2026-10-01",
             "valid_until": "", "title": tricky[i % len(tricky)], "uri": "", "sha256": SHA_OF(i)}
            for i in range(ladybug_bulk.COPY_MIN_ROWS + 7)]
    folder = write_folder(tmp_path / "big")
    write_csv(folder / "evidence.csv", rows)
    copies: list[str] = []
    original = ladybug_bulk.copy_nodes

    def spy(execute: Any, node: Any, nodes: Any) -> None:
        copies.append(node.label)
        original(execute, node, nodes)

    monkeypatch.setattr(ladybug_bulk, "copy_nodes", spy)
    load_registers(store, folder, "t1", UNDER)
    assert "Evidence" in copies  # every register's table is copied: given column-wise, COPY at any size
    stored = store.nodes("Evidence", "t1")
    assert len(stored) == len(rows)
    by_id = {r["evidence_id"]: r for r in stored}
    for i in (0, 1, 2, 3, 4, 5, len(rows) - 1):
        r = by_id[f"E{i:05d}"]
        assert r["title"] == tricky[i % len(tricky)].strip()  # cells are trimmed
        assert r["collected_on"] == (dt.date(2026, 11, 1) if i % 2 else dt.date(2026, 10, 1))
        assert r["valid_until"] is None and r["uri"] is None and r["sha256"] == SHA_OF(i)
    assert len(pairs(store, "EVIDENCES")) == len(rows)
    assert len(pairs(store, "CONCERNS")) == sum(1 for i in range(len(rows)) if i % 3)
    before = snapshot(store)
    load_registers(store, folder, "t1", UNDER)
    assert snapshot(store) == before


def SHA_OF(i: int) -> str:
    return f"{i:064x}"


def test_progress_reports_each_stage(store: LadybugStore, tmp_path: Path) -> None:
    calls: list[tuple[str, int, int]] = []
    load_registers(store, write_folder(tmp_path / "regs"), "t1", UNDER,
                   progress=lambda stage, done, total: calls.append((stage, done, total)))
    stages = [c[0] for c in calls]
    assert stages.index("validate") < stages.index("write")
    for stage in ("validate", "write"):
        last = [c for c in calls if c[0] == stage][-1]
        assert last[1] == last[2] > 0


def test_links_are_built_from_the_ontology(tmp_path: Path) -> None:
    graph = register_graph(read_registers(write_folder(tmp_path), UNDER), "t1")
    assert set(graph.links) == {
        ("AUDITS", "Audit", "OutsourcingArrangement"), ("HELD_BY", "Certification", "CloudServiceProvider"),
        ("GOVERNS", "Contract", "OutsourcingArrangement"), ("COVERS_CLAUSE", "Contract", "Obligation"),
        ("SATISFIES", "Control", "Obligation"), ("APPLIES_TO", "Control", "OutsourcingArrangement"),
        ("EVIDENCES", "Evidence", "Control"), ("CONCERNS", "Evidence", "OutsourcingArrangement"),
        ("RAISED_IN", "Finding", "Audit"), ("PROVIDED_BY", "OutsourcingArrangement", "CloudServiceProvider"),
        ("RUNS_UNDER", "System", "OutsourcingArrangement"), ("CITES", "Finding", "Obligation"),
        ("AUTHORISES", "Approval", "OutsourcingArrangement"), ("SUPPORTS", "Approval", "Obligation"),
        ("SCOPE_COVERS", "Certification", "OutsourcingArrangement"),
    }
    assert all(isinstance(lk, Link) for links in graph.links.values() for lk in links)
    assert graph.counts()["Evidence"] == 2


@pytest.mark.parametrize("tenant", ["", "a/b", " t1"])
def test_tenant_names_are_checked(store: LadybugStore, tmp_path: Path, tenant: str) -> None:
    with pytest.raises(InputError, match="tenant"):
        load_registers(store, write_folder(tmp_path / "regs"), tenant, UNDER)


def test_columns_built_while_validating_equal_those_of_the_validated_rows(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A load converts each chunk of valid rows to the store's columns as it is validated (never holding a
    million row tuples); a chunk of one row puts a boundary inside every register, and the company register
    (validated row by row) goes through the other path. The tables equal those converted from the kept rows."""
    from regtrace.loaders import register_validation
    from regtrace.loaders.register_graph import TableBuilder, register_tables
    from regtrace.loaders.register_reader import read_folder
    from regtrace.loaders.registers import register_names

    folder = write_folder(tmp_path / "regs")
    write_csv(folder / "evidence.csv", [dict(r, reviewer="王小明") for r in registers()["evidence"]])
    monkeypatch.setattr(register_validation, "CHUNK_ROWS", 1)
    builder = TableBuilder("t1", UNDER)
    with read_folder(folder, register_names()) as found:
        streamed = register_validation.validate_folder(found, UNDER, None, None, builder.add)
    kept = read_registers(folder, UNDER)
    assert streamed.counts() == kept.counts()
    assert all(not r.rows for name, r in streamed.registers.items() if name != "arrangements")  # none held
    built = builder.tables([r.model for r in streamed.registers.values()])
    expected = register_tables(kept, "t1")
    assert built.nodes.keys() == expected.nodes.keys() and built.links.keys() == expected.links.keys()
    for label, table in expected.nodes.items():
        assert built.nodes[label].equals(table), label
    for key, table in expected.links.items():
        assert built.links[key].equals(table), key
    assert built.nodes["Evidence"].num_rows == 2 and built.nodes["Company"].num_rows == 1


def test_the_links_of_a_reference_every_row_gives_take_the_rows_uids_as_they_are(tmp_path: Path) -> None:
    """The evidence's links to its controls (every row names one) take the node table's uid column itself, not a
    copy (~23 MB at a million items, held through the first load's COPY of the evidence); the links of a reference
    some rows leave blank (an arrangement) are those of the rows that give it."""
    from regtrace.loaders.register_graph import register_tables

    folder = write_folder(tmp_path / "regs")
    built = register_tables(read_registers(folder, UNDER), "t1")
    evidence = built.nodes["Evidence"]
    assert isinstance(evidence, pa.Table)
    uids = evidence.column("uid")
    links = {key[0]: table for key, table in built.links.items() if key[1] == "Evidence"}

    def data(column: pa.ChunkedArray) -> list[int]:
        return [chunk.buffers()[2].address for chunk in column.chunks]

    assert data(links["EVIDENCES"].column("source")) == data(uids)
    given = [row["evidence_id"] for row in registers()["evidence"] if row["arrangement_id"]]
    assert 0 < len(given) < evidence.num_rows
    assert links["CONCERNS"].column("source").to_pylist() == [f"t1/{e}" for e in given]


def test_nothing_is_converted_after_the_first_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bad row in the evidence register: the load fails naming it, and no later chunk is converted."""
    from regtrace.loaders import register_validation
    from regtrace.loaders.register_graph import TableBuilder
    from regtrace.loaders.register_reader import read_folder
    from regtrace.loaders.registers import register_names

    rows = registers()["evidence"]
    folder = write_folder(tmp_path / "regs")
    write_csv(folder / "evidence.csv", [rows[0], dict(rows[1], collected_on="not a date"), rows[0]])
    monkeypatch.setattr(register_validation, "CHUNK_ROWS", 1)
    handed: list[str] = []
    builder = TableBuilder("t1", UNDER)

    def sink(model: Any, columns: Any) -> None:
        handed.append(model.name)
        builder.add(model, columns)

    with read_folder(folder, register_names()) as found, pytest.raises(RegisterError) as raised:
        register_validation.validate_folder(found, UNDER, None, None, sink)
    assert [(p.source, p.row, p.column) for p in raised.value.problems][:1] == [("evidence.csv", 3, "collected_on")]
    assert handed.count("Evidence") == 1  # row 2 only: row 3 is wrong, row 4 comes after a problem
