"""The curated crosswalks shipped in ontology/crosswalks/: every mapping names a provision of the seed and an id
of its framework's catalog, with a relationship of the OLIR vocabulary, once; every obligation on arrangements
is either mapped or listed with the reason it has no counterpart; the CSP-meetable flags follow the regulation."""

from __future__ import annotations

import re
import tomllib
from importlib.resources import files

import pytest
from regtrace.crosswalk.shipped import SET_FILES, csp_meetable, shipped_frameworks, shipped_sets

from regtrace.seed import seed_graph

FOLDER = files("regtrace.ontology").joinpath("crosswalks")


def _raw(name: str) -> dict[str, object]:
    """A shipped file read as plain TOML, without regtrace's reader."""
    return tomllib.loads(FOLDER.joinpath(name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def seed() -> tuple[set[str], set[str], dict[str, str]]:
    g = seed_graph()
    provisions = {p["provision_id"] for p in g.provisions}
    on_arrangements = {o["obligation_id"] for o in g.obligations if o["falls_on"] == "arrangement"}
    texts = {p["provision_id"]: p["text"] for p in g.provisions}
    return provisions, on_arrangements, texts


@pytest.mark.parametrize("name", SET_FILES)
def test_every_mapping_names_a_provision_and_a_catalogued_control_once(
        name: str, seed: tuple[set[str], set[str], dict[str, str]]) -> None:
    provisions, _, _ = seed
    head = _raw(name)["set"]
    assert isinstance(head, dict)
    catalogs = {f["id"]: set(f["controls"]) for f in _raw("frameworks.toml")["framework"]}  # type: ignore[union-attr]
    catalog = catalogs[head["framework"]]
    pairs = [(m["source"], m["target"]) for m in head["mapping"]]
    assert pairs, name
    assert len(pairs) == len(set(pairs)), [p for p in pairs if pairs.count(p) > 1]
    for m in head["mapping"]:
        assert m["source"] in provisions, m
        assert m["target"] in catalog, m
        assert m["relationship"] in ("equal", "subset", "superset", "intersect"), m
        assert m["rationale_type"] in ("syntactic", "semantic", "functional"), m
        assert m["rationale"].strip().endswith("."), m  # a sentence
        assert 0 <= m["strength"] <= 10 and m["confidence"] in ("high", "medium", "low"), m
    assert head["status"] in ("draft", "reviewed") and "manual semantic review" in head["method"]


@pytest.mark.parametrize("name", SET_FILES)
def test_every_obligation_on_arrangements_is_mapped_or_says_why_not(
        name: str, seed: tuple[set[str], set[str], dict[str, str]]) -> None:
    _, on_arrangements, _ = seed
    head = _raw(name)["set"]
    assert isinstance(head, dict)
    mapped = {m["source"] for m in head["mapping"]}
    unmapped = {u["source"]: u["reason"] for u in head["unmapped"]}
    assert not mapped & set(unmapped), "a provision both mapped and unmapped"
    assert on_arrangements <= mapped | set(unmapped), sorted(on_arrangements - mapped - set(unmapped))
    assert all(len(reason) > 20 for reason in unmapped.values())


def test_equal_is_rare_and_superset_or_intersect_never_claims_to_prove() -> None:
    relationships = [m.relationship for s in shipped_sets() for m in s.mappings]
    assert relationships.count("equal") <= 0.05 * len(relationships)
    assert relationships.count("intersect") > len(relationships) / 2


def test_the_reader_agrees_with_the_files() -> None:
    for name, s in zip(SET_FILES, shipped_sets(), strict=True):
        head = _raw(name)["set"]
        assert isinstance(head, dict)
        assert s.id == head["id"] and s.framework == head["framework"] and s.origin == "shipped"
        assert len(s.mappings) == len(head["mapping"]) and len(s.unmapped) == len(head["unmapped"])


def test_the_catalogs() -> None:
    frameworks = {f.id: f for f in shipped_frameworks()}
    annex_a = {c for c in frameworks["ISO27001"].codes if re.fullmatch(r"A\.\d+\.\d+", c)}
    # ISO/IEC 27001:2022 Annex A: 37 organisational, 8 people, 14 physical and 34 technological controls
    assert len(annex_a) == 37 + 8 + 14 + 34
    assert {"A.5.23", "A.8.24", "A.7.14"} <= annex_a
    assert {"CLD.6.3.1", "CLD.8.1.5", "CLD.9.5.1", "CLD.9.5.2", "CLD.12.1.5", "CLD.12.4.5"} <= frameworks[
        "ISO27017"].codes
    assert {"DSP-01", "STA-09", "CEK-03", "IVS-06"} <= frameworks["CCM"].codes
    for f in frameworks.values():
        assert all(c.title and c.title_en for c in f.controls), f.id


def test_csp_meetable_follows_the_regulation(seed: tuple[set[str], set[str], dict[str, str]]) -> None:
    g = seed_graph()
    flags = {p["provision_id"]: (p["csp_meetable"], p["csp_meetable_quote"]) for p in g.provisions}
    # data-centre physical security and encryption of customer data: duties the CSP can meet
    assert flags["A9.P1.I4.S2"][0] is True and flags["A7.P1.I3.S1"][0] is False  # Art. 7: the insurer's own
    # the board's oversight, the insurer's own due diligence, its contract: never
    for pid in ("A4.P3", "A5.P1.I1", "A4.P1.I4", "A6.P1.I1", "A6.P1.I7", "A5.P3.I1"):
        assert flags[pid][0] is False, pid
    # the quote is the regulation's own words, found in the provision or the ancestor that decides it
    _, _, texts = seed
    assert flags["A6.P1.I3"] == (False, "各會員公司作業委外使用雲端服務應與雲端服務業者達成服務使用契約或協議")
    assert flags["A9.P1.I4.S2"][1] is not None and flags["A9.P1.I4.S2"][1] in texts["A9.P1.I4.S2"]
    # a provision nobody curated is not CSP-meetable
    assert flags["A11.P1"] == (False, None)


def test_a_quote_that_is_not_in_the_text_is_refused(seed: tuple[set[str], set[str], dict[str, str]]) -> None:
    from regtrace.errors import CurationError

    texts = seed[2]
    assert csp_meetable({p: ([p], texts[p]) for p in seed[0]})["A9.P1.I4.S2"][0] is True
    changed = {**{p: ([p], texts[p]) for p in seed[0]}, "A9.P1.I4.S2": (["A9.P1.I4.S2"], "另一段文字")}
    with pytest.raises(CurationError, match=r"A9\.P1\.I4\.S2: the quote is not in its text"):
        csp_meetable(changed)
