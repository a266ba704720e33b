"""The regulation parser: structure, labels, texts, modalities, actors, frequency, references, bad input."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from regtrace.loaders.chinese_numerals import parse_number, to_chinese
from regtrace.loaders.modality import find_markers, introducing_modality, own_modalities
from regtrace.loaders.numbering import PROVISION_ID
from regtrace.loaders.provision import Reference
from regtrace.loaders.references import find_references
from regtrace.loaders.regulation_parser import (
    ParsedRegulation,
    find_actors,
    frequency_months,
    parse_regulation,
)

from regtrace.errors import RegulationParseError

ROOT = Path(__file__).resolve().parent.parent
SEED_PATH = ROOT / "ontology" / "seed" / "cloud-outsourcing-self-regulation.txt"
ARABIC_LAYOUT_PATH = Path(__file__).resolve().parent / "data" / "regulation_arabic_layout.txt"

# Written by reading the seed text, article by article.
SEED_IDS = [
    "A1", "A1.P1",
    "A2", "A2.P1", "A2.P2",
    "A3", "A3.P1", "A3.P1.I1", "A3.P1.I2", "A3.P1.I3", "A3.P1.I4", "A3.P1.I5", "A3.P1.I6", "A3.P1.I7",
    "A3.P1.I8",
    "A4", "A4.P1", "A4.P1.I1", "A4.P1.I2", "A4.P1.I3", "A4.P1.I3.S1", "A4.P1.I3.S2", "A4.P1.I3.S3",
    "A4.P1.I3.S4", "A4.P1.I3.S5", "A4.P1.I4", "A4.P1.I5", "A4.P1.I6", "A4.P1.I7",
    "A4.P2", "A4.P2.I1", "A4.P2.I2", "A4.P2.I3", "A4.P2.I4", "A4.P2.I5",
    "A4.P3",
    "A5", "A5.P1", "A5.P1.I1", "A5.P1.I2", "A5.P1.I2.S1", "A5.P1.I2.S2", "A5.P1.I2.S3", "A5.P1.I2.S4",
    "A5.P1.I2.S5", "A5.P1.I2.S6", "A5.P1.I2.S7", "A5.P1.I3",
    "A5.P2",
    "A5.P3", "A5.P3.I1", "A5.P3.I2", "A5.P3.I3", "A5.P3.I4",
    "A6", "A6.P1", "A6.P1.I1", "A6.P1.I2", "A6.P1.I3", "A6.P1.I4", "A6.P1.I5", "A6.P1.I6", "A6.P1.I7",
    "A6.P2", "A6.P3",
    "A7", "A7.P1",
    "A7.P1.I1", "A7.P1.I1.S1", "A7.P1.I1.S2", "A7.P1.I1.S3", "A7.P1.I1.S4",
    "A7.P1.I2", "A7.P1.I2.S1", "A7.P1.I2.S2", "A7.P1.I2.S3",
    "A7.P1.I3", "A7.P1.I3.S1", "A7.P1.I3.S2", "A7.P1.I3.S3",
    "A7.P1.I4", "A7.P1.I4.S1", "A7.P1.I4.S2",
    "A7.P1.I5",
    "A7.P1.I5.S1", "A7.P1.I5.S1.N1", "A7.P1.I5.S1.N2", "A7.P1.I5.S1.N3",
    "A7.P1.I5.S2", "A7.P1.I5.S2.N1", "A7.P1.I5.S2.N2",
    "A7.P1.I5.S3", "A7.P1.I5.S3.N1", "A7.P1.I5.S3.N2",
    "A8", "A8.P1", "A8.P1.I1", "A8.P1.I2", "A8.P1.I3",
    "A9", "A9.P1", "A9.P1.I1", "A9.P1.I1.S1", "A9.P1.I1.S2", "A9.P1.I2", "A9.P1.I3",
    "A9.P1.I4", "A9.P1.I4.S1", "A9.P1.I4.S2", "A9.P1.I4.S3", "A9.P1.I4.S4", "A9.P1.I4.S5", "A9.P1.I4.S6",
    "A9.P2",
    "A10", "A10.P1", "A10.P1.I1", "A10.P1.I2", "A10.P1.I3", "A10.P1.I4", "A10.P1.I5", "A10.P1.I6",
    "A10.P1.I6.S1", "A10.P1.I6.S2",
    "A11", "A11.P1",
    "A12", "A12.P1",
    "A13", "A13.P1",
]


@pytest.fixture(scope="module")
def seed() -> ParsedRegulation:
    return parse_regulation(SEED_PATH.read_text(encoding="utf-8"), str(SEED_PATH))


@pytest.fixture(scope="module")
def arabic() -> ParsedRegulation:
    return parse_regulation(ARABIC_LAYOUT_PATH.read_text(encoding="utf-8"), str(ARABIC_LAYOUT_PATH))


# ---------------------------------------------------------------- structure


def test_seed_provision_ids_in_document_order(seed: ParsedRegulation) -> None:
    assert seed.ids == SEED_IDS


def test_seed_title_and_no_warnings(seed: ParsedRegulation) -> None:
    assert seed.title == "保險業作業委外使用雲端服務自律規範"
    assert seed.warnings == []


def test_levels_parents_and_lines(seed: ParsedRegulation) -> None:
    point = seed.get("A7.P1.I5.S1.N2")
    assert (point.level, point.parent) == ("point", "A7.P1.I5.S1")
    assert (seed.get("A4").level, seed.get("A4").parent) == ("article", None)
    assert (seed.get("A4.P3").level, seed.get("A4.P3").parent) == ("paragraph", "A4")
    assert (seed.get("A5.P1.I2.S7").level, seed.get("A5.P1.I2.S7").parent) == ("subitem", "A5.P1.I2")
    assert seed.get("A1").line == 3
    assert seed.get("A4.P2").line == 113
    assert seed.get("A7.P1.I5.S1.N2").line == 317
    for p in seed.provisions:
        assert p.parent is None or p.id.startswith(p.parent + ".")


@pytest.mark.parametrize(("pid", "label"), [
    ("A7.P1.I5.S1.N2", "第七條第一項第五款第一目第2點"),
    ("A4", "第四條"),
    ("A4.P3", "第四條第三項"),
    ("A5.P1.I2.S7", "第五條第一項第二款第七目"),
    ("A11.P1", "第十一條第一項"),
    ("A13", "第十三條"),
    ("A10.P1.I6.S2", "第十條第一項第六款第二目"),
])
def test_labels(seed: ParsedRegulation, pid: str, label: str) -> None:
    assert seed.get(pid).label == label


def _children(parsed: ParsedRegulation, parent: str) -> list[str]:
    return [p.id for p in parsed.provisions if p.parent == parent]


@pytest.mark.parametrize(("article", "starts"), [
    ("A2", ["本自律規範適用之範圍", "外國保險業在臺分支機構因內部分工"]),
    ("A4", ["各會員公司應建立雲端服務治理機制", "各會員公司使用雲端服務與控管其風險事項", "董（理）事會應認知"]),
    ("A5", ["各會員公司使用雲端服務時", "前項所提之評估項目", "各會員公司對使用雲端服務負有最終監督義務"]),
    ("A6", ["各會員公司作業委外使用雲端服務", "前揭契約或協議內容", "外國保險業在臺分支機構經由國外總機構"]),
    ("A9", ["各會員公司應針對雲端服務業者規劃", "外國保險業在臺分支機構得交由"]),
    ("A3", ["本自律規範用詞定義如下"]),
    ("A7", ["各會員公司應依風險基礎方法規劃"]),
    ("A8", ["各會員公司應定期執行人力培訓"]),  # "相關內容包含：" continues a full first line
    ("A10", ["各會員公司應將下列要求納入"]),
])
def test_paragraph_breaks(seed: ParsedRegulation, article: str, starts: list[str]) -> None:
    paragraphs = _children(seed, article)
    assert paragraphs == [f"{article}.P{n}" for n in range(1, len(starts) + 1)]
    for pid, start in zip(paragraphs, starts, strict=True):
        assert seed.get(pid).text.startswith(start), pid


@pytest.mark.parametrize(("parent", "count"), [
    ("A4.P1", 7), ("A4.P2", 5), ("A4.P3", 0), ("A5.P1", 3), ("A5.P2", 0), ("A5.P3", 4), ("A6.P1", 7),
    ("A6.P2", 0), ("A6.P3", 0), ("A9.P1", 4), ("A9.P2", 0), ("A2.P1", 0), ("A2.P2", 0),
    ("A7.P1.I5", 3), ("A7.P1.I5.S1", 3), ("A7.P1.I5.S2", 2), ("A7.P1.I5.S3", 2), ("A4.P1.I3", 5),
])
def test_list_lengths(seed: ParsedRegulation, parent: str, count: int) -> None:
    assert len(_children(seed, parent)) == count


# ---------------------------------------------------------------- texts


@pytest.mark.parametrize(("pid", "text"), [
    ("A4.P1.I7", "定期舉辦或參加雲端服務相關的人才培訓，以確保會員公司具備管理雲端技術風險、"
                 "監督及審查雲端服務之知識及能力。"),
    ("A4.P1.I3.S1", "雲端服務使用模式與情境。"),
    ("A7.P1.I1", "雲端環境之安全控管"),
    ("A8.P1", "各會員公司應定期執行人力培訓與人力提升規劃，以確保具備足夠之專業知識與資源。相關內容包含："),
    ("A9.P1.I1.S1", "雲端服務涉及自然人客戶相關資料之重大性業務資訊系統委託至境外處理時，"
                    "每年至少應辦理一次一般性查核及一次專案查核。"),
    # lines 221 and 223 are followed by a page break
    ("A6.P1.I1", "委外事項範圍及雲端服務業者之權責，應包括各會員公司與雲端服務業者間之責任區分"
                 "及雲端服務水準。"),
    ("A4.P1", "各會員公司應建立雲端服務治理機制，規劃並確認以下事項："),
    ("A7.P1.I5.S1", "稽核軌跡與監控："),
])
def test_own_texts_join_wrapped_lines(seed: ParsedRegulation, pid: str, text: str) -> None:
    assert seed.get(pid).text == text


def test_texts_keep_inner_spaces_and_have_no_wrap_breaks(seed: ParsedRegulation) -> None:
    assert "ISO27001、ISO27017、ISO27018、ISO27701、ISO22301 、雲端安全聯盟 （CSA） STAR" in seed.get("A5.P2").text
    assert "（AICPA）SOC 2 報告等。" in seed.get("A5.P2").text
    for p in seed.provisions:
        assert p.text and p.text == p.text.strip()
        if p.level != "article":
            assert "\n" not in p.text


def test_article_text_is_the_full_text(seed: ParsedRegulation) -> None:
    a4 = seed.get("A4").text.split("\n")
    assert a4[0] == seed.get("A4.P1").text
    assert "(一) 雲端服務使用模式與情境。" in a4
    assert "一、應制訂雲端服務之規範，並至少每年檢視一次。" in a4
    assert a4[-1] == seed.get("A4.P3").text
    assert len(a4) == len([p for p in seed.provisions if p.id.startswith("A4.")])
    assert seed.get("A11").text == seed.get("A11.P1").text


# ---------------------------------------------------------------- modalities


@pytest.mark.parametrize(("text", "expected"), [
    ("應用程式", []),
    ("因應組織、外在科技等議題", []),
    ("供應商", []),
    ("提供應用軟體服務", []),
    ("相應之版本", []),
    ("對應之控制措施", []),
    ("取得應用程式", []),
    ("獲得授權", []),
    ("得以提升效率", []),
    ("得以書面通知", ["may"]),
    ("是否可將系統遷移", []),
    ("是否可能對各會員公司使用雲端服務造成其他營運風險", []),
    ("是否可符合各會員公司需求", []),
    ("應建立互通性政策和程序，確保於服務結束時，可將系統遷移或資料遷出雲端服務。", ["shall"]),
    ("不得低於我國要求", ["must_not"]),
    ("緊急應變處理", []),
    ("應變更契約", ["shall"]),
    ("負責統籌協議約定事宜", []),
    ("會員公司應按「保險業作業委託他人處理應注意事項」辦理", ["shall"]),
    ("依「保險業作業委託他人處理應注意事項」辦理", []),
    ("可依國外總機構所訂之管控措施辦理", ["may"]),
    ("對於較低風險情形，則可採取相對簡化措施", ["may"]),
    ("得委託獨立第三人，惟宜評估，並應留存，不得外洩", ["shall", "must_not", "should", "may"]),
    ("應留存稽核軌跡，宜考量集中管理，應避免", ["shall", "should"]),
])
def test_own_modalities_and_traps(text: str, expected: list[str]) -> None:
    assert own_modalities(text) == expected


def test_not_allowed_is_not_may() -> None:
    assert [m.modality for m in find_markers("不得有存取客戶資料之權限")] == ["must_not"]


def test_list_introducer_is_the_last_marker() -> None:
    assert introducing_modality("風險評估機制係指各會員公司應針對雲端服務…評估項目宜包括：") == "should"
    assert introducing_modality("各會員公司應將下列要求納入業務持續性管理機制：") == "shall"
    assert introducing_modality("雲端環境之安全控管") is None


@pytest.mark.parametrize(("pid", "modalities", "effective"), [
    ("A4.P1.I3", ["shall", "should"], "shall"),
    ("A4.P1.I3.S1", [], "should"),  # 評估項目宜包括： introduces the list
    ("A4.P1.I3.S5", [], "should"),
    ("A5.P1.I2", ["should"], "should"),
    ("A5.P1.I2.S1", [], "should"),  # 是否可能
    ("A5.P1.I2.S4", [], "should"),  # 是否可符合
    ("A5.P1.I2.S5", [], "should"),  # 是否可將系統遷移
    ("A5.P1.I3", ["may"], "may"),  # 得援用
    ("A12.P1", ["may"], "may"),  # 得先予書面糾正
    ("A4.P2.I5", ["shall"], "shall"),  # 確保於服務結束時，可將系統遷移
    ("A4.P2.I1", ["shall"], "shall"),  # 機制可因應
    ("A4.P2.I2", ["shall", "must_not"], "shall"),
    ("A4.P2.I3", ["shall", "should"], "shall"),
    ("A3.P1.I1", [], None),  # 應用程式
    ("A3.P1.I5", [], None),  # 取得應用程式, 可掌控
    ("A3.P1.I3", ["shall", "may"], "shall"),  # a definition that says 應 (non-normative by curation)
    ("A10.P1.I3", [], "shall"),  # 應變流程: inherits 應將下列要求納入
    ("A10.P1.I5", ["shall"], "shall"),  # 資料可用性
    ("A5.P3.I3", ["shall"], "shall"),  # 機制可確保
    ("A6.P3", ["shall", "may"], "shall"),  # 事宜 is no 宜
    ("A2.P1", ["shall"], "shall"),  # 應注意事項 inside 「」 is a title
    ("A1.P1", [], None),
    ("A2.P2", ["shall", "must_not", "may"], "shall"),
    ("A7.P1.I1", [], "shall"),
    ("A7.P1.I3.S3", ["shall", "must_not"], "shall"),
    ("A7.P1.I5.S1", [], "shall"),
    ("A7.P1.I5.S1.N1", ["shall", "should"], "shall"),
    ("A7.P1.I5.S1.N3", ["should"], "should"),
    ("A9.P1.I1", [], "shall"),
    ("A9.P1.I4.S2", [], "should"),  # 執行重點宜包含：
    ("A9.P1.I2", ["shall", "may"], "shall"),
    ("A10.P1.I6.S1", ["may"], "may"),  # 可選擇
    ("A4", [], None),  # an article has no text of its own
])
def test_seed_modalities(seed: ParsedRegulation, pid: str, modalities: list[str], effective: str | None) -> None:
    p = seed.get(pid)
    assert (p.modalities, p.effective_modality) == (modalities, effective)


def test_only_definitions_purpose_and_enactment_have_no_force(seed: ParsedRegulation) -> None:
    forceless = {p.id for p in seed.provisions if p.effective_modality is None}
    articles = {f"A{n}" for n in range(1, 14)}
    definitions = {f"A3.P1.I{n}" for n in (1, 2, 4, 5, 6, 7, 8)}
    assert forceless == articles | definitions | {"A1.P1", "A3.P1", "A13.P1"}


# ---------------------------------------------------------------- actors, frequency, references


@pytest.mark.parametrize(("pid", "actors"), [
    ("A4.P3", ["member_company", "board"]),
    ("A4.P1.I2", ["dedicated_unit"]),
    ("A6.P1.I5", ["member_company", "csp", "competent_authority"]),
    ("A9.P1.I2", ["independent_third_party"]),
    ("A5.P3", ["member_company", "independent_third_party"]),  # 專業第三人
    ("A2.P2", ["foreign_branch"]),
    ("A12.P1", ["member_company", "association"]),  # 公會理事會 is not the company's board
    ("A13.P1", ["competent_authority", "association"]),
    ("A3.P1.I2", ["csp"]),
])
def test_actors(seed: ParsedRegulation, pid: str, actors: list[str]) -> None:
    assert seed.get(pid).actors == actors


def test_actor_names_are_normalised() -> None:
    assert find_actors("董(理)事會應每季聽取專責單位之報告") == ["board", "dedicated_unit"]
    assert find_actors("依「主管機關核定辦法」辦理") == []


def test_seed_frequencies(seed: ParsedRegulation) -> None:
    stated = {p.id: p.frequency_months for p in seed.provisions if p.frequency_months is not None}
    assert stated == {"A4.P1.I1": 12, "A9.P1.I1.S1": 12}


@pytest.mark.parametrize(("text", "months"), [
    ("至少每年檢視一次", 12), ("每年至少應辦理一次", 12), ("每半年檢視", 6), ("每季聽取", 3), ("每月", 1),
    ("每二年", 24), ("每 3 個月", 3), ("定期審查", None), ("查核頻率", None), ("每年檢視，每季報告", 3),
])
def test_frequency(text: str, months: int | None) -> None:
    assert frequency_months(text) == months


def test_seed_references_sit_on_the_smallest_provision(seed: ParsedRegulation) -> None:
    with_refs = {p.id: p.references for p in seed.provisions if p.references}
    notes = "保險業作業委託他人處理應注意事項"
    assert with_refs == {
        "A1.P1": [Reference(notes)],
        "A2.P1": [Reference(notes)],
        "A6.P1": [Reference(notes, (), (9, 16))],
    }
    assert with_refs["A6.P1"][0].to_json() == {"instrument": notes, "articles": [], "points": [9, 16]}


def test_references() -> None:
    text = "依「A辦法」第三條至第五條及第 9 條第二項、「雲端服務」及「B要點」第一點規定"
    refs = find_references(text, exclude={"C規範"})
    assert refs == [Reference("A辦法", (3, 4, 5, 9)), Reference("B要點", (), (1,))]
    assert find_references("依「C規範」第一條辦理", exclude={"C規範"}) == []


def test_numerals() -> None:
    assert [parse_number(s) for s in ("一", "十", "十一", "二十", "二十三", "一百零一", "13", "１３")] == [
        1, 10, 11, 20, 23, 101, 13, 13]
    assert [to_chinese(n) for n in (1, 10, 11, 20, 21, 101, 110)] == [
        "一", "十", "十一", "二十", "二十一", "一百零一", "一百一十"]
    with pytest.raises(ValueError):
        parse_number("甲")


# ---------------------------------------------------------------- second layout


def test_arabic_layout_structure(arabic: ParsedRegulation) -> None:
    assert arabic.title == "雲端服務委外管理範例規範"
    assert arabic.warnings == []
    assert arabic.ids == [
        "A1", "A1.P1",
        "A2", "A2.P1", "A2.P1.I1", "A2.P1.I2", "A2.P1.I2.S1", "A2.P1.I2.S2", "A2.P1.I3", "A2.P2",
        "A3", "A3.P1", "A3.P1.I1", "A3.P1.I1.S1", "A3.P1.I1.S1.N1", "A3.P1.I1.S1.N2", "A3.P1.I1.S2",
        "A3.P1.I1.S2.N1", "A3.P1.I2", "A3.P2", "A3.P3",
        "A4", "A4.P1", "A4.P1.I1", "A4.P1.I2",
    ]
    assert arabic.get("A3.P1.I1.S2.N1").label == "第三條第一項第一款第二目第1點"
    assert arabic.get("A3.P1.I1.S2.N1").text == (
        "如開放透過網際網路直接存取雲端服務者,應採用多因子身分驗證,並定期檢視帳號權限.")
    assert arabic.get("A3.P2").text.endswith("得依國外總機構所訂之管控措施辦理。")
    assert arabic.get("A4.P1").text.endswith("知悉。相關內容包含:")


@pytest.mark.parametrize(("pid", "modalities", "effective", "months"), [
    ("A1.P1", [], None, None),
    ("A2.P1", ["shall"], "shall", 6),
    ("A2.P1.I1", ["shall"], "shall", None),  # 應用程式, 供應商, 相應
    ("A2.P1.I2.S1", [], "should", None),  # 是否可將系統
    ("A2.P1.I2.S2", [], "should", None),  # 供應商因應變更, 取得
    ("A2.P1.I3", ["must_not", "may"], "must_not", None),
    ("A2.P2", ["shall"], "shall", 3),
    ("A3.P1.I1.S1", [], "shall", None),
    ("A3.P1.I1.S1.N2", ["should"], "should", None),
    ("A3.P1.I2", ["must_not"], "must_not", None),
    ("A3.P2", ["may"], "may", None),
    ("A4.P1", ["shall"], "shall", 12),
    ("A4.P1.I2", [], "shall", None),
])
def test_arabic_layout_semantics(arabic: ParsedRegulation, pid: str, modalities: list[str],
                                 effective: str | None, months: int | None) -> None:
    p = arabic.get(pid)
    assert (p.modalities, p.effective_modality, p.frequency_months) == (modalities, effective, months)


def test_arabic_layout_references_and_actors(arabic: ParsedRegulation) -> None:
    assert arabic.get("A1.P1").references == [Reference("保險業作業委託他人處理內部作業制度及程序辦法", (9, 12))]
    assert arabic.get("A2.P2").actors == ["board", "dedicated_unit"]
    assert arabic.get("A3.P3").actors == ["member_company", "competent_authority"]


# ---------------------------------------------------------------- broken input


def _parse_error(text: str) -> str:
    with pytest.raises(RegulationParseError) as caught:
        parse_regulation(text, "test.txt")
    return str(caught.value)


@pytest.mark.parametrize("text", ["", "\n\n  \n　\n", "\ufeff"])
def test_empty_text(text: str) -> None:
    assert "test.txt" in _parse_error(text) and "empty" in _parse_error(text)


def test_no_article_heading() -> None:
    message = _parse_error("某規範\n\n各會員公司應遵守本規範。\n")
    assert "line 1" in message and "no article heading" in message


def test_skipped_item() -> None:
    message = _parse_error("第一條\n各會員公司應辦理下列事項：\n一、甲。\n三、丙。\n")
    assert "line 4" in message and "三、" in message and "expected 二、" in message


def test_first_item_is_not_one() -> None:
    message = _parse_error("第一條\n各會員公司應辦理下列事項：\n二、乙。\n")
    assert "line 3" in message and "expected 一、" in message


def test_skipped_sub_item_and_point() -> None:
    assert "line 5" in _parse_error("第一條\n應辦理：\n一、甲：\n(一) 子。\n(三) 寅。\n")
    message = _parse_error("第一條\n應辦理：\n一、甲：\n(一) 子：\n1. 壹。\n3. 參。\n")
    assert "line 6" in message and "expected 2." in message


def test_entries_outside_their_parents() -> None:
    message = _parse_error("第一條\n各會員公司應辦理：\n(一) 子。\n")
    assert "line 3" in message and "not inside an item" in message
    message = _parse_error("第一條\n各會員公司應辦理：\n一、甲：\n1. 壹。\n")
    assert "line 4" in message and "not inside a sub-item" in message


def test_item_numbering_restarting_without_a_paragraph() -> None:
    message = _parse_error("第一條\n應辦理：\n一、甲。\n二、乙。\n一、丙。\n")
    assert "line 5" in message and "restarts" in message


@pytest.mark.parametrize(("text", "line", "words"), [
    ("第一條\n甲。\n第三條\n丙。\n", 3, "expected 第二條"),
    ("第一條\n甲。\n第一條\n乙。\n", 3, "expected 第二條"),
    ("第二條\n乙。\n第二條\n丙。\n", 3, "increasing order"),  # an excerpt (starts after 第一條)
    ("第一條\n甲。\n第一條之二\n乙。\n", 3, "expected 第二條 or 第一條之一"),
    ("第一條\n甲。\n第 1-1 條\n乙。\n第 1-3 條\n丙。\n", 5, "expected 第二條 or 第一條之二"),
    ("第一條\n第二條\n乙。\n", 1, "has no text"),
    ("第一條\n甲。\n第二條\n", 3, "has no text"),
])
def test_article_numbering(text: str, line: int, words: str) -> None:
    message = _parse_error(text)
    assert f"line {line}:" in message and words in message


def test_stray_line_before_the_first_article_is_a_warning() -> None:
    parsed = parse_regulation("某規範\n\n中華民國一一○年發布\n\n第一條\n\n各會員公司應遵守。\n", "test.txt")
    assert parsed.title == "某規範"
    assert parsed.ids == ["A1", "A1.P1"]
    assert len(parsed.warnings) == 1 and "line 3" in parsed.warnings[0] and "test.txt" in parsed.warnings[0]


def test_page_numbers_are_dropped_with_a_warning() -> None:
    parsed = parse_regulation("第一條\n各會員公司應遵守\n- 2 -\n本規範。\n", "test.txt")
    assert parsed.get("A1.P1").text == "各會員公司應遵守本規範。"
    assert any("line 3" in w for w in parsed.warnings)


def test_a_marker_after_a_wrapped_line_that_does_not_fit_is_text() -> None:
    lines = SEED_PATH.read_text(encoding="utf-8").splitlines()
    assert lines[46].startswith("採取加強措施")  # line 47 continues line 45, which ends 「情形應」
    lines[46] = "三、" + lines[46]
    parsed = parse_regulation("\n".join(lines), "seed")
    assert parsed.ids == SEED_IDS
    assert "情形應三、採取加強措施" in parsed.get("A3.P1.I3").text
    assert len(parsed.warnings) == 1 and "line 47" in parsed.warnings[0]


def test_a_sentence_after_an_entry_continues_it_while_the_list_goes_on() -> None:
    parsed = parse_regulation("第一條\n各會員公司應辦理下列事項：\n一、甲。\n乙。\n二、丙。\n丁。\n", "test.txt")
    assert parsed.ids == ["A1", "A1.P1", "A1.P1.I1", "A1.P1.I2", "A1.P2"]
    assert parsed.get("A1.P1.I1").text == "甲。乙。"


def test_a_restarting_list_starts_a_paragraph_even_after_a_full_line() -> None:
    lines = SEED_PATH.read_text(encoding="utf-8").splitlines()
    assert lines[110].startswith("督及審查雲端服務之知識及能力。")  # line 111 ends A4.P1.I7
    lines[110] = "督及審查雲端服務之知識及能力，並應定期檢討人才培訓之成效及改善情形，以落實培訓。"
    parsed = parse_regulation("\n".join(lines), "seed")
    assert parsed.ids == SEED_IDS
    assert parsed.get("A4.P1.I7").text.endswith("以落實培訓。")
    assert parsed.get("A4.P2").text.startswith("各會員公司使用雲端服務與控管其風險事項")


def test_a_list_without_lead_text_gets_an_empty_paragraph() -> None:
    parsed = parse_regulation("第一條\n一、應甲。\n二、應乙。\n", "test.txt")
    assert parsed.ids == ["A1", "A1.P1", "A1.P1.I1", "A1.P1.I2"]
    assert parsed.warnings and "line 2" in parsed.warnings[0]


def test_damaged_seed_never_crashes() -> None:
    lines = SEED_PATH.read_text(encoding="utf-8").splitlines()
    rng = random.Random(20260102)
    variants = [lines[:cut] for cut in range(0, len(lines), 7)]
    variants += [[line for line in lines if rng.random() > 0.05] for _ in range(40)]
    variants += [rng.sample(lines, len(lines)) for _ in range(10)]
    parsed = errors = 0
    for variant in variants:
        try:
            parse_regulation("\n".join(variant), "damaged")
            parsed += 1
        except RegulationParseError as exc:
            assert "damaged" in str(exc)
            errors += 1
    assert parsed and errors


def test_line_soup_never_crashes() -> None:
    pieces = ["第一條", "第 2 條", "第零條", "第一二條", "第10000條", "一、", "三、甲。", "零、", "(一)", "（二）乙",
              "1.", "2. 丙。", "0.", "應辦理：", "各會員公司得", "甲。", "", "- 3 -", "第二章 附則", "「某辦法」第九點"]
    rng = random.Random(7)
    for _ in range(300):
        text = "\n".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        try:
            parse_regulation(text, "soup")
        except RegulationParseError as exc:
            assert str(exc).startswith("soup")


def test_division_headings_are_dropped_with_a_warning() -> None:
    parsed = parse_regulation("第一章　總則\n第一條\n甲。\n第二章 附則\n第二條\n乙。\n", "test.txt")
    assert parsed.ids == ["A1", "A1.P1", "A2", "A2.P1"]
    assert [w.split(":")[1].strip() for w in parsed.warnings] == ["line 1", "line 4"]


# ---------------------------------------------------------------- texts as amended

AMENDED_PATH = Path(__file__).resolve().parent / "data" / "regulation_amended.txt"
ARABIC_AMENDED_PATH = Path(__file__).resolve().parent / "data" / "regulation_arabic_layout_amended.txt"
EXCERPT_PATH = Path(__file__).resolve().parent / "data" / "regulation_amended_excerpt.txt"


def _seed_ids_as_amended() -> list[str]:
    """The seed's ids edited by hand as tests/data/regulation_amended.txt amends the seed."""
    ids = list(SEED_IDS)
    ids[ids.index("A7"):ids.index("A7")] = ["A6-1", "A6-1.P1", "A6-1.P1.I1", "A6-1.P1.I2"]  # 第六條之一
    ids.insert(ids.index("A9.P1.I4"), "A9.P1.I3-1")  # 三之一、
    ids.remove("A9.P2")  # the foreign-branch paragraph dropped
    ids[ids.index("A10.P1.I5"):ids.index("A11")] = [  # an item inserted before 五、: 五 and 六 move down
        "A10.P1.I5", "A10.P1.I6", "A10.P1.I7", "A10.P1.I7.S1", "A10.P1.I7.S2"]
    return ids


