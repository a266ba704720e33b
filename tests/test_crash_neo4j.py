"""A Neo4j server killed (SIGKILL) in the middle of a real `regtrace load` leaves the previous registers the ones
that are read, or (killed after the new generation was published) the new ones, whole (issue 13, point 3).

One server of this module's own, restarted after each kill. The load writes the new generation in batches of
REGTRACE_NEO4J_BATCH_ROWS rows (small here, so that there are many); the test watches the server and kills it
at chosen points: after the first staged batch of evidence, in the middle of the staged relationships, and
right after the publication (while the old generation is being removed). After each restart the counts and
digest of every tenant's rows, the shared rows and every tenant's trace are compared exactly with before (and
the new registers found after the third kill with a completed load of them); that last load leaves no
generation but the published one behind."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import neo4j_server
import pytest
from crash_fixtures import ROOT, State, state_of, synthetic
from neo4j import Driver, GraphDatabase
from regtrace.loaders.registers import load_registers
from test_neo4j_failures import Throwaway

from regtrace.regulation_graph import obligations_under
from regtrace.seed import install_seed

pytestmark = [pytest.mark.neo4j, pytest.mark.slow]

TARGET, OTHER = "target", "other"
EVIDENCE = 1_000
BATCH_ROWS = 100
CLI = str(Path(sys.executable).with_name("regtrace"))

STAGED_EVIDENCE = """
MATCH (g:RegtraceGeneration {tenant: $tenant}) MATCH (n:Evidence {tenant: $tenant})
WHERE n.generation > g.current RETURN count(n) AS n
"""
STAGED_LINKS = """
MATCH (g:RegtraceGeneration {tenant: $tenant}) MATCH (n:Evidence {tenant: $tenant})-[r:EVIDENCES]->()
WHERE n.generation > g.current RETURN count(r) AS n
"""
PUBLISHED = "MATCH (g:RegtraceGeneration {tenant: $tenant}) RETURN g.current AS n"
GENERATIONS = "MATCH (n) WHERE n.generation IS NOT NULL RETURN DISTINCT n.tenant AS tenant, n.generation AS g"


def _load(uri: str, registers: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "REGTRACE_NEO4J_BATCH_ROWS": str(BATCH_ROWS)}
    return subprocess.Popen([CLI, "--store", uri, "load", str(registers), "--tenant", TARGET],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)


def _count(driver: Driver, statement: str) -> int:
    records = driver.execute_query(statement, {"tenant": TARGET}).records
    return int(records[0]["n"]) if records else 0


def _state(server: Throwaway) -> State:
    store = server.open(timeout=300)
    try:
        return state_of(store)
    finally:
        store.close()


@pytest.fixture(scope="module")
def server() -> Iterator[Throwaway]:
    from neo4j_fixtures import require_local_tools

    require_local_tools()
    started = Throwaway(neo4j_server.start(timeout=300))  # a busy machine starts it slowly
    try:
        yield started
    finally:
        neo4j_server.stop(started.server)


def test_a_neo4j_server_killed_mid_load_comes_back_old_or_new(server: Throwaway, tmp_path: Path) -> None:
    first, second = synthetic(tmp_path / "v1", EVIDENCE, seed=1), synthetic(tmp_path / "v2", EVIDENCE, seed=2)
    uri = server.server.uri
    store = server.open(timeout=300)
    install_seed(store)
    load_registers(store, ROOT / "examples" / "insurer", OTHER, obligations_under(store))
    load_registers(store, first, TARGET, obligations_under(store))
    before = state_of(store)
    store.close()

    published_before = -1
    trials: list[tuple[str, Callable[[Driver], bool], str]] = [
        ("after the first staged batch of evidence", lambda d: _count(d, STAGED_EVIDENCE) >= BATCH_ROWS, "old"),
        ("in the middle of the staged relationships", lambda d: _count(d, STAGED_LINKS) >= EVIDENCE // 2, "old"),
        ("right after the publication", lambda d: _count(d, PUBLISHED) != published_before, "new"),
    ]
    results = []
    for where, reached, expected in trials:
        with GraphDatabase.driver(uri) as driver:
            published_before = _count(driver, PUBLISHED)
            loading = _load(uri, second)
            hit = False
            deadline = time.monotonic() + 600
            while loading.poll() is None and time.monotonic() < deadline:
                if reached(driver):
                    hit = True
                    break
                time.sleep(0.01)
        assert hit, f"the load ended (exit {loading.returncode}) before the point {where!r}"
        server.kill()
        code = loading.wait(timeout=300)  # the driver retries for a while before the load gives up
        server.restart()
        state = _state(server)
        outcome = "old" if state == before else "new" if state["parts"][TARGET] != before["parts"][TARGET] else "?"
        results.append((where, code, outcome))
        print(f"\nkilled {where}: the load exited {code}; after the restart the registers are {outcome}")
        assert outcome == expected, (where, code, outcome)
        if expected == "old":
            assert code != 0, "a load that did not land says so"

    after = state  # the new registers, whole: reloading them gives the same state and removes every leftover
    assert _load(uri, second).wait(timeout=600) == 0
    assert _state(server) == after
    with GraphDatabase.driver(uri) as driver:
        left = {(r["tenant"], r["g"]) for r in driver.execute_query(GENERATIONS).records}
        published = _count(driver, PUBLISHED)
    assert {g for t, g in left if t == TARGET} == {published}, "only the published generation is left"
