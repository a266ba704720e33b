"""Curated data: conditions (own and inherited), trace rules, non-normative articles, instruments, checks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from regtrace.loaders.curation import (
    FACTS,
    Condition,
    Curation,
    apply_curation,
    check_curation,
    infer_conditions,
    load_curation,
    load_regulation,
    load_seed,
    obligations,
    seed_text,
)
from regtrace.loaders.regulation_parser import ParsedRegulation
from regtrace.trace.conditions import Expr, parse

from regtrace.errors import CurationError, RegulationParseError

ARABIC_LAYOUT_PATH = Path(__file__).resolve().parent / "data" / "regulation_arabic_layout.txt"
BUNDLED_CONDITIONS = Path(__file__).resolve().parent.parent / "ontology" / "curation" / "conditions.toml"

# Read from the text: the provisions with conditions of their own, as expressions over facts.
OWN_CONDITIONS = {
    "A2.P2": "foreign_branch",
    "A4.P2.I2": "offshore",
    "A5.P1.I3": "foreign_branch and subcontracting",
    "A5.P3.I2": "subcontracting",
    "A5.P3.I3": "customer_data",
    "A6.P1.I7": "material_npd_offshore_system",
    "A6.P2": "contract_incomplete",  # 「前揭契約或協議內容如無法符合本條第一項要求」
    "A6.P3": "foreign_branch and subcontracting",
    "A7.P1.I1.S1": "vm_or_container_images",
    "A7.P1.I2.S3": "internet_access",
    "A7.P1.I3.S1": "customer_data",
    "A7.P1.I5": "self_managed",
    "A7.P1.I5.S1.N3": "hybrid_cloud",
    "A9.P1.I1.S1": "material_npd_offshore_system",
    "A9.P1.I1.S2": "not material_npd_offshore_system",  # 「辦理非屬上述類型之雲端服務委外事項時」
    "A9.P1.I2": "third_party_audit",  # 「得委託…獨立第三人協助進行查核，並應評估獨立第三人之適格性」
    "A9.P1.I4": "material",
    "A9.P2": "foreign_branch",
    "A10.P1.I4": "material",
}
INHERITING = {
    "A7.P1.I5.S1": "self_managed", "A7.P1.I5.S1.N1": "self_managed", "A7.P1.I5.S1.N2": "self_managed",
    "A7.P1.I5.S1.N3": "self_managed and hybrid_cloud", "A7.P1.I5.S2": "self_managed",
    "A7.P1.I5.S2.N1": "self_managed", "A7.P1.I5.S2.N2": "self_managed", "A7.P1.I5.S3": "self_managed",
    "A7.P1.I5.S3.N1": "self_managed", "A7.P1.I5.S3.N2": "self_managed",
    **{f"A9.P1.I4.S{n}": "material" for n in range(1, 7)},
}
LEAD_INS = {"A4.P1.I3", "A5.P1", "A5.P1.I2", "A5.P3", "A9.P1", "A10.P1.I6"}


@pytest.fixture(scope="module")
def seed() -> ParsedRegulation:
    return load_seed()


@pytest.fixture(scope="module")
def curation() -> Curation:
    return load_curation()


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------- the bundled files


def test_bundled_curation(curation: Curation) -> None:
    assert {pid: str(c.when) for pid, c in curation.conditions.items()} == OWN_CONDITIONS
    assert all(f in FACTS for c in curation.conditions.values() for f in c.when.facts())
    assert curation.falls_on == {"A2.P2": "both"}
    assert set(curation.lead_ins) == LEAD_INS and all(lead.modality == "shall" for lead in curation.lead_ins.values())
    chosen = {pid: m.modality for pid, m in curation.modalities.items()}
    assert chosen == {"A4.P2.I3": "should", "A10.P1.I6.S1": "shall"}
    assert curation.shall_when == {"A4.P2.I3": "multi_cloud"}
    assert curation.contract_clause == tuple(f"A6.P1.I{n}" for n in range(1, 8))
    assert curation.audit_frequency == ("A9.P1.I1.S1",)
    assert curation.non_normative == ("A1", "A3", "A12", "A13")
    assert curation.rules_by_provision["A6.P1.I7"] == "contract_clause"
    assert curation.conditions_source.endswith("conditions.toml")


def test_every_curated_entry_quotes_the_text(curation: Curation) -> None:
    entries = [*curation.conditions.values(), *curation.modalities.values(), *curation.lead_ins.values()]
    assert entries and all("「" in e.quote and "」" in e.quote for e in entries)


def test_seed_conditions_own_and_inherited(seed: ParsedRegulation) -> None:
    conditioned = {p.id: p.applies_when for p in seed.provisions if p.applies_when}
    assert conditioned == {**OWN_CONDITIONS, **INHERITING}
    assert seed.get("A7.P1.I5.S1.N3").conditions == ["hybrid_cloud", "self_managed"]
    assert seed.get("A9.P1.I1.S2").conditions == ["material_npd_offshore_system"]


def test_curated_modalities(seed: ParsedRegulation) -> None:
    assert seed.get("A4.P2.I3").effective_modality == "should"  # 宜適度分散; 惟…應 binds with multi_cloud
    assert seed.get("A10.P1.I6.S1").effective_modality == "shall"  # 可 chooses the destination only


def test_obligation_counts(seed: ParsedRegulation, curation: Curation) -> None:
    """80 leaf obligations before; + the 6 lead-ins; + A10.P1.I6.S1 (可 read as may before) = 87."""
    found = obligations(seed.provisions, curation)
    assert len(found) == 87
    assert {p.id for p in found} >= LEAD_INS and "A10.P1.I6.S1" in {p.id for p in found}


def test_trace_rule_provisions_are_leaves(seed: ParsedRegulation, curation: Curation) -> None:
    parents = {p.parent for p in seed.provisions}
    for pid in (*curation.contract_clause, *curation.audit_frequency):
        assert pid not in parents


def test_non_normative_articles_are_not_obligations(seed: ParsedRegulation, curation: Curation) -> None:
    assert curation.is_non_normative("A3.P1.I3") and curation.is_non_normative("A13")
    assert not curation.is_non_normative("A4.P1") and not curation.is_non_normative("A10.P1")
    assert seed.get("A3.P1.I3").effective_modality == "shall"  # stays as parsed
    found = {p.id for p in obligations(seed.provisions, curation)}
    assert "A3.P1.I3" not in found and "A4.P1.I3.S1" in found and "A12.P1" not in found
    assert not {p.id for p in seed.provisions if p.effective_modality == "may"} & found
    assert all(p.article not in (1, 3, 12, 13) for p in obligations(seed.provisions, curation))


def test_instruments_register(curation: Curation) -> None:
    seed_instrument = curation.instrument("TIA-CLOUD-SRR")
    assert seed_instrument is not None and seed_instrument.title == "保險業作業委外使用雲端服務自律規範"
    assert seed_instrument.status == "in_force" and seed_instrument.issuer is not None
    assert "人壽" in seed_instrument.issuer and "產物" in seed_instrument.issuer
    notes = curation.instrument_for_title("保險業作業委託他人處理應注意事項")
    assert notes is not None and notes.status == "abolished" and not notes.in_force
    assert notes.abolished_on == dt.date(2026, 1, 2)
    successor = curation.instrument(notes.superseded_by or "")
    assert successor is not None and successor.title == "保險業作業委託他人處理內部作業制度及程序辦法"
    assert (successor.status, successor.promulgated_on, successor.effective_from) == (
        "in_force", dt.date(2025, 12, 31), dt.date(2026, 1, 2))
    assert notes.to_row()["instrument_id"] == notes.id


def test_seed_references_resolve(seed: ParsedRegulation) -> None:
    assert seed.instrument_id == "TIA-CLOUD-SRR"
    (reference,) = seed.get("A6.P1").references
    assert (reference.instrument_id, reference.points) == ("FSC-OUTSOURCING-DIRECTIONS", (9, 16))
    assert set(reference.to_json()) == {"instrument", "articles", "points"}
    assert seed.get("A6.P1").to_json()["conditions"] == [] and seed.get("A6.P1").to_json()["applies_when"] is None


# ---------------------------------------------------------------- checks


def test_unknown_provision_id(tmp_path: Path, curation: Curation) -> None:
    path = _write(tmp_path, "conditions.toml", '[conditions."A99.P1"]\nwhen = "material"\nquote = "「x」"\n')
    with pytest.raises(CurationError) as caught:
        load_seed(load_curation(conditions_path=path))
    assert str(path) in str(caught.value) and '"A99.P1"' in str(caught.value)


@pytest.mark.parametrize(("when", "words"), [
    ("foreign_branch and cloudy", "unknown fact 'cloudy' at character 20"),
    ("(material or offshore", "')' expected"),
    ("material and", "ends too early"),
    ("material offshore", "unexpected 'offshore'"),
    ("not", "ends too early"),
    ("material & offshore", "unexpected '&'"),
])
def test_bad_condition_names_file_provision_and_problem(tmp_path: Path, when: str, words: str) -> None:
    path = _write(tmp_path, "conditions.toml", f'[conditions."A2.P2"]\nwhen = "{when}"\nquote = "「x」"\n')
    with pytest.raises(CurationError) as caught:
        load_curation(conditions_path=path)
    message = str(caught.value)
    assert str(path) in message and '[conditions."A2.P2"].when' in message and words in message


def test_lead_in_must_be_a_parent(tmp_path: Path) -> None:
    path = _write(tmp_path, "conditions.toml", '[lead_in."A4.P1.I1"]\nmodality = "shall"\nquote = "「x」"\n')
    with pytest.raises(CurationError) as caught:
        load_seed(load_curation(conditions_path=path))
    assert str(path) in str(caught.value) and '[lead_in."A4.P1.I1"]: has no items below it' in str(caught.value)


def test_check_curation_reports_every_problem(seed: ParsedRegulation) -> None:
    sunny = Expr("fact", name="sunny")
    bad = Curation(conditions={"A2.P2": Condition(sunny, "「」"), "A4.P9": Condition(parse("material"), "「」")},
                   non_normative=("A14",), trace_rules={"contract_clause": ("A6.P1.I8",)}, conditions_source="bad.toml")
    with pytest.raises(CurationError) as caught:
        check_curation(seed.provisions, bad)
    message = str(caught.value)
    assert message.startswith("bad.toml: 4 problem(s)")
    for words in ("'sunny'", '"A4.P9"', "non_normative: 'A14'", "[trace_rules] contract_clause: 'A6.P1.I8'"):
        assert words in message


@pytest.mark.parametrize(("text", "words"), [
    ('[conditions."A4-P1"]\nwhen = "material"\nquote = "「x」"\n', '"A4-P1"'),
    ('[conditions."A4.P1"]\nwhen = "material"\n', "missing quote"),
    ('[conditions."A4.P1"]\nwhen = "material"\nquote = "「x」"\nwhy = "y"\n', "unknown why"),
    ('[conditions."A4.P1"]\nwhen = ["material"]\nquote = "「x」"\n', ".when: expected a non-empty string"),
    ('[conditions."A4.P1"]\nwhen = "material"\nquote = "「x」"\nfalls_on = "csp"\n', ".falls_on"),
    ('[modality."A4.P1"]\nmodality = "must"\nquote = "「x」"\n', ".modality: 'must'"),
    ('[trace_rules]\naudit_frequency = ["A9.P1.I1.S1", 3]\n', "[trace_rules] audit_frequency"),
    ('non_normative = "A1"\n', "non_normative"),
    ('typo = 1\n', "typo"),
    ('[conditions\n', "not valid TOML"),
])
def test_malformed_conditions_file(tmp_path: Path, text: str, words: str) -> None:
    path = _write(tmp_path, "conditions.toml", text)
    with pytest.raises(CurationError) as caught:
        load_curation(conditions_path=path)
    assert str(path) in str(caught.value) and words in str(caught.value)


_INSTRUMENT = '[[instrument]]\nid = "X"\ntitle = "某辦法"\nstatus = "in_force"\n'


@pytest.mark.parametrize(("text", "words"), [
    (_INSTRUMENT.replace("in_force", "repealed"), ".status"),
    (_INSTRUMENT.replace("in_force", "abolished"), ".abolished_on"),
    (_INSTRUMENT + 'superseded_by = "Y"\n', ".superseded_by"),
    (_INSTRUMENT + 'effective_from = "2026-01-02"\n', ".effective_from"),
    (_INSTRUMENT + 'issuerr = "FSC"\n', "issuerr"),
    (_INSTRUMENT + _INSTRUMENT, "duplicated"),
    (_INSTRUMENT.replace('title = "某辦法"\n', ""), ".title"),
])
def test_malformed_instruments_file(tmp_path: Path, text: str, words: str) -> None:
    path = _write(tmp_path, "instruments.toml", text)
    with pytest.raises(CurationError) as caught:
        load_curation(instruments_path=path)
    assert str(path) in str(caught.value) and words in str(caught.value)


def test_unknown_instrument_is_an_error_for_the_seed_only(tmp_path: Path) -> None:
    path = _write(tmp_path, "instruments.toml", _INSTRUMENT)
    partial = load_curation(instruments_path=path)
    with pytest.raises(CurationError) as caught:
        load_seed(partial)
    assert "保險業作業委託他人處理應注意事項" in str(caught.value) and "A6.P1" in str(caught.value)
    lenient = load_regulation(seed_text(), seed=False, curation=partial.without_conditions())
    assert lenient.get("A6.P1").references[0].instrument_id is None
    assert lenient.instrument_id is None


# ---------------------------------------------------------------- another text


@pytest.mark.parametrize(("text", "facts"), [
    ("如採用虛擬機和容器之映像檔進行部署，應建立映像檔管理機制", ["vm_or_container_images"]),
    ("如將作業項目委託至境外處理時", ["offshore"]),
    ("涉及自然人客戶相關資料之重大性業務資訊系統", ["material", "natural_person_data"]),
    ("使用雲端服務涉及客戶資料之處理時", ["customer_data"]),
    ("如同意將雲端服務複委託時", ["subcontracting"]),
    ("外國保險業在臺分支機構得交由國外總機構辦理", ["foreign_branch"]),
    ("如開放透過網際網路直接存取者", ["internet_access"]),
    ("如採雲地混合模式", ["hybrid_cloud"]),
    ("若涉及自行管理之雲端環境（如採用 IaaS 或 PaaS 雲端服務模式者）", ["self_managed"]),
    ("雲端服務業者不得有存取客戶資料之權限", []),  # no conditional wording
    ("客戶資料保密及安全措施，應包括雲端服務業者向第三方揭露資料之限制", []),
])
def test_infer_conditions(text: str, facts: list[str]) -> None:
    assert infer_conditions(text) == facts


def test_inference_finds_every_curated_register_fact_of_the_seed(seed: ParsedRegulation, curation: Curation) -> None:
    """The facts read straight off the registers; derived and company facts are the curation's own words."""
    for pid, condition in curation.conditions.items():
        plain = set(condition.when.facts()) - {"material_npd_offshore_system", "contract_incomplete",
                                                "third_party_audit", "multi_cloud"}
        assert plain <= set(infer_conditions(seed.get(pid).text)), pid