def test_amended_seed_structure() -> None:
    parsed = parse_regulation(AMENDED_PATH.read_text(encoding="utf-8"), str(AMENDED_PATH))
    assert parsed.warnings == [] and not parsed.excerpt
    assert parsed.ids == _seed_ids_as_amended()
    assert (parsed.get("A6-1").label, parsed.get("A6-1").parent, parsed.get("A6-1.P1").parent) == (
        "第六條之一", None, "A6-1")
    assert parsed.get("A6-1.P1.I2").label == "第六條之一第一項第二款"
    assert parsed.get("A6-1").article == 6
    inserted_item = parsed.get("A9.P1.I3-1")
    assert (inserted_item.label, inserted_item.parent) == ("第九條第一項第三款之一", "A9.P1")
    assert inserted_item.text == "查核所發現之重大缺失，應提報董（理）事會並追蹤至完成改善。"
    assert inserted_item.effective_modality == "shall" and inserted_item.actors == ["board"]
    assert parsed.get("A6-1.P1").references == [Reference("保險業作業委託他人處理內部作業制度及程序辦法", (9,))]


def test_deleted_item_is_kept_without_force() -> None:
    parsed = parse_regulation(AMENDED_PATH.read_text(encoding="utf-8"), str(AMENDED_PATH))
    deleted = parsed.get("A4.P2.I3")
    assert deleted.deleted and deleted.text == "（刪除）" and deleted.parent == "A4.P2"
    assert (deleted.modalities, deleted.effective_modality, deleted.actors, deleted.references) == ([], None, [], [])
    assert deleted.to_json()["deleted"] is True and parsed.get("A4.P2.I4").to_json()["deleted"] is False
    assert "三、（刪除）" in parsed.get("A4").text.split("\n")
    assert [p.id for p in parsed.provisions if p.deleted] == ["A4.P2.I3"]


