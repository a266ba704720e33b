"""`regtrace impact` against the stored version in force on the date, with NEW_TEXT a file or a stored label.

The store holds the seed and tests/data/regulation_adopt_2027.txt adopted as version 2027 from 2027-01-01 (the
seed with, by hand: A4.P2.I3 deleted, A6.P1's reference changed, 第六條之一 inserted, A7.P1.I3.S2 宜 → 應, a new
item A8.P1.I2 moving the old items 二、三 to 三、四), and tenant t1 of tests/test_versions.py: C-ACC satisfies
A7.P1.I3.S2 (evidence E1), C-TRAIN the items A8.P1.I2 and A8.P1.I3 (seed numbering; carried to I3 and I4 in
2027, evidence E2), C-DIST the deleted A4.P2.I3 (orphaned in 2027).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from regtrace.graph.ladybug_store import LadybugStore
from regtrace.graph.port import Store
from test_cli import regtrace
from test_versions import AMENDED, _registers

from regtrace.errors import NotFoundError
from regtrace.impact import impact
from regtrace.impact_stored import stored_amendment
from regtrace.seed import install_seed
from regtrace.versions_adopt import adopt

SEED_TEXT = Path(__file__).parent.parent / "ontology" / "seed" / "cloud-outsourcing-self-regulation.txt"
BEFORE, AFTER = dt.date(2026, 12, 31), dt.date(2027, 1, 1)


@pytest.fixture(scope="module")
def adopted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Store]]:
    path = tmp_path_factory.mktemp("impact") / "store"
    with LadybugStore(path) as store:
        install_seed(store)
        _registers(store)
        adopt(store, AMENDED, AFTER, "2027")
    with LadybugStore(path) as store:
        yield path, store


def _impact(store: Store, new_text: str, day: dt.date) -> tuple[str, list[dict[str, Any]]]:
    label, amendment = stored_amendment(store, new_text, day)
    return label, impact(store, "t1", amendment, day).to_json()


def _by_ids(changes: list[dict[str, Any]]) -> dict[tuple[str | None, str | None], dict[str, Any]]:
    return {(c["old_id"], c["new_id"]): c for c in changes}


def test_before_the_effective_date_the_seed_is_current(adopted: tuple[Path, Store]) -> None:
    _, store = adopted
    label, same = _impact(store, str(SEED_TEXT), BEFORE)
    assert (label, same) == ("seed", [])  # the seed against itself: nothing changes
    label, by_label = _impact(store, "2027", BEFORE)
    assert label == "seed" and by_label == _impact(store, str(AMENDED), BEFORE)[1]
    changes = _by_ids(by_label)
    acc = changes[("A7.P1.I3.S2", "A7.P1.I3.S2")]
    assert "modality_changed" in acc["kind"] and acc["controls"] == ["C-ACC"] and acc["evidence"] == ["E1"]
    assert "renumbered" in changes[("A8.P1.I3", "A8.P1.I4")]["kind"]
    assert changes[("A8.P1.I3", "A8.P1.I4")]["controls"] == ["C-TRAIN"]
    assert changes[(None, "A6-1")]["controls"] == []  # nothing maps to an article the text adds


def test_after_the_effective_date_the_adopted_version_is_current(adopted: tuple[Path, Store]) -> None:
    _, store = adopted
    label, same = _impact(store, "2027", AFTER)
    assert (label, same) == ("2027", [])  # the version in force against itself
    label, back = _impact(store, str(SEED_TEXT), AFTER)
    assert label == "2027"
    changes = _by_ids(back)
    # the way back from 2027, the tenant's mappings read in 2027's numbering
    assert "removed" in changes[("A6-1", None)]["kind"]
    assert "renumbered" in changes[("A8.P1.I4", "A8.P1.I3")]["kind"]
    assert changes[("A8.P1.I4", "A8.P1.I3")]["controls"] == ["C-TRAIN"]
    assert changes[("A8.P1.I4", "A8.P1.I3")]["evidence"] == ["E2"]
    acc = changes[("A7.P1.I3.S2", "A7.P1.I3.S2")]
    assert "modality_changed" in acc["kind"] and acc["controls"] == ["C-ACC"] and acc["evidence"] == ["E1"]
    assert {"kind", "old_id", "new_id", "controls", "contracts", "evidence", "arrangements",
            "status_changes"} <= set(back[0])  # the JSON fields of a change are kept


def test_an_unknown_label_is_named(adopted: tuple[Path, Store]) -> None:
    _, store = adopted
    with pytest.raises(NotFoundError, match=r"NEW_TEXT '2028'.*stored versions: seed, 2027"):
        stored_amendment(store, "2028", AFTER)


def test_the_command_takes_a_label(adopted: tuple[Path, Store]) -> None:
    path, _ = adopted
    result = regtrace("impact", "seed", "--tenant", "t1", "--as-of", "2027-01-01", "--json", store=path)
    changes = _by_ids(json.loads(result.stdout))
    assert changes[("A8.P1.I4", "A8.P1.I3")]["controls"] == ["C-TRAIN"]
