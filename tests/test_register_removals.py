"""Removals are deliberate (issue 14 point 3): a load that would empty a register that has rows, or remove more
than half of a tenant's rows, is refused unless removals are allowed; `validate --tenant` reports per register
what a load would add, change and remove."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from regtrace.graph.ladybug_store import LadybugStore
from regtrace.loaders.register_changes import plan_changes
from regtrace.loaders.registers import load_registers, read_registers
from test_cli import regtrace
from test_register_load import store as store
from test_register_validation import SHA, UNDER, registers, write_folder

from regtrace.errors import InputError


def _evidence(n: int) -> list[dict[str, str]]:
    return [{"evidence_id": f"E{i}", "control_id": "CT1", "arrangement_id": "A1", "collected_on": "2026-11-01",
             "valid_until": "", "title": f"第{i}份", "uri": "", "sha256": SHA} for i in range(n)]


@pytest.fixture
def loaded(store: LadybugStore, tmp_path: Path) -> Iterator[LadybugStore]:
    data = registers()
    data["evidence"] = _evidence(30)
    load_registers(store, write_folder(tmp_path / "v1", data), "t1", UNDER)
    yield store


def test_a_folder_missing_evidence_does_not_wipe_it(loaded: LadybugStore, tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "v2")
    (folder / "evidence.csv").unlink()
    with pytest.raises(InputError) as caught:
        load_registers(loaded, folder, "t1", UNDER)
    assert "evidence: all 30 stored rows would be removed (the folder has none)" in str(caught.value)
    assert "--allow-removals" in str(caught.value)
    assert loaded.count("Evidence", "t1") == 30  # nothing written
    load_registers(loaded, folder, "t1", UNDER, allow_removals=True)
    assert loaded.count("Evidence", "t1") == 0


def test_removing_more_than_half_of_the_rows_is_refused(loaded: LadybugStore, tmp_path: Path) -> None:
    # stored: 16 rows in the small registers (csps 2, certifications 1, arrangements 2, systems 2, contracts 1,
    # controls 2, audits 1, findings 2, company 1, approvals 2) + 30 evidence = 46; keeping 5 evidence removes 25 (> 23)
    data = registers()
    data["evidence"] = _evidence(5)
    with pytest.raises(InputError, match=r"25 of the tenant's 46 stored rows would be removed, more than half "
                                         r"\(evidence 25 of 30\)"):
        load_registers(loaded, write_folder(tmp_path / "v2", data), "t1", UNDER)
    assert loaded.count("Evidence", "t1") == 30
    data["evidence"] = _evidence(10)  # removes 20 of 46: an ordinary reload
    load_registers(loaded, write_folder(tmp_path / "v3", data), "t1", UNDER)
    assert loaded.count("Evidence", "t1") == 10


def test_plan_counts_added_changed_removed_per_register(loaded: LadybugStore, tmp_path: Path) -> None:
    data = registers()
    evidence = _evidence(30)
    evidence[3]["title"] = "改過的標題"  # changed
    del evidence[7]  # removed
    evidence.append({**evidence[0], "evidence_id": "E-new"})  # added
    data["evidence"] = evidence
    data["csps"][1]["country"] = "SG"  # changed
    dataset = read_registers(write_folder(tmp_path / "v2", data), UNDER)
    changes = {c.register: c for c in plan_changes(loaded, "t1", dataset)}
    assert (changes["evidence"].added, changes["evidence"].changed, changes["evidence"].removed,
            changes["evidence"].unchanged) == (1, 1, 1, 28)
    assert (changes["csps"].added, changes["csps"].changed, changes["csps"].removed) == (0, 1, 0)
    assert all((c.added, c.changed, c.removed) == (0, 0, 0) for name, c in changes.items()
               if name not in ("evidence", "csps"))


def test_the_same_folder_again_changes_nothing(loaded: LadybugStore, tmp_path: Path) -> None:
    data = registers()
    data["evidence"] = _evidence(30)
    dataset = read_registers(write_folder(tmp_path / "same", data), UNDER)
    assert all((c.added, c.changed, c.removed) == (0, 0, 0) for c in plan_changes(loaded, "t1", dataset))


def test_validate_and_load_on_the_command_line(tmp_path: Path) -> None:
    examples = Path(__file__).resolve().parent.parent / "examples" / "insurer"
    store = tmp_path / "s"
    regtrace("load", str(examples), "--tenant", "t", store=store)
    folder = tmp_path / "no-evidence"
    folder.mkdir()
    for file in examples.glob("*.csv"):
        if file.name != "evidence.csv":
            (folder / file.name).write_bytes(file.read_bytes())
    report = regtrace("validate", str(folder), "--tenant", "t", "--json", store=store)
    import json

    changes = {c["register"]: c for c in json.loads(report.stdout)["changes"]}
    assert changes["evidence"]["removed"] == changes["evidence"]["stored"] > 0
    assert changes["controls"]["unchanged"] == changes["controls"]["stored"]
    refused = regtrace("load", str(folder), "--tenant", "t", store=store, check=False)
    assert refused.returncode == 2 and "evidence: all" in refused.stderr
    regtrace("load", str(folder), "--tenant", "t", "--allow-removals", store=store)


def test_a_check_without_a_tenant_counts_the_rows_without_keeping_them(tmp_path: Path) -> None:
    data = registers()
    data["evidence"] = _evidence(30)
    folder = write_folder(tmp_path / "f", data)
    counted = read_registers(folder, UNDER, keep_rows=False)
    kept = read_registers(folder, UNDER)
    assert counted.counts() == kept.counts() and counted.counts()["evidence"] == 30
    assert counted["evidence"].rows == [] and not counted["evidence"].kept
