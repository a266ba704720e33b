"""The crosswalks in the exports: `export --format oscal` adds an OSCAL 1.2 mapping collection per mapping set that
compliance-trestle 5 loads (trestle.oscal.mapping), with provenance and a gap summary; the XLSX has a crosswalk
sheet."""

from __future__ import annotations

import datetime as dt
import tomllib
from importlib.resources import files
from pathlib import Path

import pytest
from export_fixtures import AS_OF, TENANT, write_small_insurer
from openpyxl import load_workbook
from regtrace.exports.bundle import export
from regtrace.graph.ladybug_store import LadybugStore

from regtrace.seed import install_seed

GENERATED = dt.datetime(2026, 11, 29, 8, 0, tzinfo=dt.UTC)
SETS = {"ISO27001-2022": "iso27001-2022.toml", "ISO27017-2015": "iso27017-2015.toml", "CSA-CCM-4": "csa-ccm-v4.toml"}


def _shipped(name: str) -> dict[str, object]:
    head = tomllib.loads(files("regtrace.ontology").joinpath("crosswalks", name).read_text(encoding="utf-8"))["set"]
    assert isinstance(head, dict)
    return head


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("crosswalk-export")
    with LadybugStore(root / "store") as store:
        install_seed(store)
        write_small_insurer(store)
        export(store, AS_OF, ["oscal", "xlsx"], root / "out", TENANT, generated_at=GENERATED)
    return root / "out"


@pytest.mark.parametrize("suffix", sorted(SETS))
def test_each_mapping_collection_loads_with_trestle(folder: Path, suffix: str) -> None:
    from trestle.oscal.mapping import MappingCollection

    collection = MappingCollection.oscal_read(folder / f"oscal-mapping-TIA-CLOUD-SRR_{suffix}.json")
    assert collection is not None
    head = _shipped(SETS[suffix])
    assert collection.provenance.status == "reviewed"
    assert collection.provenance.method == head["method"]
    assert collection.provenance.confidence_score is not None
    (mapping,) = collection.mappings if isinstance(collection.mappings, list) else [collection.mappings]
    assert mapping.source_resource.href == "oscal-catalog.json"
    expected = {(m["source"], m["target"], m["relationship"]) for m in head["mapping"]}  # type: ignore[union-attr]
    words = {"equal-to": "equal", "subset-of": "subset", "superset-of": "superset", "intersects-with": "intersect"}
    found = {(m.sources[0].id_ref, m.targets[0].id_ref, words[m.relationship]) for m in mapping.maps}
    assert found == expected
    assert all(m.remarks and m.matching_rationale in ("syntactic", "semantic", "functional") for m in mapping.maps)
    # the gap: the board's oversight (Art. 4 ¶3) has no counterpart in any of the three frameworks
    assert mapping.source_gap_summary is not None
    gap = mapping.source_gap_summary.unmapped_controls[0].with_ids or []
    assert "A4.P3" in gap and not {m.sources[0].id_ref for m in mapping.maps} & set(gap)
    assert mapping.remarks is not None and "A4.P3: Board oversight" in mapping.remarks


def test_the_ccm_collection_keeps_the_equal_and_subset_claims(folder: Path) -> None:
    from trestle.oscal.mapping import MappingCollection

    collection = MappingCollection.oscal_read(folder / "oscal-mapping-TIA-CLOUD-SRR_CSA-CCM-4.json")
    assert collection is not None
    maps = collection.mappings[0].maps if isinstance(collection.mappings, list) else collection.mappings.maps
    by_pair = {(m.sources[0].id_ref, m.targets[0].id_ref): m for m in maps}
    assert by_pair[("A7.P1.I4.S1", "CEK-04")].relationship == "equal-to"
    assert by_pair[("A7.P1.I3.S1", "CEK-03")].relationship == "subset-of"
    assert by_pair[("A5.P1.I2.S6", "IVS-06")].confidence_score is not None


def test_the_workbook_has_a_crosswalk_sheet(folder: Path) -> None:
    wb = load_workbook(folder / "traceability-matrix.xlsx", read_only=True)
    rows = list(wb["對照 Crosswalks"].iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert header[3] == "條文代碼 Provision" and header[4] == "控制項 Control"
    pairs = {(r[0], r[3], r[4], r[6]) for r in body}
    assert ("TIA-CLOUD-SRR_ISO27017-2015", "A5.P1.I2.S6", "ISO27017:CLD.9.5.1", "subset") in pairs
    mapped = sum(len(_shipped(n)["mapping"]) for n in SETS.values())  # type: ignore[arg-type]
    assert sum(1 for r in body if r[4]) == mapped
    board = [r for r in body if r[3] == "A4.P3"]
    assert len(board) == 3 and all(r[4] in (None, "") and r[11] == "否 no" for r in board)
    dc = [r for r in body if r[3] == "A9.P1.I4.S2"]
    assert dc and all(r[11] == "是 yes" for r in dc)