def test_arabic_layout_amended() -> None:
    parsed = parse_regulation(ARABIC_AMENDED_PATH.read_text(encoding="utf-8"), str(ARABIC_AMENDED_PATH))
    assert parsed.warnings == []
    assert parsed.ids == [
        "A1", "A1.P1",
        "A2", "A2.P1", "A2.P1.I1", "A2.P1.I2", "A2.P1.I2.S1", "A2.P1.I2.S2", "A2.P1.I2-1", "A2.P1.I3", "A2.P2",
        "A2-1", "A2-1.P1",
        "A3",
        "A4", "A4.P1", "A4.P1.I1", "A4.P1.I2",
    ]
    assert parsed.get("A2-1").label == "第二條之一"
    assert parsed.get("A2.P1.I2-1").label == "第二條第一項第二款之一"
    assert parsed.get("A2.P1.I2-1").effective_modality == "shall"
    assert parsed.get("A3").deleted and parsed.get("A3").text == "（刪除）"
    assert parsed.get("A3").to_json()["deleted"] is True


@pytest.mark.parametrize("heading", [
    "第十條之一", "第十條 之一", "第 10-1 條", "第10-1條", "第 10－1 條", "第 10 ‐ 1 條", "第 10 條之 1", "第10條之1",
    "第十條之一（資料返還）",
])
def test_inserted_article_headings(heading: str) -> None:
    parsed = parse_regulation(f"第十條\n甲。\n{heading}\n乙。\n第十一條\n丙。\n", "test.txt")
    assert parsed.ids == ["A10", "A10.P1", "A10-1", "A10-1.P1", "A11", "A11.P1"]
    assert parsed.get("A10-1").label == "第十條之一"
    assert parsed.get("A10-1.P1").text == "乙。"


