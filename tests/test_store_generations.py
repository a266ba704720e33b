"""The embedded store's generations (graph/generations.py) and `regtrace doctor`: an old-layout store is adopted
in place with nothing lost, reading never creates a store, readers keep a consistent view while another
process writes, leftovers of a kill are found and repaired, a torn WAL of an old-layout store is set aside."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import cli_process
import pytest
from crash_fixtures import ROOT, regtrace, state_of
from regtrace.graph import ladybug_repair
from regtrace.graph.generations import DB_FILE, Layout
from regtrace.graph.ladybug_store import LadybugStore
from regtrace.graph.port import Row

from regtrace.doctor import diagnose
from regtrace.errors import NotFoundError, StoreError
from regtrace.stores import open_store

EXAMPLE = ROOT / "examples" / "insurer"

# The layout before generations, written the way the store wrote it then: graph.lbdb in the folder, schema and
# writes through the same writer, and (when asked) the process killed right after its last commit so that the
# committed data is still only in the WAL.
OLD_LAYOUT = textwrap.dedent("""
    import os, sys
    from pathlib import Path
    from regtrace.graph.ladybug_connection import LadybugConnection
    from regtrace.graph.ladybug_store import _create_schema, _LadybugWriter
    from regtrace.graph.port import Writer

    class OldWriter(_LadybugWriter):  # small tables row by row, as then (the load's COPY now checkpoints at commit)
        create_node_table = Writer.create_node_table
        create_link_table = Writer.create_link_table
    from regtrace.loaders.registers import load_registers
    from regtrace.regulation_graph import obligations_under
    from regtrace.seed import install_seed

    folder, registers, kill = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3] == "kill"
    folder.mkdir(parents=True)
    conn = LadybugConnection(folder / "graph.lbdb", read_only=False)
    _create_schema(conn)

    from regtrace.graph.cypher_store import CypherStore
    from regtrace.graph import ladybug_queries

    class OldStore(CypherStore):  # the old store: reads and one transaction per write on the one connection
        queries = ladybug_queries.QUERIES
        def execute(self, statement, parameters=None):
            return conn.execute(statement, parameters)
        def write(self, unit):
            conn.execute("BEGIN TRANSACTION")
            unit(OldWriter(conn))
            conn.execute("COMMIT")
        def ensure_schema(self): pass
        def tenants(self): return []
        def close(self): pass

    store = OldStore()
    install_seed(store)
    conn.execute("CHECKPOINT")
    load_registers(store, registers, "alpha", obligations_under(store))
    if kill:
        os._exit(0)  # no checkpoint, no close: the last load is only in the WAL
    conn.execute("CHECKPOINT")
    conn.close()
""")


def old_layout(folder: Path, *, kill: bool) -> None:
    subprocess.run([sys.executable, "-c", OLD_LAYOUT, str(folder), str(EXAMPLE), "kill" if kill else "close"],
                   check=True)


@pytest.fixture(scope="module")
def expected(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The same registers loaded by the CLI into a new store: what an adopted old store must hold."""
    folder = tmp_path_factory.mktemp("expected") / "store"
    regtrace("load", str(EXAMPLE), "--tenant", "alpha", store=folder)
    with LadybugStore(folder, create=False) as store:
        return state_of(store)


@pytest.mark.parametrize("kill", [False, True], ids=["closed", "killed-after-commit"])
def test_an_old_layout_store_is_adopted_in_place_with_nothing_lost(tmp_path: Path, kill: bool,
                                                                     expected: dict[str, object]) -> None:
    folder = tmp_path / "old"
    old_layout(folder, kill=kill)
    assert (folder / DB_FILE).exists() and (folder / f"{DB_FILE}.wal").exists() == kill
    size = (folder / DB_FILE).stat().st_size
    with LadybugStore(folder, create=False) as store:
        assert state_of(store) == expected
    assert not (folder / DB_FILE).exists(), "moved, not copied"
    assert Layout(folder).read_pointer() == 1 and Layout(folder).database(1).stat().st_size >= size
    assert diagnose(str(folder)).healthy


def test_a_torn_wal_of_an_old_layout_store_is_set_aside_by_doctor_repair(tmp_path: Path) -> None:
    folder = tmp_path / "old"
    old_layout(folder, kill=True)
    wal = folder / f"{DB_FILE}.wal"
    with wal.open("r+b") as f:  # the tail of the last record torn off, as a kill while writing it leaves it
        f.truncate(wal.stat().st_size - 7)
    with pytest.raises(StoreError, match="doctor"):
        LadybugStore(folder, create=False)
    found = diagnose(str(folder), repair=True)
    assert found.healthy, found.problems
    assert any("set graph.lbdb.wal aside" in done and "load the registers again" in done for done in found.repaired)
    assert list(folder.glob(f"{DB_FILE}.wal.set-aside-*")), "the WAL is kept for inspection, not deleted"
    assert SHARED_ONLY(found.to_json())


def SHARED_ONLY(report: dict[str, object]) -> bool:
    """The store opened at its last checkpoint: the seed regulation without the load that was only in the WAL."""
    shared = report["shared"]
    return isinstance(shared, dict) and shared["counts"]["Provision"] == 130 and report["tenants"] == {}


def test_reading_never_creates_a_store(tmp_path: Path) -> None:
    missing = tmp_path / "typo"
    with pytest.raises(NotFoundError, match=str(missing)):
        open_store(str(missing), create=False)
    assert not missing.exists()
    result = cli_process.run(["--store", str(missing), "doctor"])
    assert result.returncode == 3 and str(missing) in result.stderr
    assert not missing.exists()


