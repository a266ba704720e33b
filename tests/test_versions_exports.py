"""Exports state the regulation version traced (label and effective date), in the data, the manifest and the
OSCAL catalog, whose metadata carries the revision history and whose deleted (刪除) provisions are withdrawn."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from regtrace.exports.data import gather
from regtrace.exports.manifest import write_manifest
from regtrace.exports.oscal import catalog
from regtrace.graph.ladybug_store import LadybugStore
from test_versions import AFTER, AMENDED, BEFORE, EFFECTIVE, _registers

from regtrace.seed import install_seed
from regtrace.versions_adopt import adopt


@pytest.fixture(scope="module")
def adopted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LadybugStore]:
    with LadybugStore(tmp_path_factory.mktemp("exports") / "store") as store:
        install_seed(store)
        _registers(store)
        adopt(store, AMENDED, EFFECTIVE, "2027")
        yield store


def _controls(groups: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}

    def walk(controls: list[dict[str, Any]]) -> None:
        for c in controls:
            found[c["id"]] = c
            walk(c.get("controls", []))

    for g in groups:
        walk(g["controls"])
    return found


def test_exports_state_the_version_traced(adopted: LadybugStore, tmp_path: Path) -> None:
    before, after = gather(adopted, "t1", BEFORE), gather(adopted, "t1", AFTER)
    assert (before.meta.regulation_version, before.meta.regulation_effective_from) == ("seed", None)
    assert (after.meta.regulation_version, after.meta.regulation_effective_from) == ("2027", EFFECTIVE)
    assert len(before.provisions) == 130 and {p["uid"] for p in after.provisions} >= {"A6-1", "A6-1.P1"}
    assert "A6-1.P1" in after.obligations and "A6-1.P1" not in before.obligations
    write_manifest(tmp_path, after.meta, ["json"])
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["regulation_version"] == {"version": "2027", "effective_from": "2027-01-01"}


def test_the_oscal_catalog_carries_the_revisions_and_withdraws_deleted_provisions(adopted: LadybugStore) -> None:
    doc = catalog(gather(adopted, "t1", AFTER))["catalog"]
    assert [g["id"] for g in doc["groups"]][5:8] == ["art-6", "art-6-1", "art-7"]
    assert doc["metadata"]["version"] == "2027"
    assert [r["version"] for r in doc["metadata"]["revisions"]] == ["seed", "2027"]
    controls = _controls(doc["groups"])
    status = {c["id"]: p["value"] for c in controls.values() for p in c["props"] if p["name"] == "status"}
    assert status == {"A4.P2.I3": "withdrawn"}, "the one provision the amendment deletes"
    old = _controls(catalog(gather(adopted, "t1", BEFORE))["catalog"]["groups"])
    assert "A6-1.P1" not in old and not any(p["name"] == "status" for p in old["A4.P2.I3"]["props"])