def test_the_arabic_inserted_heading_is_no_longer_merged_into_the_article_before() -> None:
    text = ARABIC_LAYOUT_PATH.read_text(encoding="utf-8") + "\n第 4-1 條\n各會員公司應留存查核紀錄。\n"
    parsed = parse_regulation(text, "test.txt")
    assert parsed.ids[-3:] == ["A4.P1.I2", "A4-1", "A4-1.P1"]
    assert parsed.get("A4.P1.I2").text == "查核發現之缺失及其改善情形。"
    assert parsed.get("A4-1.P1").text == "各會員公司應留存查核紀錄。"


@pytest.mark.parametrize("heading", [
    "第 4.1 條", "第4-1-2條", "第 4-條", "第四條之", "第 4-1 條之一", "第四之一條", "第一二條", "第4條-1",
    "第 4 條 - 1", "第四條之甲", "第 4/1 條", "第零條", "第四條之零", "第 4-0 條",
])
def test_heading_like_lines_are_named_in_an_error(heading: str) -> None:
    message = _parse_error(f"第一條\n甲。\n第二條\n乙。\n第三條\n丙。\n第四條\n丁。\n{heading}\n戊。\n")
    assert "test.txt: line 9:" in message and repr(heading) in message and "article heading" in message


def test_running_text_that_starts_with_an_article_citation_is_text() -> None:
    parsed = parse_regulation("第一條\n各會員公司應依本規範\n第三條規定辦理。\n第二條\n乙。\n第三條\n丙。\n",
                              "test.txt")
    assert parsed.ids == ["A1", "A1.P1", "A2", "A2.P1", "A3", "A3.P1"]
    assert parsed.get("A1.P1").text == "各會員公司應依本規範第三條規定辦理。"


