"""`regtrace diff OLD NEW` with stored versions: each side a file or a stored version's label (its stored source
text). The amended text tests/data/regulation_adopt_2027.txt is the seed with, worked out by hand (see
tests/test_versions.py): A4.P2.I3 deleted (三、（刪除）), A6.P1's reference changed to the 2025-12-31 辦法,
第六條之一 inserted (A6-1), A7.P1.I3.S2 宜 → 應, and a new item A8.P1.I2 moving the old items 二、三 to 三、四.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from regtrace.graph.ladybug_store import LadybugStore
from test_cli import regtrace

from regtrace.seed import install_seed
from regtrace.versions_adopt import adopt

DATA = Path(__file__).parent / "data"
AMENDED = DATA / "regulation_adopt_2027.txt"
SEED_TEXT = Path(__file__).parent.parent / "ontology" / "seed" / "cloud-outsourcing-self-regulation.txt"


@pytest.fixture(scope="module")
def adopted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A LadybugDB store holding the seed and the amended text adopted as version 2027, from 2027-01-01."""
    path = tmp_path_factory.mktemp("diff") / "store"
    with LadybugStore(path) as store:
        install_seed(store)
        adopt(store, AMENDED, dt.date(2027, 1, 1), "2027")
    return path


def test_two_stored_versions_diff_as_their_files(adopted: Path) -> None:
    by_label = regtrace("diff", "--json", "seed", "2027", store=adopted)
    by_file = regtrace("diff", "--json", str(SEED_TEXT), str(AMENDED), store=adopted)
    changes = json.loads(by_label.stdout)
    assert changes == json.loads(by_file.stdout)
    kinds = {(c["old_id"], c["new_id"]): c["kind"] for c in changes}
    assert "deleted" in kinds[("A4.P2.I3", "A4.P2.I3")]
    assert "added" in kinds[(None, "A6-1")]
    assert "modality_changed" in kinds[("A7.P1.I3.S2", "A7.P1.I3.S2")]
    assert "references_changed" in kinds[("A6.P1", "A6.P1")]
    assert "renumbered" in kinds[("A8.P1.I2", "A8.P1.I3")] and "renumbered" in kinds[("A8.P1.I3", "A8.P1.I4")]
    text = regtrace("diff", "seed", "2027", store=adopted).stdout
    assert "(version seed)" in text and "(version 2027)" in text
    assert "[-宜-]{+應+}" in text and "[新增 added] A6-1 第六條之一" in text
    # a file on one side and a label on the other; the way back lists the same provisions
    mixed = json.loads(regtrace("diff", "--json", str(SEED_TEXT), "2027", store=adopted).stdout)
    assert mixed == changes
    back = json.loads(regtrace("diff", "--json", "2027", "seed", store=adopted).stdout)
    assert {(c["new_id"], c["old_id"]) for c in back} == set(kinds)


def test_a_version_against_itself_has_no_changes(adopted: Path) -> None:
    assert json.loads(regtrace("diff", "--json", "2027", "2027", store=adopted).stdout) == []


def test_an_unknown_label_names_it_and_the_stored_ones(adopted: Path, tmp_path: Path) -> None:
    result = regtrace("diff", "seed", "2028", store=adopted, check=False)
    assert result.returncode == 3, result.stderr
    assert "NEW '2028'" in result.stderr and "seed, 2027" in result.stderr
    assert "Traceback" not in result.stderr
    # without a store, a missing file is still named (and no store is created)
    missing = regtrace("diff", "seed", str(AMENDED), store=tmp_path / "none", check=False)
    assert missing.returncode == 3 and "OLD 'seed'" in missing.stderr and "stored versions: none" in missing.stderr
    assert not (tmp_path / "none").exists()
