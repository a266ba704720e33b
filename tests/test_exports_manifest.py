"""`regtrace export` and `regtrace verify-export`: layout per tenant, manifests, and tampering detected."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import cli_process
import pytest
from export_fixtures import TENANT, load_example, write_small_insurer
from regtrace.exports.manifest import verify

from regtrace.stores import open_store

SECOND = "second-life"


def regtrace(*args: str, store: Path) -> subprocess.CompletedProcess[str]:
    return cli_process.run(args, env={**os.environ, "REGTRACE_STORE": str(store)}, timeout=300)


@pytest.fixture(scope="module")
def two_tenants(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store folder with the example insurer and a second, small member company."""
    path = tmp_path_factory.mktemp("two-tenants") / "store"
    store = open_store(str(path))
    try:
        load_example(store, TENANT)
        write_small_insurer(store, SECOND)
    finally:
        store.close()
    return path


def test_one_tenant_exports_into_the_folder_and_verifies(two_tenants: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = regtrace("export", "--format", "oscal,ttl", "--tenant", TENANT, "--as-of", "2026-11-29", "--out", str(out),
                    store=two_tenants)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "graph.ttl", "manifest.json", "oscal-assessment-results.json", "oscal-catalog.json",
        # one OSCAL 1.2 mapping collection per mapping set of the store (the three shipped ones)
        "oscal-mapping-TIA-CLOUD-SRR_CSA-CCM-4.json", "oscal-mapping-TIA-CLOUD-SRR_ISO27001-2022.json",
        "oscal-mapping-TIA-CLOUD-SRR_ISO27017-2015.json"]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["tenant"] == TENANT and manifest["formats"] == ["ttl", "oscal"]
    checked = regtrace("verify-export", str(out), store=two_tenants)
    assert checked.returncode == 0 and "intact" in checked.stdout


def test_tampering_adding_and_removing_are_detected(two_tenants: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert regtrace("export", "--format", "oscal", "--tenant", TENANT, "--out", str(out),
                    store=two_tenants).returncode == 0
    catalog = out / "oscal-catalog.json"
    catalog.write_text(catalog.read_text(encoding="utf-8").replace("第六條", "第七條", 1), encoding="utf-8")
    (out / "oscal-assessment-results.json").unlink()
    (out / "notes.txt").write_text("added later", encoding="utf-8")
    checked = regtrace("verify-export", str(out), store=two_tenants)
    assert checked.returncode == 1
    lines = checked.stdout.splitlines()
    assert "altered oscal-catalog.json" in lines
    assert "removed oscal-assessment-results.json" in lines
    assert "added notes.txt" in lines


def test_a_size_preserving_change_is_still_detected(two_tenants: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert regtrace("export", "--format", "ttl", "--tenant", SECOND, "--out", str(out),
                    store=two_tenants).returncode == 0
    ttl = out / "graph.ttl"
    data = bytearray(ttl.read_bytes())
    data[-2] = ord("X") if data[-2] != ord("X") else ord("Y")
    ttl.write_bytes(bytes(data))
    result = verify(out)
    assert not result.intact and result.altered == ["graph.ttl"] and not result.added and not result.removed


def test_every_tenant_gets_its_own_folder_and_the_whole_is_verified(two_tenants: Path, tmp_path: Path) -> None:
    out = tmp_path / "all"
    done = regtrace("export", "--format", "oscal", "--as-of", "115/11/29", "--out", str(out), store=two_tenants)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir()) == ["example-life", "manifest.json", SECOND]
    top = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert top["tenants"] == [TENANT, SECOND] and top["tenant"] is None and top["as_of"] == "2026-11-29"
    assert {f["path"] for f in top["files"]} >= {f"{TENANT}/manifest.json", f"{SECOND}/oscal-catalog.json"}
    for tenant in (TENANT, SECOND):
        doc = json.loads((out / tenant / "manifest.json").read_text(encoding="utf-8"))
        assert doc["tenant"] == tenant
        results = json.loads((out / tenant / "oscal-assessment-results.json").read_text(encoding="utf-8"))
        assert tenant in results["assessment-results"]["metadata"]["title"]
    assert regtrace("verify-export", str(out), store=two_tenants).returncode == 0
    (out / SECOND / "oscal-catalog.json").write_text("{}", encoding="utf-8")
    checked = regtrace("verify-export", str(out), store=two_tenants)
    assert checked.returncode == 1
    assert checked.stdout.splitlines() == [f"altered {SECOND}/oscal-catalog.json"]
    assert regtrace("verify-export", str(out / TENANT), store=two_tenants).returncode == 0


def test_bad_arguments_are_input_errors(two_tenants: Path, tmp_path: Path) -> None:
    bad_format = regtrace("export", "--format", "docx", "--out", str(tmp_path / "x"), store=two_tenants)
    assert bad_format.returncode == 2 and "docx" in bad_format.stderr
    unknown = regtrace("export", "--tenant", "nobody", "--out", str(tmp_path / "y"), store=two_tenants)
    assert unknown.returncode == 3 and "nobody" in unknown.stderr
    no_manifest = regtrace("verify-export", str(tmp_path), store=two_tenants)
    assert no_manifest.returncode == 2 and "manifest.json" in no_manifest.stderr