@pytest.mark.parametrize("text", [
    "第一條\n甲。\n第二條（刪除）\n第三條\n丙。\n",
    "第一條\n甲。\n第二條\n（刪除）\n第三條\n丙。\n",
    "第一條\n甲。\n第 2 條\n(刪除)\n第三條\n丙。\n",
    "第一條\n甲。\n第二條 刪除\n第三條\n丙。\n",
    "第一條\n甲。\n第二條\n刪除。\n第三條\n丙。\n",
])
def test_deleted_articles(text: str) -> None:
    parsed = parse_regulation(text, "test.txt")
    assert parsed.ids == ["A1", "A1.P1", "A2", "A3", "A3.P1"]
    a2 = parsed.get("A2")
    assert a2.deleted and a2.text == "（刪除）" and a2.effective_modality is None and a2.label == "第二條"


@pytest.mark.parametrize(("text", "line", "words"), [
    ("第一條\n甲。\n第二條（刪除）\n乙。\n", 4, "deleted (刪除) but has text"),
    ("第一條\n應辦理：\n一、（刪除）\n(一) 子。\n", 4, "which is deleted (刪除)"),
    ("第一條\n應辦理：\n一、甲：\n(一)（刪除）\n1. 壹。\n", 5, "which is deleted (刪除)"),
    ("第一條\n各會員公司應遵守。\n（刪除）\n", 3, "stands alone"),
    ("第一條\n應辦理：\n一、（刪除）\n乙。\n二、丙。\n", 4, "while its list goes on"),
])
def test_misplaced_deletions_are_errors(text: str, line: int, words: str) -> None:
    message = _parse_error(text)
    assert f"test.txt: line {line}:" in message and words in message


