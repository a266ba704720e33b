"""`regtrace diff`'s comparison: each change kind on texts derived from the seed, with the ids worked out by
hand from the edits listed in tests/data (see the comments), the JSON shape and stable output."""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path
from typing import Any

import pytest
from regtrace.loaders.curation import load_regulation
from regtrace.loaders.regulation_diff import (
    CHANGE_KINDS,
    MATCH_THRESHOLD,
    RegulationDiff,
    char_diff,
    diff_regulations,
    similarity,
)
from regtrace.loaders.regulation_parser import ParsedRegulation

from regtrace.errors import RegulationParseError
from regtrace.regulation_diff_text import render

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SEED = ROOT / "ontology" / "seed" / "cloud-outsourcing-self-regulation.txt"
AMENDED = DATA / "regulation_amended.txt"
EXCERPT = DATA / "regulation_amended_excerpt.txt"
ARABIC = DATA / "regulation_arabic_layout.txt"
ARABIC_AMENDED = DATA / "regulation_arabic_layout_amended.txt"
NOTES = "保險業作業委託他人處理應注意事項"
MEASURES = "保險業作業委託他人處理內部作業制度及程序辦法"


def _load(path: Path) -> ParsedRegulation:
    return load_regulation(path, seed=False)


def _diff(old: Path, new: Path) -> RegulationDiff:
    return diff_regulations(_load(old), _load(new))


def _summary(diff: RegulationDiff) -> list[tuple[str | None, str | None, list[str]]]:
    return [(c.old_id, c.new_id, list(c.kinds)) for c in diff.changes]


def _by_ids(diff: RegulationDiff, old_id: str | None, new_id: str | None) -> dict[str, Any]:
    return next(c for c in diff.to_json() if (c["old_id"], c["new_id"]) == (old_id, new_id))


# The seed amended as tests/data/regulation_amended.txt does, in the new text's order.
SEED_TO_AMENDED = [
    ("A4.P2.I3", "A4.P2.I3", ["deleted"]),  # 三、（刪除）
    ("A6.P1", "A6.P1", ["reworded", "references_changed"]),  # the 注意事項 points 9, 16 -> the 辦法 Art. 9
    (None, "A6-1", ["added"]),  # 第六條之一 with one paragraph and two items
    (None, "A6-1.P1", ["added"]),
    (None, "A6-1.P1.I1", ["added"]),
    (None, "A6-1.P1.I2", ["added"]),
    ("A7.P1.I3.S2", "A7.P1.I3.S2", ["reworded", "modality_changed"]),  # 宜 -> 應
    ("A8.P1.I3", "A8.P1.I3", ["reworded", "frequency_changed"]),  # 應檢視 -> 應至少每年檢視
    (None, "A9.P1.I3-1", ["added"]),  # 三之一、 between 三、 and 四、
    ("A9.P2", None, ["removed"]),  # the foreign-branch paragraph dropped, after the last item of A9.P1.I4
    ("A10.P1.I2", "A10.P1.I2", ["reworded", "conditions_changed"]),  # ；如涉及境外處理者… -> offshore
    (None, "A10.P1.I5", ["added"]),  # a new 五、 before the old 五、
    ("A10.P1.I5", "A10.P1.I6", ["renumbered"]),  # old 五、 is now 六、
    ("A10.P1.I6", "A10.P1.I7", ["renumbered"]),  # old 六、 is now 七、 with its two sub-items
    ("A10.P1.I6.S1", "A10.P1.I7.S1", ["renumbered"]),
    ("A10.P1.I6.S2", "A10.P1.I7.S2", ["renumbered"]),
]


@pytest.fixture(scope="module")
def amended() -> RegulationDiff:
    return _diff(SEED, AMENDED)


def test_every_change_of_the_amended_seed(amended: RegulationDiff) -> None:
    assert _summary(amended) == SEED_TO_AMENDED
    assert amended.warnings == [] and amended.scope is None


def test_reworded_modality_with_a_character_diff(amended: RegulationDiff) -> None:
    change = _by_ids(amended, "A7.P1.I3.S2", "A7.P1.I3.S2")
    assert change["text_diff"] == "[-宜-]{+應+}依據雲端服務之使用目的實施存取控制措施。"
    assert change["modality"] == {"old": {"own": ["should"], "effective": "should"},
                                  "new": {"own": ["shall"], "effective": "shall"}}
    assert change["old_text"] == "宜依據雲端服務之使用目的實施存取控制措施。"
    assert change["new_text"] == "應依據雲端服務之使用目的實施存取控制措施。"
    assert change["conditions"] is None and change["references"] is None