def test_another_text_gets_conditions_from_its_words() -> None:
    parsed = load_regulation(ARABIC_LAYOUT_PATH, seed=False)
    assert parsed.source == str(ARABIC_LAYOUT_PATH) and parsed.instrument_id is None
    assert parsed.get("A3.P1").conditions == ["customer_data", "offshore"]
    assert parsed.get("A3.P1.I2").conditions == ["customer_data", "offshore"]  # inherited only
    assert parsed.get("A3.P1.I1.S2.N1").conditions == ["customer_data", "internet_access", "offshore"]
    assert parsed.get("A3.P2").conditions == ["foreign_branch", "subcontracting"]
    assert parsed.get("A2.P1").conditions == [] and parsed.get("A3").conditions == []
    (reference,) = parsed.get("A1.P1").references
    assert reference.instrument_id == "FSC-OUTSOURCING-REGS" and reference.articles == (9, 12)


def test_a_curated_entry_overrides_inference_for_another_text(tmp_path: Path) -> None:
    path = _write(tmp_path, "conditions.toml", '[conditions."A3.P1"]\nwhen = "material"\nquote = "「x」"\n')
    parsed = load_regulation(ARABIC_LAYOUT_PATH, seed=False, curation=load_curation(conditions_path=path))
    assert parsed.get("A3.P1").conditions == ["material"]
    assert parsed.get("A3.P1.I1.S2.N1").conditions == ["internet_access", "material"]