def test_text_after_a_deleted_last_item_starts_a_paragraph() -> None:
    parsed = parse_regulation("第一條\n各會員公司應辦理下列事項：\n一、甲。\n二、（刪除）\n各會員公司得另定之。\n",
                              "test.txt")
    assert parsed.ids == ["A1", "A1.P1", "A1.P1.I1", "A1.P1.I2", "A1.P2"]
    assert parsed.get("A1.P1.I2").deleted and parsed.get("A1.P1.I2").effective_modality is None
    assert parsed.get("A1.P1.I1").effective_modality == "shall"
    assert parsed.get("A1.P2").text == "各會員公司得另定之。"


def test_inserted_items_sub_items_and_points() -> None:
    parsed = parse_regulation(
        "第一條\n應辦理：\n一、甲：\n(一) 子：\n1. 壹。\n1-1. 壹之一。\n2. 貳。\n(一之一) 丑。\n"
        "一之一、乙。\n一之二、丙。\n二、丁。\n",
        "test.txt")
    assert parsed.ids == ["A1", "A1.P1", "A1.P1.I1", "A1.P1.I1.S1", "A1.P1.I1.S1.N1", "A1.P1.I1.S1.N1-1",
                          "A1.P1.I1.S1.N2", "A1.P1.I1.S1-1", "A1.P1.I1-1", "A1.P1.I1-2", "A1.P1.I2"]
    assert parsed.get("A1.P1.I1.S1.N1-1").label == "第一條第一項第一款第一目第1點之1"
    assert parsed.get("A1.P1.I1.S1-1").label == "第一條第一項第一款第一目之一"
    assert parsed.get("A1.P1.I1-2").label == "第一條第一項第一款之二"
    assert parsed.get("A1.P1.I1-2").text == "丙。"


