"""Executable obligations: generated features are stable, and running them agrees with the trace."""

from __future__ import annotations

import datetime as dt
import shutil
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path
from typing import NamedTuple

import pytest
from regtrace.graph.port import Store, Writer
from regtrace.trace import COMPANY, TraceRow, trace
from store_fixtures import seeded_ladybug
from trace_fixtures import MATERIAL_OFFSHORE, Registers
from typer.testing import CliRunner

from regtrace.bdd_report import CheckResult, run_checks, summary, write_junit
from regtrace.cli import app
from regtrace.features import FEATURES, diff_features, features_from_store, render_features, write_features
from regtrace.seed import seed_graph

D = dt.date(2026, 11, 29)
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "insurer"
EXAMPLE_TENANT = "example-life"
EXPECTED = {"covered": "passed", "not_applicable": "skipped", "gap": "failed", "unevidenced": "failed",
            "stale": "failed"}


def small_insurer(store: Store, tenant: str = "t1") -> None:
    """Three arrangements (one ended) on the seed, with every status somewhere."""
    reg = Registers(tenant)
    reg.csp()
    reg.arrangement("ARR-CORE", [*MATERIAL_OFFSHORE, "customer_data"])
    reg.arrangement("ARR-WEB", ["internet_access"])
    reg.arrangement("ARR-OLD", [], end=dt.date(2025, 1, 1))
    reg.control("C-GOV", ["A4.P1.I1"], frequency=12)
    reg.evidence("E-GOV", "C-GOV", dt.date(2026, 6, 1))
    reg.control("C-ROLES", ["A4.P1.I2"])
    reg.control("C-NET", ["A7.P1.I1.S2"])
    reg.evidence("E-NET", "C-NET", dt.date(2026, 10, 1))
    reg.control("C-IAM", ["A7.P1.I2.S1"], frequency=6)
    reg.evidence("E-IAM", "C-IAM", dt.date(2025, 12, 1), "ARR-CORE")
    reg.contract("K-CORE", "ARR-CORE", ["A6.P1.I1", "A6.P1.I2"], dt.date(2024, 1, 1))
    reg.audit("AU-G", "ARR-CORE", "general", dt.date(2026, 3, 1))
    reg.audit("AU-P", "ARR-CORE", "project", dt.date(2026, 4, 1))
    reg.write(store)


def example_insurer(store: Store) -> None:
    from regtrace.loaders.registers import load_registers

    from regtrace.regulation_graph import obligations_under

    load_registers(store, EXAMPLE, EXAMPLE_TENANT, obligations_under(store))


def seeded(path: Path) -> Store:
    return seeded_ladybug(path)  # LadybugStore(path) with the seed installed (tests/store_fixtures.py)


# ---------------------------------------------------------------- generation


def test_generation_is_stable_and_the_committed_features_are_the_seeds(tmp_path: Path) -> None:
    graph = seed_graph()
    files = render_features(graph.provisions, graph.obligations)
    assert files == render_features(list(reversed(graph.provisions)), list(reversed(graph.obligations)))
    assert all(text.startswith("# language: zh-TW\n") for text in files.values())
    assert not diff_features(files, FEATURES).changed, "features/ is out of date: run `regtrace features`"
    with seeded(tmp_path / "store") as store:
        assert features_from_store(store) == files
    first = write_features(files, tmp_path / "out")
    assert first.written == sorted(files)
    again = write_features(files, tmp_path / "out")
    assert not again.changed and again.unchanged == sorted(files)


def _scenarios(text: str) -> dict[str, str]:
    """Scenario blocks of a feature by obligation id (the header before the first scenario under '')."""
    blocks = text.split("\n\n")
    result = {"": blocks[0]}
    for block in blocks[1:]:
        if "場景" in block:
            result[block.split(": ", 1)[1].split(" ", 1)[0]] = block
        else:  # the steps after a scenario's description
            last = next(reversed(result))
            result[last] += "\n\n" + block
    return result


def test_a_graph_change_changes_exactly_the_affected_scenario(tmp_path: Path) -> None:
    with seeded(tmp_path / "store") as store:
        before = features_from_store(store)
        provision = next(p for p in store.nodes("Provision") if p["provision_id"] == "A7.P1.I2.S1")
        obligation = next(o for o in store.nodes("Obligation") if o["obligation_id"] == "A7.P1.I2.S1")

        def change(w: Writer) -> None:
            w.upsert_nodes("Provision", [{**provision, "text": provision["text"] + "（修正）"}])
            w.upsert_nodes("Obligation", [{**obligation, "modality": "should"}])

        store.write(change)
        after = features_from_store(store)
    write_features(before, tmp_path / "features")
    diff = write_features(after, tmp_path / "features")
    assert diff.written == ["article-07.feature"] and not diff.removed
    old, new = _scenarios(before["article-07.feature"]), _scenarios(after["article-07.feature"])
    assert old.keys() == new.keys()
    assert [k for k in old if old[k] != new[k]] == ["A7.P1.I2.S1"]
    assert "「宜 should」" in new["A7.P1.I2.S1"] and "（修正）" in new["A7.P1.I2.S1"]