def test_apply_curation_without_inference_leaves_uncovered_provisions_bare(curation: Curation) -> None:
    parsed = load_regulation(ARABIC_LAYOUT_PATH, seed=False)
    apply_curation(parsed.provisions, curation.without_conditions())
    assert all(p.conditions == [] for p in parsed.provisions)


def test_unreadable_regulation_file(tmp_path: Path) -> None:
    with pytest.raises(RegulationParseError, match=r"missing\.txt: cannot read"):
        load_regulation(tmp_path / "missing.txt", seed=False)
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("第一條\n".encode() + b"\xff\xfe\n")
    with pytest.raises(RegulationParseError, match=r"latin1\.txt: not UTF-8"):
        load_regulation(latin1, seed=False)


def test_curated_ids_of_inserted_provisions(tmp_path: Path) -> None:
    amended = Path(__file__).resolve().parent / "data" / "regulation_amended.txt"
    path = _write(tmp_path, "conditions.toml",
                  '[conditions."A6-1.P1.I2"]\nwhen = "material"\nquote = "「x」"\n'
                  '[conditions."A9.P1.I3-1"]\nwhen = "offshore"\nquote = "「x」"\n')
    parsed = load_regulation(amended, seed=False, curation=load_curation(conditions_path=path))
    assert parsed.get("A6-1.P1.I2").conditions == ["material"]
    assert parsed.get("A9.P1.I3-1").conditions == ["offshore"]
    bad = _write(tmp_path, "bad.toml", '[conditions."A6-1.P1-1"]\nwhen = "material"\nquote = "「x」"\n')
    with pytest.raises(CurationError) as caught:
        load_curation(conditions_path=bad)
    assert '"A6-1.P1-1"]: not a provision id' in str(caught.value)
