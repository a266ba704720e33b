"""`regtrace mappings import` and `list`: a set is validated whole (file, row and column of every problem) and
written in one transaction, shared by the store's tenants; it survives a migration to Neo4j and back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from regtrace.crosswalk.importing import SetOptions
from regtrace.crosswalk.store_io import import_mapping_file, set_mappings, set_summaries
from regtrace.graph.ladybug_store import LadybugStore
from regtrace.graph.port import Store
from store_fixtures import StoreFactory, seeded_ladybug
from typer.testing import CliRunner

from regtrace.cli import app
from regtrace.errors import MappingFileError, NotFoundError
from regtrace.migrate import migrate
from regtrace.regulation_graph import write_regulation
from regtrace.seed import install_seed, seed_graph
from regtrace.stores import open_store

SHIPPED = ["TIA-CLOUD-SRR_CSA-CCM-4", "TIA-CLOUD-SRR_ISO27001-2022", "TIA-CLOUD-SRR_ISO27017-2015"]
GOOD = """source,target,relationship,rationale,strength,confidence
A7.P1.I3.S1,OURS:ENC-1,subset,Our standard encrypts all customer data in transit and at rest.,8,high
A7.P1.I1.S3,OURS:ENV-2,equal-to,Both keep production apart from everything else.,,
A4.P3,OURS:GOV-1,intersects-with,The board charter covers IT risk in general.,3,low
"""


def _write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _seeded(store: Store) -> Store:
    install_seed(store)
    return store


def test_the_shipped_sets_are_installed_with_the_seed(store: Store) -> None:
    install_seed(store)
    summaries = {s["mapping_set_id"]: s for s in set_summaries(store)}
    assert sorted(summaries) == SHIPPED
    assert {s["framework"] for s in summaries.values()} == {"ISO27001", "ISO27017", "CCM"}
    assert all(s["origin"] == "shipped" and s["status"] == "reviewed" and s["mappings"] > 50
               for s in summaries.values())
    ccm = set_mappings(store, "TIA-CLOUD-SRR_CSA-CCM-4")
    cek04 = [m for m in ccm if m["source"] == "A7.P1.I4.S1"]
    assert [(m["target"], m["relationship"]) for m in cek04] == [("CCM:CEK-04", "equal")]
    install_seed(store)  # again: nothing doubles
    assert {s["mapping_set_id"]: s["mappings"] for s in set_summaries(store)} == {
        k: v["mappings"] for k, v in summaries.items()}


def test_a_store_made_before_the_crosswalks_gains_them_only_when_opened_to_write(tmp_path: Path) -> None:
    older = LadybugStore(tmp_path / "older")
    write_regulation(older, seed_graph())  # the seed as written before the crosswalks shipped
    older.close()
    reader = open_store(str(tmp_path / "older"), create=False)  # a reading command: it writes nothing
    try:
        assert set_summaries(reader) == [] and reader.count("Framework") == 0
    finally:
        reader.close()
    writer = open_store(str(tmp_path / "older"))  # load, demo, the server
    try:
        assert [s["mapping_set_id"] for s in set_summaries(writer)] == SHIPPED
    finally:
        writer.close()


def test_a_csv_set_is_imported_and_listed(tmp_path: Path) -> None:
    with seeded_ladybug(tmp_path / "s") as store:
        summary = import_mapping_file(store, _write(tmp_path, "ours.csv", GOOD), SetOptions(status="reviewed"))
        assert summary["mapping_set_id"] == "ours" and summary["framework"] == "OURS"
        assert summary["mappings"] == 3 and summary["provisions_mapped"] == 3
        assert summary["by_relationship"] == {"equal": 1, "intersect": 1, "subset": 1}
        assert summary["origin"] == "imported" and summary["status"] == "reviewed"
        rows = {m["source"]: m for m in set_mappings(store, "ours")}
        assert rows["A7.P1.I3.S1"]["target"] == "OURS:ENC-1" and rows["A7.P1.I3.S1"]["strength"] == 8
        assert rows["A7.P1.I1.S3"]["relationship"] == "equal" and rows["A7.P1.I1.S3"]["rationale_type"] == "semantic"
        assert sorted(s["mapping_set_id"] for s in set_summaries(store)) == sorted([*SHIPPED, "ours"])
        # importing again under the same id replaces the set's mappings
        import_mapping_file(store, _write(tmp_path, "ours.csv", GOOD.rsplit("\n", 2)[0] + "\n"), SetOptions())
        assert [m["source"] for m in set_mappings(store, "ours")] == ["A7.P1.I1.S3", "A7.P1.I3.S1"]


def test_one_bad_row_refuses_the_whole_file(tmp_path: Path) -> None:
    bad = GOOD + "A99.P1,OURS:X-1,subset,No such provision.\nA7.P1.I3.S1,OURS:ENC-2,contains,Bad word.\n"
    with seeded_ladybug(tmp_path / "s") as store:
        before = store.count("Mapping")
        with pytest.raises(MappingFileError) as caught:
            import_mapping_file(store, _write(tmp_path, "bad.csv", bad), SetOptions())
        where = [(p.row, p.column) for p in caught.value.problems]
        assert where == [(5, "source"), (6, "relationship")]
        assert str(tmp_path / "bad.csv") in str(caught.value) and "nothing was imported" in str(caught.value)
        assert store.count("Mapping") == before and store.count("MappingSet") == 3
        assert not store.nodes_by_uid("Framework", ["OURS"], None)


@pytest.mark.parametrize(("text", "expected"), [
    ("source,target,relationship\nA4.P3,OURS:X,subset\n", [(1, None)]),  # no rationale column
    ("source,target,relationship,rationale,colour\n", [(1, "colour")]),
    ("source,target,relationship,rationale\n", [(None, None)]),  # no mappings
    ("source,target,relationship,rationale\nA4.P3,ISO27001:A.99.1,subset,Not in Annex A.\n", [(2, "target")]),
    ("source,target,relationship,rationale\nA4.P3,A.5.1,subset,No framework.\n", [(2, "target")]),
    ("source,target,relationship,rationale\nA4.P3,OURS:X,subset,\n", [(2, "rationale")]),
    ("source,target,relationship,rationale,strength\nA4.P3,OURS:X,subset,Why.,11\n", [(2, "strength")]),
    ("source,target,relationship,rationale\nA4.P3,OURS:X,subset,Why.\nA4.P3,OURS:X,equal,Again.\n", [(3, "target")]),
    ("source,target,relationship,rationale\nA4.P3,OURS:X,subset,Why.\nA4.P3,THEIRS:X,subset,Two.\n",
     [(None, "target")]),
])
def test_each_kind_of_problem_names_its_row_and_column(tmp_path: Path, text: str,
                                                       expected: list[tuple[int | None, str | None]]) -> None:
    with seeded_ladybug(tmp_path / "s") as store:
        with pytest.raises(MappingFileError) as caught:
            import_mapping_file(store, _write(tmp_path, "x.csv", text), SetOptions())
        assert [(p.row, p.column) for p in caught.value.problems] == expected


def test_a_shipped_set_cannot_be_replaced_by_an_import(tmp_path: Path) -> None:
    with seeded_ladybug(tmp_path / "s") as store:
        with pytest.raises(MappingFileError, match="shipped with regtrace"):
            import_mapping_file(store, _write(tmp_path, "x.csv", GOOD), SetOptions(set_id=SHIPPED[1]))
        assert set_summaries(store)[1]["mappings"] > 50


def test_a_big5_csv_is_read(tmp_path: Path) -> None:
    text = "source,target,relationship,rationale\nA4.P3,OURS:GOV-1,intersect,董事會章程涵蓋資訊風險。\n"
    with seeded_ladybug(tmp_path / "s") as store:
        import_mapping_file(store, _write(tmp_path, "big5.csv", text, "cp950"), SetOptions())
        assert set_mappings(store, "big5")[0]["rationale"] == "董事會章程涵蓋資訊風險。"


def test_an_oscal_collection_round_trips(tmp_path: Path) -> None:
    import datetime as dt

    from regtrace.crosswalk.oscal import mapping_collection
    from regtrace.crosswalk.views import crosswalk_views

    with seeded_ladybug(tmp_path / "s") as store:
        view = next(v for v in crosswalk_views(store) if v.set_id == SHIPPED[0])
        doc = mapping_collection(view, generated_at=dt.datetime(2026, 11, 29, tzinfo=dt.UTC), version="t")
        path = tmp_path / "ccm.json"
        path.write_text(json.dumps(doc), encoding="utf-8")
        summary = import_mapping_file(store, path, SetOptions(set_id="ccm-copy"))
        assert summary["framework"] == "CCM" and summary["origin"] == "imported"
        strip = [{k: v for k, v in m.items()} for m in set_mappings(store, SHIPPED[0])]
        assert set_mappings(store, "ccm-copy") == strip
        doc["mapping-collection"]["mappings"][0]["maps"][2]["relationship"] = "overlaps"
        doc["mapping-collection"]["mappings"][0]["maps"][4]["sources"][0]["id-ref"] = "A77"
        path.write_text(json.dumps(doc), encoding="utf-8")
        with pytest.raises(MappingFileError) as caught:
            import_mapping_file(store, path, SetOptions(set_id="ccm-bad"))
        assert [p.column for p in caught.value.problems] == [
            "mapping-collection.mappings[0].maps[2].relationship",
            "mapping-collection.mappings[0].maps[4].sources.id-ref"]
        assert not store.nodes_by_uid("MappingSet", ["ccm-bad"], None)


def test_the_commands(tmp_path: Path) -> None:
    store = str(tmp_path / "s")
    runner = CliRunner()
    missing = runner.invoke(app, ["--store", store, "mappings", "import", str(_write(tmp_path, "ours.csv", GOOD))])
    # only load, demo and migrate --to create a store: a mistyped --store is refused and nothing is made
    assert isinstance(missing.exception, NotFoundError) and missing.exception.exit_code == 3
    assert str(tmp_path / "s") in str(missing.exception) and not (tmp_path / "s").exists()
    open_store(store).close()  # a new store: the seed regulation and the shipped sets
    done = runner.invoke(app, ["--store", store, "mappings", "import", str(_write(tmp_path, "ours.csv", GOOD)),
                               "--id", "ours-2026", "--made-by", "法遵室"])
    assert done.exit_code == 0, done.output
    listed = runner.invoke(app, ["--store", store, "mappings", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    sets = {s["mapping_set_id"]: s for s in json.loads(listed.output)}
    assert sorted(sets) == sorted([*SHIPPED, "ours-2026"])
    assert sets["ours-2026"]["mappings"] == 3 and sets["ours-2026"]["made_by"] == "法遵室"
    refused = runner.invoke(app, ["--store", store, "mappings", "import",
                                  str(_write(tmp_path, "bad.csv", GOOD + "A4.P3,OURS:Z,maybe,Why.\n"))])
    assert isinstance(refused.exception, MappingFileError) and refused.exception.exit_code == 2  # exit code 2
    assert "bad.csv, row 5, column relationship" in str(refused.exception)
    table = runner.invoke(app, ["--store", store, "mappings", "list"])
    assert table.exit_code == 0 and "ours-2026" in table.output


@pytest.mark.usefixtures("neo4j_uri")  # opens a Neo4j store: runs with the shared server
def test_mapping_sets_survive_a_migration_to_neo4j_and_back(open_store_of: StoreFactory, tmp_path: Path) -> None:
    first = _seeded(open_store_of("ladybug"))
    import_mapping_file(first, _write(tmp_path, "ours.csv", GOOD), SetOptions(reviewed_by="稽核室"))
    middle = open_store_of("neo4j")
    there = migrate(first, middle)
    assert there.ok, [t for t in there.tallies if not t.equal]
    back = LadybugStore(tmp_path / "back")
    assert migrate(middle, back).ok
    for store in (middle, back):
        assert set_summaries(store) == set_summaries(first)
        assert set_mappings(store, "ours") == set_mappings(first, "ours")
    counts = {t.name: t.target_count for t in there.tallies}
    assert counts["MappingSet"] == 4 and counts["Framework"] == 4 and counts["MAPS_CONTROL"] == counts["Mapping"]
    back.close()