# ---------------------------------------------------------------- running against a store


class Checked(NamedTuple):
    insurer: str
    results: list[CheckResult]
    rows: list[TraceRow]


def _checked(insurer: str, folder: Path) -> Checked:
    """The BDD run and the trace's obligation rows of one insurer on the seed (small, or examples/insurer)."""
    store = seeded(folder / "store")
    try:
        tenant = EXAMPLE_TENANT if insurer == "example" else "t1"
        example_insurer(store) if insurer == "example" else small_insurer(store)
        results = run_checks(store, tenant, D)
        rows = trace(store, tenant, D)
        on_company = {r.provision for r in rows if r.subject == "company"}
        both = on_company & {r.provision for r in rows if r.subject != "company"}
        # Each obligation's own duty (a lead-in's own status); A2.P2's company row has no scenario of its own.
        return Checked(insurer, results, [replace(r, status=r.own_status) for r in rows if r.own_status is not None
                                          and not (r.provision in both and r.subject == "company")])
    finally:
        store.close()


@pytest.fixture(scope="module")
def small_checked(tmp_path_factory: pytest.TempPathFactory) -> Checked:
    return _checked("small", tmp_path_factory.mktemp("bdd"))


@pytest.fixture(scope="module")
def example_checked(tmp_path_factory: pytest.TempPathFactory) -> Checked:
    return _checked("example", tmp_path_factory.mktemp("bdd"))


@pytest.fixture(params=["small", "example"])
def checked(request: pytest.FixtureRequest) -> Checked:
    """Each insurer's run, computed once per module."""
    value: Checked = request.getfixturevalue(f"{request.param}_checked")
    return value


def test_every_outcome_agrees_with_the_trace(checked: Checked) -> None:
    _, results, rows = checked
    by_item = {(r.provision, r.subject): r for r in results if r.provision}
    assert len(by_item) == len([r for r in results if r.provision]), "one item per obligation and subject"
    expected = {(r.provision, r.subject) for r in rows}
    # An arrangement ended before D is a subject of the deletion duty only: its other items are skipped.
    extra = {key: by_item[key].outcome for key in set(by_item) - expected}
    assert set(extra.values()) <= {"skipped"}, extra
    assert expected <= set(by_item)
    for row in rows:
        result = by_item[(row.provision, row.subject)]
        assert result.outcome == EXPECTED[row.status], (row, result)
        if row.status == "not_applicable":
            assert "不適用 not applicable" in result.message and row.reason_en in result.message
        elif row.status != "covered":
            assert result.status == row.status
            assert row.reason_zh in result.message and row.reason_en in result.message
            if row.leaf:  # a lead-in's row lists its items' controls too; the check is of its own duty
                assert all(c in result.message for c in (*row.controls, *row.evidence, *row.contracts, *row.audits))
    meta = [r for r in results if not r.provision]
    assert [r.outcome for r in meta] == ["passed"], meta
    assert {"passed", "failed", "skipped"} <= {r.outcome for r in results}


def test_the_small_insurer_has_every_status(small_checked: Checked) -> None:
    _, results, rows = small_checked
    statuses = {(r.provision, r.subject): r.status for r in rows}
    assert statuses[("A4.P1.I1", COMPANY)] == "covered"
    assert statuses[("A4.P1.I2", COMPANY)] == "unevidenced"
    assert statuses[("A7.P1.I2.S1", "ARR-CORE")] == "stale"
    assert statuses[("A7.P1.I2.S3", "ARR-WEB")] == "gap"
    assert statuses[("A7.P1.I2.S3", "ARR-CORE")] == "not_applicable"
    assert statuses[("A6.P1.I1", "ARR-CORE")] == "covered"
    assert statuses[("A9.P1.I1.S1", "ARR-CORE")] == "covered"
    # ARR-OLD ended before D: only the deletion duty is checked (a gap: no deletion record), the rest skipped.
    old = {r.provision: r.outcome for r in results if r.subject == "ARR-OLD"}
    assert old.pop("A10.P1.I6.S2") == "failed" and set(old.values()) == {"skipped"}
    skipped = next(r for r in results if (r.provision, r.subject) == ("A7.P1.I2.S3", "ARR-CORE"))
    assert "開放網際網路存取" in skipped.message


def test_junit_xml_is_written_and_parseable(checked: Checked, tmp_path: Path) -> None:
    _, results, _ = checked
    path = tmp_path / "report.xml"
    write_junit(results, path, tenant="t1", as_of=D)
    root = ET.parse(path).getroot()
    counts = summary(results)
    assert root.tag == "testsuites"
    assert (int(root.get("tests", -1)), int(root.get("failures", -1)), int(root.get("skipped", -1))) == (
        len(results), counts["failed"], counts["skipped"])
    cases = root.findall("./testsuite/testcase")
    assert len(cases) == len(results)
    assert len(root.findall("./testsuite/testcase/failure")) == counts["failed"]
    assert len(root.findall("./testsuite/testcase/skipped")) == counts["skipped"]
    assert any(s.get("name", "").startswith("第七條") for s in root.findall("testsuite"))