def test_frequency_conditions_and_references(amended: RegulationDiff) -> None:
    frequency = _by_ids(amended, "A8.P1.I3", "A8.P1.I3")
    assert frequency["frequency_months"] == {"old": None, "new": 12}
    assert frequency["text_diff"] == "應{+至少每年+}檢視人力培訓之規劃及機制，以維持教育訓練的有效性。"
    conditions = _by_ids(amended, "A10.P1.I2", "A10.P1.I2")
    assert conditions["conditions"] == {"old": [], "new": ["offshore"]}
    assert conditions["text_diff"].endswith("{+；如涉及境外處理者，並規劃異地備援+}。")
    references = _by_ids(amended, "A6.P1", "A6.P1")
    assert references["references"] == {
        "old": [{"instrument": NOTES, "articles": [], "points": [9, 16]}],
        "new": [{"instrument": MEASURES, "articles": [9], "points": []}],
    }
    assert ("「保險業作業委託他人處理[-應注意事項-]{+內部作業制度及程序辦法+}」第九[-點及第十六點-]{+條+}規定外"
            in references["text_diff"])


def test_deleted_removed_added_and_renumbered(amended: RegulationDiff) -> None:
    deleted = _by_ids(amended, "A4.P2.I3", "A4.P2.I3")
    assert deleted["new_text"] == "（刪除）" and deleted["old_text"].startswith("作業委託雲端服務業者宜適度分散")
    assert deleted["text_diff"] is None and deleted["modality"] is None
    removed = _by_ids(amended, "A9.P2", None)
    assert removed["new_text"] is None and removed["new_label"] is None and removed["old_label"] == "第九條第二項"
    added = _by_ids(amended, None, "A6-1")
    assert (added["new_label"], added["level"], added["old_text"]) == ("第六條之一", "article", None)
    moved = _by_ids(amended, "A10.P1.I5", "A10.P1.I6")
    assert (moved["old_label"], moved["new_label"], moved["similarity"]) == (
        "第十條第一項第五款", "第十條第一項第六款", 1.0)
    assert moved["old_text"] == moved["new_text"] and moved["text_diff"] is None


def test_an_excerpt_is_compared_on_its_articles_only() -> None:
    diff = _diff(SEED, EXCERPT)
    expected = [c for c in SEED_TO_AMENDED if (c[1] or c[0] or "").startswith(("A6-1", "A10."))]
    assert _summary(diff) == expected
    assert diff.scope == ("A6-1", "A10")
    assert any("excerpt" in w for w in diff.warnings)
    assert "比對範圍 scope: 節錄 excerpt, A6-1, A10" in render(diff)
    back = _diff(EXCERPT, AMENDED)  # an excerpt as the old text: the whole new text is not all "added"
    assert back.changes == [] and back.scope == ("A6-1", "A10")


def test_a_deleted_article_takes_its_provisions_with_it() -> None:
    diff = _diff(ARABIC, ARABIC_AMENDED)
    gone = ["A3.P1", "A3.P1.I1", "A3.P1.I1.S1", "A3.P1.I1.S1.N1", "A3.P1.I1.S1.N2", "A3.P1.I1.S2",
            "A3.P1.I1.S2.N1", "A3.P1.I2", "A3.P2", "A3.P3"]
    assert _summary(diff) == [
        (None, "A2.P1.I2-1", ["added"]),  # 二之一、
        (None, "A2-1", ["added"]),  # 第 2-1 條
        (None, "A2-1.P1", ["added"]),
        ("A3", "A3", ["deleted"]),  # 第 3 條 (刪除)
        *[(pid, None, ["deleted"]) for pid in gone],
    ]
    assert all(c["deleted_with"] == "A3" for c in diff.to_json()[4:])


def test_the_way_back() -> None:
    diff = _summary(_diff(AMENDED, SEED))
    assert ("A4.P2.I3", "A4.P2.I3", ["added"]) in diff  # a deleted number given its text again
    assert ("A6-1", None, ["removed"]) in diff and ("A9.P1.I3-1", None, ["removed"]) in diff
    assert ("A10.P1.I6", "A10.P1.I5", ["renumbered"]) in diff and (None, "A9.P2", ["added"]) in diff
    assert ("A7.P1.I3.S2", "A7.P1.I3.S2", ["reworded", "modality_changed"]) in diff


