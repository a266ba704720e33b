"""`regtrace impact` (issue 11 point 4): what an amended text would change for the example insurer, before
adoption, on both stores; nothing written.

The amended text is tests/data/regulation_impact.txt, the seed with five edits (`diff` of the two files shows
them). Every expected value below is worked out by hand from that text, examples/insurer and the README's
trace rules, as of 2026-11-29:

* A4.P2.I4 （刪除）: CTL-GOV-09 (1-month frequency) satisfies it; its newest evidence EV-0025 of 2026-11-14 is on
  or after 2026-10-29, so the company's row is covered today; deleted, it has no obligation, so no row.
* A5.P3 gets a new first item (一、…績效評核), its four items renumbered 一…四 → 二…五. The new item is a duty of
  Art. 5, on each arrangement in effect (ARR-SMS ended 2025-06-30 and ARR-CALLREC 2026-03-31 are subjects of
  A10.P1.I6.S2 only): no control names it, so 7 new gap rows. The renumbered items keep their controls and
  curated conditions (I2 subcontracting → I3, I3 customer_data → I4): no row changes status.
* A6.P1 cites the 辦法 (in force from 2026-01-02) instead of the abolished 注意事項: the trace's status does not
  depend on which instrument a provision cites (only `references_not_in_force`), so no status changes; its
  items are in every contract, so all 9 contracts are touched.
* 第六條之一 is added: an Art. 6 duty (its article number is 6) on each arrangement in effect, no control: 7 gap
  rows for the paragraph and 7 for the article's roll-up.
* A7.P1.I5.S1.N2 宜 → 應: the README's status rules read controls, evidence and conditions, never the modality
  (it orders the gaps), so a should → shall change moves no status. CTL-SEC-09 satisfies A7.P1.I5.S1 and applies
  to ARR-CORE, ARR-DIGITAL and ARR-ACTUARIAL, the three self-managed (IaaS/PaaS) arrangements A7.P1.I5 applies to.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
from conformance_data import canonical
from regtrace.graph.ladybug_store import LadybugStore
from regtrace.graph.port import Store
from regtrace.graph.schema import store_schema
from regtrace.loaders.curation import seed_text
from regtrace.loaders.regulation_diff import diff_texts
from regtrace.trace import fast, gather, rules, trace
from test_cli import regtrace

from regtrace import labels
from regtrace.amendment import amend, amend_file
from regtrace.errors import InputError, NotFoundError
from regtrace.impact import impact
from regtrace.trace_against import trace_against, with_regulation

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
SEED = ROOT / "ontology" / "seed" / "cloud-outsourcing-self-regulation.txt"
AMENDED = DATA / "regulation_impact.txt"
EXAMPLES = ROOT / "examples" / "insurer"
TENANT = "example-life"
DAY = dt.date(2026, 11, 29)
IN_EFFECT = ["ARR-ACTUARIAL", "ARR-CORE", "ARR-CRM", "ARR-DIGITAL", "ARR-DR", "ARR-GROUP", "ARR-HR"]
# Subjects in the order the output lists them: the company, then arrangements by id.
NEW_GAPS = [{"old": None, "new": "gap", "subject": a} for a in IN_EFFECT]
CONTRACTS = ["K-2019-088", "K-2021-017", "K-2021-GRP", "K-2022-003", "K-2023-014", "K-2023-031", "K-2024-001",
             "K-2024-022", "K-2025-004"]

# (old_id, new_id, kind, controls, contracts, evidence, arrangements, status changes), in the new text's order.
EXPECTED: list[tuple[str | None, str | None, list[str], list[str], list[str], list[str], list[str],
                     list[dict[str, Any]]]] = [
    ("A4.P2.I4", "A4.P2.I4", ["deleted"], ["CTL-GOV-09"], [], ["EV-0025", "EV-0026", "EV-0027"], [],
     [{"provision": "A4.P2.I4", "subject": "company", "old": "covered", "new": None}]),
    (None, "A5.P3.I1", ["added"], [], [], [], IN_EFFECT, [{"provision": "A5.P3.I1", **s} for s in NEW_GAPS]),
    ("A5.P3.I1", "A5.P3.I2", ["renumbered"], ["CTL-DD-03"], [], ["EV-0047", "EV-0048", "EV-0049"], IN_EFFECT, []),
    ("A5.P3.I2", "A5.P3.I3", ["renumbered"], ["CTL-DD-04"], [], ["EV-0050", "EV-0051", "EV-0052", "EV-0053"],
     ["ARR-DR", "ARR-GROUP"], []),
    ("A5.P3.I3", "A5.P3.I4", ["renumbered"], ["CTL-DD-05"], [], ["EV-0054", "EV-0055", "EV-0056"],
     [a for a in IN_EFFECT if a != "ARR-HR"], []),
    ("A5.P3.I4", "A5.P3.I5", ["renumbered"], ["CTL-DD-06"], [], ["EV-0057", "EV-0058"], IN_EFFECT, []),
    ("A6.P1", "A6.P1", ["reworded", "references_changed"], [], CONTRACTS, [], IN_EFFECT, []),
    (None, "A6-1", ["added"], [], [], [], IN_EFFECT, [{"provision": "A6-1", **s} for s in NEW_GAPS]),
    (None, "A6-1.P1", ["added"], [], [], [], IN_EFFECT, [{"provision": "A6-1.P1", **s} for s in NEW_GAPS]),
    ("A7.P1.I5.S1.N2", "A7.P1.I5.S1.N2", ["reworded", "modality_changed"], ["CTL-SEC-09"], [],
     ["EV-0086", "EV-0087", "EV-0088", "EV-0089", "EV-0090", "EV-0091"], ["ARR-ACTUARIAL", "ARR-CORE", "ARR-DIGITAL"],
     []),
]


def _load_example(store: Store) -> None:
    from regtrace.loaders.registers import load_registers

    from regtrace.regulation_graph import obligations_under
    from regtrace.seed import install_seed

    install_seed(store)
    load_registers(store, EXAMPLES, TENANT, obligations_under(store))


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Any:
    store = LadybugStore(tmp_path_factory.mktemp("impact") / "s")
    _load_example(store)
    yield store
    store.close()


def _observed(store: Store) -> Any:
    """Every node of every label (the tenant's and the shared ones) and the relationship counts, comparable."""
    nodes = {label: store.nodes(label, TENANT if spec.tenant_scoped else None)
             for label, spec in store_schema().nodes.items()}
    return canonical({"nodes": nodes, "tenants": store.tenants()})


def _folder_bytes(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _shape(result: Any) -> list[tuple[Any, ...]]:
    return [(c["old_id"], c["new_id"], c["kind"], c["controls"], c["contracts"], c["evidence"], c["arrangements"],
             [{k: s[k] for k in ("provision", "subject", "old", "new")} for s in c["status_changes"]])
            for c in result]


def test_the_impact_on_the_example_insurer(example: Store) -> None:
    result = impact(example, TENANT, amend_file(str(AMENDED)), DAY)
    assert _shape(result.to_json()) == [tuple(e) for e in EXPECTED]
    assert result.other_status_changes == []  # no roll-up moves: worked out in the module's docstring


def test_the_changes_are_those_of_regtrace_diff(example: Store) -> None:
    result = impact(example, TENANT, amend_file(str(AMENDED)), DAY)
    diff = diff_texts(str(SEED), str(AMENDED)).to_json()
    assert [{k: c[k] for k in diff[0]} for c in result.to_json()] == diff


def test_the_current_text_traces_as_the_store_does_and_fast_equals_plain(example: Store) -> None:
    amendment = amend(AMENDED)
    inputs = gather(example, TENANT, DAY)
    identity = {o: o for o in amendment.current.obligation_ids}
    assert trace_against(inputs, amendment.current.graph, identity) == trace(example, TENANT, DAY)
    amended = with_regulation(inputs, amendment.amended.graph, amendment.ids)
    assert fast.evaluate(amended) == rules.evaluate(amended)


def test_the_seed_against_itself_changes_nothing(example: Store) -> None:
    result = impact(example, TENANT, amend_file(str(SEED)), DAY)
    assert result.changes == [] and result.other_status_changes == []


def test_a_curated_modality_yields_to_the_amended_words(tmp_path: Path) -> None:
    # A4.P2.I3 is curated should (宜適度分散) binding as shall when multi_cloud; amended to 應適度分散 the words bind
    # as shall outright, so the carried curation must not keep should.
    text = tmp_path / "a4.txt"
    amended_words = seed_text().replace("作業委託雲端服務業者宜適度分散", "作業委託雲端服務業者應適度分散")
    text.write_text(amended_words, encoding="utf-8")
    amendment = amend(text)
    before = {o["obligation_id"]: o for o in amendment.current.graph.obligations}["A4.P2.I3"]
    after = {o["obligation_id"]: o for o in amendment.amended.graph.obligations}["A4.P2.I3"]
    assert (before["modality"], before["shall_when"]) == ("should", "multi_cloud")
    assert (after["modality"], after["shall_when"]) == ("shall", None)
    # Everything else is carried: the seed's 87 obligations, with the same falls_on, rule and conditions.
    strip = ("modality", "shall_when")
    assert ([{k: v for k, v in o.items() if k not in strip} for o in amendment.amended.graph.obligations]
            == [{k: v for k, v in o.items() if k not in strip} for o in amendment.current.graph.obligations])
    assert len(amendment.amended.graph.obligations) == 87


def test_an_excerpt_is_read_into_the_current_text(example: Store, tmp_path: Path) -> None:
    # Articles 5, 6 and 6-1 of the amended text alone, as an amendment listing only the articles it changes:
    # the other articles are the current ones, so the impact is the whole text's for those three articles.
    text = AMENDED.read_text(encoding="utf-8")
    excerpt = tmp_path / "excerpt.txt"
    excerpt.write_text(text.split("\n", 1)[0] + "\n\n第五條" + text.split("第五條", 1)[1].split("第七條", 1)[0],
                       encoding="utf-8")
    result = impact(example, TENANT, amend_file(str(excerpt)), DAY)
    assert any("an excerpt" in w for w in result.warnings)
    assert _shape(result.to_json()) == [tuple(e) for e in EXPECTED if (e[1] or "").split(".")[0] in ("A5", "A6", "A6-1")
                                        or (e[0] or "").split(".")[0] in ("A5", "A6")]
    assert result.other_status_changes == []


def test_a_renumbered_rule_provision_keeps_its_rule(example: Store) -> None:
    # tests/data/regulation_amended_excerpt.txt inserts a new 五、 in A10.P1, so A10.P1.I6.S2 (delete the data at
    # termination: the only duty of an ended arrangement) becomes A10.P1.I7.S2. The ended ARR-SMS (deletion
    # record EV-0125 kept) and ARR-CALLREC (none) keep their rows under the new number: no status moves for them.
    result = impact(example, TENANT, amend_file(str(DATA / "regulation_amended_excerpt.txt")), DAY)
    moved = {(c.change.old_id, c.change.new_id): c for c in result.changes}
    for old, new in (("A10.P1.I6", "A10.P1.I7"), ("A10.P1.I6.S2", "A10.P1.I7.S2")):
        assert moved[(old, new)].status_changes == ()
        assert {"ARR-SMS", "ARR-CALLREC"} <= set(moved[(old, new)].arrangements)
    ended = [s for c in result.changes for s in c.status_changes if s.subject in ("ARR-SMS", "ARR-CALLREC")]
    assert ended + [s for s in result.other_status_changes if s.subject in ("ARR-SMS", "ARR-CALLREC")] == []
    assert "A10.P1.I6.S2: the trace rules name this provision; the amended text moves it to A10.P1.I7.S2, " \
           "traced with the same rule" in result.warnings


def test_reworded_conditions_are_flagged_never_guessed() -> None:
    # tests/data/regulation_amended.txt adds 「；如涉及境外處理者，並規劃異地備援」 to A10.P1.I2: the words make
    # only the second duty conditional, so reading the whole item as offshore-only would drop a duty onshore.
    # It stays unconditioned, with a warning to review the curation.
    amendment = amend(DATA / "regulation_amended.txt")
    [a10] = [o for o in amendment.amended.graph.obligations if o["obligation_id"] == "A10.P1.I2"]
    assert a10["conditions"] == [] and a10["applies_when"] is None
    assert any(w.startswith("A10.P1.I2: the amended words suggest other conditions (none → offshore)")
               for w in amendment.warnings)


def test_a_text_of_another_title_is_warned_about() -> None:
    amendment = amend(seed_text().replace("保險業作業委外使用雲端服務自律規範", "某公會資訊安全規範", 1))
    assert amendment.diff.changes == []
    assert amendment.warnings == ["<text>: its title 「某公會資訊安全規範」 is not the current text's "
                                  "「保險業作業委外使用雲端服務自律規範」; compared as an amendment of it all the same"]


def test_impact_reads_each_store_alike_and_writes_nothing(store_pair: dict[str, Store]) -> None:
    amendment = amend_file(str(AMENDED))
    seen = {}
    for kind, store in store_pair.items():
        _load_example(store)
        before = _observed(store)
        seen[kind] = impact(store, TENANT, amendment, DAY).to_json()
        with pytest.raises(NotFoundError, match="tenant 'exmaple-life' has no registers"):
            impact(store, "exmaple-life", amendment, DAY)
        assert _observed(store) == before, kind
    assert seen["neo4j"] == seen["ladybug"]
    assert _shape(seen["neo4j"]) == [tuple(e) for e in EXPECTED]


def test_unknown_tenant_and_empty_store(store: Store) -> None:
    from regtrace.seed import install_seed

    amendment = amend_file(str(AMENDED))
    install_seed(store)
    with pytest.raises(NotFoundError, match="holds no member company's registers"):
        impact(store, TENANT, amendment, DAY)


def test_unreadable_texts_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"NEW_TEXT .*missing\.txt.*neither a regulation text file"):
        amend_file(str(tmp_path / "missing.txt"))
    big5 = tmp_path / "big5.txt"
    big5.write_bytes(seed_text().encode("big5", errors="replace"))
    with pytest.raises(InputError, match=re.escape(f"{big5}: not UTF-8")):
        amend_file(str(big5))


# ---------------------------------------------------------------- the command


@pytest.fixture(scope="module")
def cli_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("impact-cli") / "s"
    regtrace("load", str(EXAMPLES), "--tenant", TENANT, store=store)
    return store


def test_the_command_writes_nothing_and_prints_the_same_bytes(cli_store: Path) -> None:
    before = _folder_bytes(cli_store)
    args = ("impact", str(AMENDED), "--tenant", TENANT, "--as-of", "2026-11-29")
    first, second = regtrace(*args, store=cli_store), regtrace(*args, store=cli_store)
    assert first.stdout == second.stdout
    lines = first.stdout.splitlines()
    assert lines[0] == f"變更影響 Change impact — {TENANT} — 2026-11-29"
    assert "狀態將變動之追溯列 trace rows whose status would change: 22" in lines  # 1 + 3 × 7
    assert f"    A4.P2.I4 · 全公司 company: {labels.status('covered')} → 無此列 no row" in lines
    as_json = json.loads(regtrace(*args, "--json", store=cli_store).stdout)
    assert _shape(as_json) == [tuple(e) for e in EXPECTED]
    assert _folder_bytes(cli_store) == before


@pytest.mark.parametrize(("args", "message"), [
    (("--tenant", "exmaple-life"), "tenant 'exmaple-life' has no registers"),
    (("--tenant", "bad/name"), "tenant 'bad/name': use 1–64 letters"),
])
def test_the_command_refuses_an_unknown_tenant(cli_store: Path, args: tuple[str, ...], message: str) -> None:
    result = regtrace("impact", str(AMENDED), *args, store=cli_store, check=False)
    assert result.returncode in (2, 3) and message in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""


def test_the_command_names_a_missing_file(cli_store: Path, tmp_path: Path) -> None:
    result = regtrace("impact", str(tmp_path / "nope.txt"), "--tenant", TENANT, store=cli_store, check=False)
    assert result.returncode == 3 and "nope.txt" in result.stderr and "Traceback" not in result.stderr