BROKEN = """# language: zh-TW
功能: 壞掉的功能檔 a broken feature

  場景: A4.P1.I1 英文關鍵字使步驟變成描述 English keywords turn the steps into description
    Given 義務 A4.P1.I1 之規範效力為「應 shall」
    And 適用對象為全公司
    When 以基準日追溯
    Then 第四條第一項第一款之義務應有效（已涵蓋）

  場景: A4.P1.I2 沒有那麼步驟 no Then step
    假設 義務 A4.P1.I2 之規範效力為「應 shall」
    而且 適用對象為全公司
    當 以基準日追溯
"""


def test_a_scenario_without_steps_fails(tmp_path: Path) -> None:
    folder = tmp_path / "features"
    folder.mkdir()
    for glue in ("conftest.py", "test_obligations.py"):
        shutil.copy(FEATURES / glue, folder / glue)
    (folder / "article-04.feature").write_text(BROKEN, encoding="utf-8")
    with seeded(tmp_path / "store") as store:
        small_insurer(store)
        assert next(r for r in trace(store, "t1", D) if r.provision == "A4.P1.I1").status == "covered"
        results = {r.provision: r for r in run_checks(store, "t1", D, folder)}
    assert results["A4.P1.I1"].outcome == "failed" and "has no steps" in results["A4.P1.I1"].message
    assert results["A4.P1.I2"].outcome == "failed" and "no 那麼 step" in results["A4.P1.I2"].message


def test_stale_features_fail_instead_of_passing(tmp_path: Path) -> None:
    with seeded(tmp_path / "store") as store:
        small_insurer(store)
        obligation = next(o for o in store.nodes("Obligation") if o["obligation_id"] == "A4.P1.I1")
        store.write(lambda w: w.upsert_nodes("Obligation", [{**obligation, "modality": "should"}]))
        results = {(r.provision, r.subject): r for r in run_checks(store, "t1", D, pytest_args=["-k", "A4_P1"])}
    stale = results[("A4.P1.I1", COMPANY)]
    assert stale.outcome == "failed" and "do not match the regulation graph" in stale.message


# ---------------------------------------------------------------- the commands


def test_the_features_and_check_commands(tmp_path: Path) -> None:
    location = tmp_path / "store"
    with seeded(location) as store:
        small_insurer(store)
    runner = CliRunner()
    out = tmp_path / "features"
    written = runner.invoke(app, ["--store", str(location), "features", "--out", str(out)])
    assert written.exit_code == 0, written.output
    assert sorted(p.name for p in out.glob("*.feature")) == sorted(p.name for p in FEATURES.glob("*.feature"))
    unchanged = runner.invoke(app, ["--store", str(location), "features", "--out", str(out), "--check"])
    assert unchanged.exit_code == 0 and "out of date: none" in unchanged.output
    junit = tmp_path / "report.xml"
    checked = runner.invoke(app, ["--store", str(location), "check", "--as-of", D.isoformat(), "--tenant", "t1",
                                  "--junit-xml", str(junit)])
    assert checked.exit_code == 1, checked.output  # the small insurer has gaps
    assert "未通過 failed" in checked.output and ET.parse(junit).getroot().tag == "testsuites"


def test_scenarios_name_what_must_be_shown() -> None:
    """The 那麼 step comes from the obligation's rule and frequency (12 months when the provision gives none)."""
    text = {n: (FEATURES / n).read_text(encoding="utf-8") for n in ("article-06.feature", "article-09.feature")}
    a6, a9 = text["article-06.feature"], text["article-09.feature"]
    assert "場景大綱: A6.P1.I1 第六條第一項第一款（應 shall）" in a6
    assert a6.split("場景大綱: A6.P1.I1 ", 1)[1].split("\n\n  @", 1)[0].rstrip().endswith(
        "那麼 應有基準日有效之契約涵蓋本條款")
    s1 = a9.split("場景大綱: A9.P1.I1.S1 ", 1)[1].split("\n\n  @", 1)[0]
    assert s1.rstrip().endswith("那麼 應於 12 個月內辦理一般性查核及專案查核各一次")
    assert "那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集" in a9


def test_check_prints_the_failing_obligations_with_their_causes(tmp_path: Path) -> None:
    from test_cli import regtrace

    db = tmp_path / "s"
    regtrace("load", str(Path(__file__).resolve().parent.parent / "examples" / "insurer"), "--tenant", "example-life",
             store=db)
    result = regtrace("check", "--tenant", "example-life", "--as-of", "2026-11-29", store=db, check=False)
    assert result.returncode == 1, result.stderr
    out = result.stdout
    assert "未通過之義務 Failing obligations" in out and "....." not in out  # no pytest progress dots
    overdue = out.split("✗ A7.P1.I2.S2 — ARR-CORE — 缺口 gap", 1)[1].split("✗", 1)[0]
    assert "查核缺失逾期未改善" in overdue and "F-2026-003" in overdue
    assert "委外已終止，無資料刪除紀錄" in out.split("✗ A10.P1.I6.S2 — ARR-CALLREC", 1)[1].split("✗", 1)[0]