@pytest.mark.parametrize(("text", "line", "words"), [
    ("第一條\n應辦理：\n一、甲。\n一之二、乙。\n", 4, "expected 二、 or 一之一、"),
    ("第一條\n應辦理：\n一、甲。\n二之一、乙。\n", 4, "expected 二、 or 一之一、"),
    ("第一條\n應辦理：\n一之一、甲。\n", 3, "expected 一、"),
    ("第一條\n應辦理：\n一、甲。\n一之、乙。\n", 4, "inserted entry"),
    ("第一條\n應辦理：\n一、甲。\n一-、乙。\n", 4, "inserted entry"),
    ("第一條\n應辦理：\n一、甲：\n(一) 子。\n(一之) 丑。\n", 5, "inserted entry"),
    ("第一條\n應辦理：\n一、甲。\n一之甲、乙。\n", 4, "inserted entry"),
])
def test_bad_inserted_entries_are_errors(text: str, line: int, words: str) -> None:
    message = _parse_error(text)
    assert f"test.txt: line {line}:" in message and words in message


def test_an_excerpt_parses_with_a_warning() -> None:
    parsed = parse_regulation(EXCERPT_PATH.read_text(encoding="utf-8"), str(EXCERPT_PATH))
    assert parsed.excerpt and parsed.title == "保險業作業委外使用雲端服務自律規範"
    assert parsed.ids == ["A6-1", "A6-1.P1", "A6-1.P1.I1", "A6-1.P1.I2",
                          "A10", "A10.P1", "A10.P1.I1", "A10.P1.I2", "A10.P1.I3", "A10.P1.I4", "A10.P1.I5",
                          "A10.P1.I6", "A10.P1.I7", "A10.P1.I7.S1", "A10.P1.I7.S2"]
    assert len(parsed.warnings) == 1
    assert "line 3" in parsed.warnings[0] and "第六條之一" in parsed.warnings[0] and "excerpt" in parsed.warnings[0]


def test_an_excerpt_may_skip_articles_but_a_whole_text_may_not() -> None:
    parsed = parse_regulation("第三條\n丙。\n第七條\n庚。\n", "test.txt")
    assert parsed.excerpt and parsed.ids == ["A3", "A3.P1", "A7", "A7.P1"]
    assert not parse_regulation("第一條\n甲。\n", "test.txt").excerpt
    assert "expected 第二條" in _parse_error("第一條\n甲。\n第七條\n庚。\n")


@pytest.mark.parametrize(("pid", "valid"), [
    ("A10-1", True), ("A10-1.P1", True), ("A4.P1.I6-1", True), ("A7.P1.I5.S1-1.N2-1", True), ("A4", True),
    ("A4.P1-1", False), ("A10-", False), ("A-1", False), ("A4.I1", False), ("a4", False), ("A4.P1.I6-1-2", False),
])
def test_provision_id_forms(pid: str, valid: bool) -> None:
    assert bool(PROVISION_ID.fullmatch(pid)) is valid