def test_renumbered_and_reworded_at_once() -> None:
    old = load_regulation("第一條\n應辦理：\n一、甲項工作應每年檢視。\n二、乙項工作應定期檢視並留存紀錄。\n",
                          seed=False)
    new = load_regulation("第一條\n應辦理：\n一、丙。\n二、甲項工作應每年檢視。\n三、乙項工作宜定期檢視並留存紀錄。\n",
                          seed=False)
    diff = diff_regulations(old, new)
    assert _summary(diff) == [
        (None, "A1.P1.I1", ["added"]),
        ("A1.P1.I1", "A1.P1.I2", ["renumbered"]),
        ("A1.P1.I2", "A1.P1.I3", ["renumbered", "reworded", "modality_changed"]),
    ]
    assert diff.changes[2].text_diff == "乙項工作[-應-]{+宜+}定期檢視並留存紀錄。"


def test_a_text_against_itself_has_no_changes() -> None:
    diff = _diff(SEED, SEED)
    assert diff.changes == []
    assert "無變更 no changes" in render(diff)


def test_the_threshold_separates_the_seeds_provisions() -> None:
    """No two distinct provisions of one level in the seed are as similar as a moved provision must be."""
    seed = _load(SEED)
    for a, b in itertools.combinations([p for p in seed.provisions if p.text], 2):
        if a.level == b.level:
            assert similarity(a.text, b.text) < MATCH_THRESHOLD, (a.id, b.id)


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("甲乙丙", "甲乙丙", "甲乙丙"),
    ("宜依據", "應依據", "[-宜-]{+應+}依據"),
    ("應檢視", "應至少每年檢視", "應{+至少每年+}檢視"),
    ("甲及乙。", "丙及丁。", "[-甲及乙-]{+丙及丁+}。"),  # a one-character match between changes is folded
    ("應留存紀錄", "", "[-應留存紀錄-]"),
])
def test_char_diff(old: str, new: str, expected: str) -> None:
    assert char_diff(old, new) == expected


def test_json_shape(amended: RegulationDiff) -> None:
    data = json.loads(json.dumps(amended.to_json(), ensure_ascii=False))
    assert isinstance(data, list) and len(data) == len(SEED_TO_AMENDED)
    for change in data:
        assert {"kind", "old_id", "new_id", "old_label", "new_label", "old_text", "new_text", "level",
                "similarity", "text_diff", "modality", "conditions", "frequency_months", "references"} <= set(change)
        assert change["kind"] and set(change["kind"]) <= set(CHANGE_KINDS)
        assert change["old_id"] is not None or change["new_id"] is not None
        assert (change["old_id"] is None) == ("added" in change["kind"])


def test_stable_text(amended: RegulationDiff) -> None:
    text = render(amended)
    assert render(_diff(SEED, AMENDED)) == text
    lines = text.splitlines()
    assert lines[0] == "法規比對 Regulation diff"
    assert lines[3].startswith(
        "變更 changes: 16 — 新增 added 6 · 刪除 deleted 1 · 移除 removed 1 · 條次變更 renumbered 4")
    assert "[文字修正 reworded · 規範效力變更 modality changed] A7.P1.I3.S2 第七條第一項第三款第二目" in lines
    assert "  規範效力 modality: 宜 should（本文 own: 宜） → 應 shall（本文 own: 應）" in lines
    assert ("[條次變更 renumbered] A10.P1.I5 第十條第一項第五款 → A10.P1.I6 第十條第一項第六款 "
            "(相似度 similarity 1.00)") in lines
    assert f"  引用 references: 「{NOTES}」第九點、第十六點 → 「{MEASURES}」第九條" in lines


def test_every_provision_is_accounted_for_once_on_damaged_texts() -> None:
    """On texts with lines dropped or swapped: each provision is in at most one change per side, and every
    old provision (not already deleted) and every new one is either in a change or unchanged under its id."""
    seed = _load(SEED)
    lines = AMENDED.read_text(encoding="utf-8").splitlines()
    rng = random.Random(20251231)
    compared = 0
    for _ in range(40):
        variant = list(lines)
        for _ in range(rng.randint(1, 3)):  # drop a line or two, or swap two
            if rng.random() < 0.7:
                del variant[rng.randrange(len(variant))]
            else:
                i, j = rng.randrange(len(variant)), rng.randrange(len(variant))
                variant[i], variant[j] = variant[j], variant[i]
        try:
            new = load_regulation("\n".join(variant), seed=False)
        except RegulationParseError:
            continue
        diff = diff_regulations(seed, new)
        old_ids = [c.old_id for c in diff.changes if c.old_id]
        new_ids = [c.new_id for c in diff.changes if c.new_id]
        assert len(old_ids) == len(set(old_ids)) and len(new_ids) == len(set(new_ids))
        unchanged_new = {p.id for p in new.provisions} - set(new_ids)
        for p in seed.provisions:
            assert p.id in old_ids or p.id in unchanged_new, p.id
        for c in diff.changes:
            for kind in c.kinds:
                assert kind in CHANGE_KINDS
        compared += 1
    assert compared >= 10