def _evidence_rows() -> int:
    """The example insurer's evidence.csv rows: what doctor must count for the tenant loaded from it."""
    with (EXAMPLE / "evidence.csv").open(encoding="utf-8-sig", newline="") as f:
        return sum(1 for _ in csv.DictReader(f))


def test_doctor_finds_and_repairs_what_a_kill_leaves(tmp_path: Path) -> None:
    evidence = _evidence_rows()
    folder = tmp_path / "store"
    regtrace("load", str(EXAMPLE), "--tenant", "alpha", store=folder)
    layout = Layout(folder)
    current = layout.read_pointer()
    assert current is not None
    healthy = cli_process.run(["--store", str(folder), "doctor", "--json"])
    assert healthy.returncode == 0, healthy.stderr
    report = json.loads(healthy.stdout)
    assert report["healthy"] and report["tenants"]["alpha"]["counts"]["Evidence"] == evidence

    (folder / f"staging-{current + 1}-999999").mkdir()  # a writer killed while building
    (folder / "CURRENT.tmp").write_text("junk")  # killed while writing the pointer
    os.rename(layout.generation_dir(current), layout.generation_dir(current + 5))  # pointer names nothing
    broken = cli_process.run(["--store", str(folder), "doctor"])
    assert broken.returncode == 4
    assert "staging" in broken.stdout and "CURRENT" in broken.stdout

    repaired = cli_process.run(["--store", str(folder), "doctor", "--repair", "--json"])
    assert repaired.returncode == 0, repaired.stdout + repaired.stderr
    report = json.loads(repaired.stdout)
    assert report["healthy"] and report["generation"] == str(current + 5)
    assert any("staging" in r for r in report["repaired"])
    assert any(f"pointed CURRENT at generation {current + 5}" in r for r in report["repaired"])
    assert not (folder / "CURRENT.tmp").exists()
    assert report["tenants"]["alpha"]["counts"]["Evidence"] == evidence
    assert ladybug_repair.problems(folder) == []


def test_a_reader_keeps_one_generation_in_a_snapshot_and_follows_outside_it(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    regtrace("load", str(EXAMPLE), "--tenant", "alpha", store=folder)
    with LadybugStore(folder, create=False) as reader:
        before = reader.generation()
        with reader.snapshot():
            regtrace("load", str(EXAMPLE), "--tenant", "beta", store=folder)  # another process publishes
            assert reader.tenants() == ["alpha"], "a snapshot does not move"
            assert reader.generation() != before, "but the published generation has changed"
        assert reader.tenants() == ["alpha", "beta"], "outside the snapshot the reader follows"
        old = Layout(folder).generation_numbers()
    regtrace("token", "create", "--role", "board", "--tenant", "alpha", store=folder)  # the next write cleans up
    assert len(Layout(folder).generation_numbers()) == 1 < len(old), "generations nobody reads are removed"


def test_a_write_compresses_the_pages_it_adds_only_when_configured(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """REGTRACE_WRITE_COMPRESSION reaches the engine of every write (on by default; off, a million-evidence first
    load takes ~10 % less CPU and later writes copy a larger file, bench/README.md): the same 20,000 evidence
    nodes (one date, one title, one tenant) take more room uncompressed, and read alike; a store written either
    way is written again the other."""
    rows = [{"uid": f"t1/EV{i:05d}", "evidence_id": f"EV{i:05d}", "collected_on": "2025-01-01", "title": "同一份",
             "tenant": "t1"} for i in range(20_000)]
    sizes: dict[str, int] = {}
    read: dict[str, list[Row]] = {}
    for value in ("0", "1"):
        monkeypatch.setenv("REGTRACE_WRITE_COMPRESSION", value)
        store = LadybugStore(tmp_path / value)
        try:
            store.write(lambda w: w.create_nodes("Evidence", rows))
            number = Layout(tmp_path / value).read_pointer()
            assert number is not None
            sizes[value] = Layout(tmp_path / value).database(number).stat().st_size
            read[value] = store.execute("MATCH (e:Evidence) RETURN count(*) AS n, min(e.uid) AS first, "
                                        "max(e.uid) AS last, count(DISTINCT e.collected_on) AS days")
            monkeypatch.setenv("REGTRACE_WRITE_COMPRESSION", "1" if value == "0" else "0")
            store.write(lambda w: w.delete_nodes("Evidence", ["t1/EV00000"]))
            assert store.count("Evidence") == 19_999
        finally:
            store.close()
    assert sizes["0"] > sizes["1"]
    assert read["0"] == read["1"] == [{"n": 20_000, "first": "t1/EV00000", "last": "t1/EV19999", "days": 1}]


@pytest.mark.parametrize("threads", ["1", "3"])
def test_a_write_runs_the_engine_with_the_configured_threads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              threads: str) -> None:
    """REGTRACE_WRITE_THREADS reaches the engine of every write (each thread holds its own bulk-copy buffers:
    2 by default keep a million-evidence load under 1 GB, bench/README.md); reads are not limited by it."""
    monkeypatch.setenv("REGTRACE_WRITE_THREADS", threads)
    store = LadybugStore(tmp_path / "store")
    seen: list[str] = []
    try:
        store.write(lambda w: seen.append(
            w._conn.execute("CALL current_setting('threads') RETURN *")[0]["threads"]))  # type: ignore[attr-defined]
        assert seen == [threads]
        assert store.count("Provision") == 0  # the reader, released during the write, is opened again after it
    finally:
        store.close()
