"""Regulation versions on both stores: adopt an amended text, trace as of dates before and after it, every mapping
carried, queued for review or kept orphaned (none lost), an interrupted adopt changes nothing, features change
only where the text did.

The amended text tests/data/regulation_adopt_2027.txt is the seed with, worked out by hand:
  * A4.P2.I3 (宜適度分散…) deleted: 三、（刪除）;
  * A6.P1 citing the 2025-12-31 辦法 第九條 instead of the abolished 注意事項 第九點及第十六點 (its items unchanged);
  * 第六條之一 inserted (A6-1, one paragraph A6-1.P1 with 應: an obligation on each arrangement);
  * A7.P1.I3.S2 宜 → 應 (should → shall);
  * a new item A8.P1.I2 in Art. 8, so the old items 二 and 三 become 三 and 四 with the same words.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from regtrace.graph.port import Store, Writer
from regtrace.trace import trace
from store_fixtures import seeded_ladybug
from trace_fixtures import Registers

from regtrace import versions_adopt
from regtrace.errors import InputError, NotFoundError
from regtrace.features import features_from_store
from regtrace.migrate import checksum, contents
from regtrace.versions import VersionBook
from regtrace.versions_adopt import adopt, plan_adoption
from regtrace.versions_review import accept_reviews, review_queue

AMENDED = Path(__file__).parent / "data" / "regulation_adopt_2027.txt"
EFFECTIVE = dt.date(2027, 1, 1)
BEFORE, AFTER = dt.date(2026, 12, 31), dt.date(2027, 1, 1)
MAPPING_LINKS = (("SATISFIES", "Control"), ("COVERS_CLAUSE", "Contract"), ("CITES", "Finding"))


def _registers(store: Store) -> None:
    reg = Registers("t1")
    reg.csp("CSP1")
    reg.arrangement("ARR1")
    reg.control("C-DIST", ["A4.P2.I3"])  # deleted by the amendment: orphaned
    reg.control("C-ACC", ["A7.P1.I3.S2"])  # 宜 -> 應: carried, needs review
    reg.control("C-TRAIN", ["A8.P1.I2", "A8.P1.I3"])  # renumbered to I3 and I4: carried
    reg.contract("K1", "ARR1", ["A6.P1.I1", "A6.P1.I2"], dt.date(2024, 1, 1))  # unchanged items: carried
    reg.audit("AU1", "ARR1", "general", dt.date(2026, 3, 1))
    reg.finding("F1", "AU1", "open", dt.date(2027, 6, 30), cites=["A8.P1.I3"])  # renumbered to I4: carried
    reg.evidence("E1", "C-ACC", dt.date(2026, 10, 1), "ARR1")
    reg.evidence("E2", "C-TRAIN", dt.date(2026, 10, 1))
    reg.evidence("E3", "C-DIST", dt.date(2026, 10, 1))
    reg.write(store)


def _mapping_count(store: Store) -> int:
    return sum(len(store.links(rel, "t1")) for rel, _source in MAPPING_LINKS)


def _rows(store: Store, day: dt.date) -> dict[tuple[str, str], tuple[str, tuple[str, ...], str | None]]:
    return {(r.provision, r.subject): (r.status, r.controls, r.modality) for r in trace(store, "t1", day)}


@pytest.fixture
def seeded(seeded_store: Store) -> Store:
    """Both stores: the seed (tests/store_fixtures.py) and the tenant above."""
    _registers(seeded_store)
    return seeded_store


@pytest.fixture
def embedded(tmp_path: Path) -> Iterator[Store]:
    """The embedded store only, for what does not depend on the store (kept off Neo4j to keep CI short)."""
    with seeded_ladybug(tmp_path / "store") as store:
        _registers(store)
        yield store


def test_adopt_then_trace_before_and_after(seeded: Store) -> None:
    store = seeded
    before_adopt = _rows(store, BEFORE)
    mappings_before = _mapping_count(store)
    assert mappings_before == 7

    adoption = adopt(store, AMENDED, EFFECTIVE, "2027")

    assert adoption.counts() == {"carried": 5, "needs_review": 1, "orphaned": 1}, "7 mappings: none lost"
    book = VersionBook.read(store)
    assert [(v.label, v.effective_from, v.effective_until) for v in book.versions] == [
        ("seed", None, BEFORE), ("2027", EFFECTIVE, None)]
    # Nothing deleted: every link to the seed's obligations is still there, 6 carried links added.
    seed_keys = {o["uid"] for o in book.obligations_of("seed")}
    links = [r for rel, _source in MAPPING_LINKS for r in store.links(rel, "t1")]
    assert sum(r["target"] in seed_keys for r in links) == mappings_before
    assert len(links) == mappings_before + 6
    assert len(book.provisions_of("seed")) == 130

    # As of the day before, the seed is traced exactly as before the adoption.
    assert _rows(store, BEFORE) == before_adopt
    assert before_adopt[("A4.P2.I3", "company")][1] == ("C-DIST",)
    assert before_adopt[("A7.P1.I3.S2", "ARR1")][2] == "should"

    after = _rows(store, AFTER)
    assert ("A4.P2.I3", "company") not in after, "deleted: no obligation"
    assert after[("A7.P1.I3.S2", "ARR1")][1:] == (("C-ACC",), "shall")
    assert after[("A8.P1.I3", "company")][1] == ("C-TRAIN",), "old A8.P1.I2, renumbered"
    assert after[("A8.P1.I4", "company")][1] == ("C-TRAIN",), "old A8.P1.I3, renumbered"
    assert after[("A8.P1.I2", "company")][:2] == ("gap", ()), "the inserted item: nothing maps to it"
    assert after[("A6-1.P1", "ARR1")][:2] == ("gap", ())
    assert ("A6-1.P1", "ARR1") not in before_adopt
    against_seed = {(r.provision, r.subject): (r.status, r.controls, r.modality)
                    for r in trace(store, "t1", AFTER, version="seed")}
    assert against_seed[("A4.P2.I3", "company")][1] == ("C-DIST",), "a given version is traced on any date"
    contracts = {r.provision: r.contracts for r in trace(store, "t1", AFTER) if r.subject == "ARR1"}
    assert contracts["A6.P1.I1"] == ("K1",) and contracts["A6.P1.I2"] == ("K1",)


def test_review_queue_lists_then_accepts(embedded: Store) -> None:
    store = embedded
    adopt(store, AMENDED, EFFECTIVE, "2027")
    queue = review_queue(store, "t1")
    assert [r["review_id"] for r in queue.needs_review] == ["satisfies:C-ACC:A7.P1.I3.S2@2027"]
    assert queue.needs_review[0]["changes"] == ["reworded", "modality_changed"]
    assert queue.orphaned == [{"kind": "satisfies", "source_id": "C-DIST", "provision_id": "A4.P2.I3",
                               "version": "seed"}]
    with pytest.raises(NotFoundError, match="no review nope"):
        accept_reviews(store, "t1", ["nope"])
    assert accept_reviews(store, "t1", ["satisfies:C-ACC:A7.P1.I3.S2@2027"]) == ["satisfies:C-ACC:A7.P1.I3.S2@2027"]
    queue = review_queue(store, "t1")
    assert queue.needs_review == [] and len(queue.accepted) == 1
    assert len(queue.orphaned) == 1, "accepting never touches an orphaned mapping"


def test_an_interrupted_adopt_leaves_the_store_as_it_was(seeded: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    store = seeded
    before = {key: checksum(rows) for key, rows in contents(store).items()}
    original = versions_adopt.write_regulation_rows

    def dies_midway(w: Writer, graph: versions_adopt.RegulationGraph) -> None:
        original(w, graph)  # the new version's provisions and obligations are written ...
        raise KeyboardInterrupt  # ... and the process is interrupted before the mappings are carried

    monkeypatch.setattr(versions_adopt, "write_regulation_rows", dies_midway)
    with pytest.raises(KeyboardInterrupt):
        adopt(store, AMENDED, EFFECTIVE, "2027")
    assert {key: checksum(rows) for key, rows in contents(store).items()} == before
    monkeypatch.undo()
    assert adopt(store, AMENDED, EFFECTIVE, "2027").counts()["orphaned"] == 1, "the adopt can be run again"


def test_adopt_refuses_what_it_cannot_order(embedded: Store) -> None:
    store = embedded
    adopt(store, AMENDED, EFFECTIVE, "2027")
    with pytest.raises(InputError, match="must take effect after"):
        plan_adoption(store, AMENDED, dt.date(2026, 6, 1), "2026b")
    with pytest.raises(InputError, match="already holds a version"):
        plan_adoption(store, AMENDED, dt.date(2028, 1, 1), "2027")
    with pytest.raises(InputError, match="same text"):
        plan_adoption(store, AMENDED, dt.date(2028, 1, 1), "2028")


def test_features_change_only_where_the_text_did(embedded: Store) -> None:
    store = embedded
    before = features_from_store(store, BEFORE)
    adopt(store, AMENDED, EFFECTIVE, "2027")
    assert features_from_store(store, BEFORE) == before
    after = features_from_store(store, AFTER)
    changed = sorted(name for name in before if before[name] != after[name])
    # Art. 4 (a deleted item), 6 (第六條之一 joins article 6's file), 7 (宜 -> 應), 8 (an item inserted).
    assert changed == ["article-04.feature", "article-06.feature", "article-07.feature", "article-08.feature"]
    assert sorted(after) == sorted(before)
