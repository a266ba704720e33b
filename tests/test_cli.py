"""The regtrace command: output contract, store persistence across processes, errors at the edge."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import cli_process
import pytest
from regtrace.graph.ladybug_store import LadybugStore

from regtrace.seed import install_seed

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
SEED_TEXT = ROOT / "ontology" / "seed" / "cloud-outsourcing-self-regulation.txt"
AMENDED = DATA / "regulation_amended.txt"

CONTRACT_KEYS = {
    "id",
    "parent",
    "level",
    "label",
    "text",
    "modalities",
    "effective_modality",
    "conditions",
    "frequency_months",
    "references",
}


def regtrace(*args: str, store: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run `regtrace ARGS` as a process of its own (forked from one that imported the CLI: tests/cli_process.py)."""
    result = cli_process.run(args, env={**os.environ, "REGTRACE_STORE": str(store)}, timeout=120)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def script(*args: str, store: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run the installed console script in a fresh interpreter (the tests whose point is that script's process)."""
    env = {**os.environ, "REGTRACE_STORE": str(store)}
    result = subprocess.run(
        [str(Path(sys.executable).parent / "regtrace"), *args], capture_output=True, text=True, env=env, timeout=120
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


def test_provisions_json_meets_the_contract(tmp_path: Path) -> None:
    data = json.loads(regtrace("provisions", "--json", store=tmp_path / "s").stdout)
    assert len(data) == 130
    assert all(set(p) >= CONTRACT_KEYS for p in data)
    by_id = {p["id"]: p for p in data}
    point = by_id["A7.P1.I5.S1.N2"]
    assert point["parent"] == "A7.P1.I5.S1"
    assert point["level"] == "point"
    assert point["label"] == "第七條第一項第五款第一目第2點"
    assert point["modalities"] == ["should"] and point["effective_modality"] == "should"
    assert point["conditions"] == ["self_managed"]
    assert by_id["A9.P1.I1.S1"]["frequency_months"] == 12
    assert by_id["A6.P1"]["references"] == [
        {"instrument": "保險業作業委託他人處理應注意事項", "articles": [], "points": [9, 16],
         "instrument_id": "FSC-OUTSOURCING-DIRECTIONS", "status": "abolished"}
    ]
    assert [p["id"] for p in data if p["parent"] is None] == [f"A{i}" for i in range(1, 14)]


EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "insurer"


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding the example insurer as tenant example-life."""
    store = tmp_path_factory.mktemp("cli") / "s"
    regtrace("load", str(EXAMPLES), "--tenant", "example-life", store=store)
    return store


@pytest.mark.parametrize(("as_of", "status"), [("2026-01-01", "in_force"), ("115/01/02", "abolished")])
def test_provisions_json_gives_each_references_status_on_the_date(tmp_path: Path, as_of: str, status: str) -> None:
    """The 注意事項 was abolished on 2026-01-02 with immediate effect: in force the day before, not on the day."""
    data = json.loads(regtrace("provisions", "--json", "--as-of", as_of, store=tmp_path / "s").stdout)
    cited = {p["id"]: [(r["instrument_id"], r["status"]) for r in p["references"]] for p in data if p["references"]}
    assert cited == {pid: [("FSC-OUTSOURCING-DIRECTIONS", status)] for pid in ("A1.P1", "A2.P1", "A6.P1")}


def test_a_new_store_gets_the_seed_and_keeps_it_across_processes(tmp_path: Path) -> None:
    store = tmp_path / "s"
    script("load", str(EXAMPLES), "--tenant", "t", store=store)  # a load creates the store, with the seed
    with LadybugStore(store) as s:
        assert s.count("Provision") == 130
        assert s.count("Instrument") == 3
        obligations = s.count("Obligation")
    rows = json.loads(script("trace", "--tenant", "t", "--json", "--leaves", store=store).stdout)
    company = [r for r in rows if r["subject"] == "company"]
    # The company's obligations: 22 of its own (the lead-in A4.P1.I3 among them) and A2.P2, which falls on both.
    assert len(company) == 23 and [r["provision"] for r in company if not r["leaf"]] == ["A4.P1.I3"]
    assert obligations == 87


def test_installing_the_seed_twice_gives_the_same_graph(tmp_path: Path) -> None:
    with LadybugStore(tmp_path / "s") as s:
        install_seed(s)
        first = {label: s.nodes(label) for label in ("Provision", "Obligation", "Instrument", "Actor")}
        links = s.links("REFERENCES")
        install_seed(s)
        assert {label: s.nodes(label) for label in first} == first
        assert s.links("REFERENCES") == links


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["trace", "--as-of", "115/02/30"], 2, "--as-of"),
        (["trace", "--tenant", "example-life", "--arrangement", "NOPE"], 3, "NOPE"),
        (["trace", "--tenant", "example-life", "--as-of", "26/11/29"], 2, "is ambiguous"),
        (["coverage", "--by", "region"], 2, "region"),
        (["provisions", "/no/such/file.txt"], 2, "/no/such/file.txt"),
        (["diff", "/no/such/old.txt", str(AMENDED)], 3, "OLD '/no/such/old.txt': neither a regulation text file"),
        (["diff", str(AMENDED), str(DATA)], 2, f"NEW {str(DATA)!r}: is a folder"),
        (["diff", str(AMENDED), str(ROOT / "pyproject.toml")], 2, "pyproject.toml: line 1"),
        (["--store", "ftp://x", "trace"], 5, "ftp://x"),
        (["nonsense"], 2, "nonsense"),
    ],
)
def test_bad_input_gets_a_clear_message_and_exit_code(loaded: Path, args: list[str], code: int, message: str) -> None:
    result = regtrace(*args, store=loaded, check=False)
    assert result.returncode == code, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_a_store_open_in_another_process_is_read_and_written_by_the_cli(tmp_path: Path) -> None:
    store = tmp_path / "s"
    with LadybugStore(store) as held:
        # a load installs the seed and writes a tenant while this process holds the store open
        script("load", str(EXAMPLES), "--tenant", "t", store=store)
        assert held.count("Provision") == 130  # this process follows the other's write without reopening
        assert script("trace", "--tenant", "t", store=store, check=False).returncode == 0


def test_diff_prints_the_same_bytes_every_time(tmp_path: Path) -> None:
    first = regtrace("diff", str(SEED_TEXT), str(AMENDED), store=tmp_path / "s")
    second = regtrace("diff", str(SEED_TEXT), str(AMENDED), store=tmp_path / "s")
    assert first.stdout == second.stdout and first.stderr == second.stderr == ""
    assert "[-宜-]{+應+}依據雲端服務之使用目的實施存取控制措施。" in first.stdout
    assert "[新增 added] A6-1 第六條之一" in first.stdout
    assert not (tmp_path / "s").exists()  # a diff reads two files and writes nothing


def test_diff_json_and_an_excerpt_warning(tmp_path: Path) -> None:
    result = regtrace("diff", "--json", str(SEED_TEXT), str(DATA / "regulation_amended_excerpt.txt"),
                      store=tmp_path / "s")
    changes = json.loads(result.stdout)
    assert [(c["old_id"], c["new_id"]) for c in changes if "renumbered" in c["kind"]] == [
        ("A10.P1.I5", "A10.P1.I6"), ("A10.P1.I6", "A10.P1.I7"), ("A10.P1.I6.S1", "A10.P1.I7.S1"),
        ("A10.P1.I6.S2", "A10.P1.I7.S2")]
    assert "warning" in result.stderr and "excerpt" in result.stderr


def test_provisions_show_deleted_and_inserted_ones(tmp_path: Path) -> None:
    data = json.loads(regtrace("provisions", "--json", str(AMENDED), store=tmp_path / "s").stdout)
    by_id = {p["id"]: p for p in data}
    assert by_id["A4.P2.I3"]["deleted"] is True and by_id["A4.P2.I3"]["effective_modality"] is None
    assert by_id["A6-1"]["label"] == "第六條之一" and by_id["A6-1"]["deleted"] is False
    tree = regtrace("provisions", str(AMENDED), store=tmp_path / "s").stdout
    assert "A4.P2.I3 第四條第二項第三款 刪除 deleted" in tree
