"""A Neo4j server killed (SIGKILL) in the middle of a real `regtrace load` leaves the previous registers the ones
that are read, or (killed after the new generation was published) the new ones, whole (issue 13, point 3); and
killed in the middle of a reload written in place (graph/neo4j_patch.py), the previous ones.

One server of this module's own, restarted after each kill. The load writes the new generation in batches of
REGTRACE_NEO4J_BATCH_ROWS rows (small here, so that there are many); the test watches the server and kills it
at chosen points: after the first staged batch of evidence, in the middle of the staged relationships, and
right after the publication (while the old generation is being removed). After each restart the counts and
digest of every tenant's rows, the shared rows and every tenant's trace are compared exactly with before (and
the new registers found after the third kill with a completed load of them); that last load leaves no
generation but the published one behind.

The reload written in place is one transaction into the published generation. To kill the server in its middle,
at a known point, the test holds the write locks of one control's evidence summary groups in a transaction of its
own: the reload writes its changed evidence node, deletes the removed one with its links, then blocks where it
writes the group the removed item leaves (the groups come last, after every other write). The server is killed
while it lists that write as blocked."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import neo4j_server
import pytest
from crash_fixtures import AS_OF, ROOT, State, Zygote, state_of, synthetic
from neo4j import Driver, GraphDatabase
from regtrace.loaders.registers import load_registers
from regtrace.trace import trace
from reload_fixtures import edited, graph, loaded
from test_neo4j_failures import Throwaway

from regtrace.regulation_graph import obligations_under
from regtrace.seed import install_seed

# its own server, not the shared one: a group of its own runs beside the shared server's group under xdist
pytestmark = [pytest.mark.neo4j, pytest.mark.slow, pytest.mark.xdist_group("crash-neo4j")]

TARGET, OTHER = "target", "other"
EVIDENCE = 400  # ten staged batches of evidence, as before with 1,000 in batches of 100
BATCH_ROWS = 40
# the killed load still retries its write, then the removal of what it staged, but gives up after seconds rather
# than the default half minute each (the server stays down until the load has ended)
RETRY_SECONDS = 3.0

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


def _load(zygote: Zygote, uri: str, registers: Path, tenant: str = TARGET) -> int:
    """Start `regtrace --store URI load REGISTERS --tenant TENANT` as a process of its own; its pid."""
    return zygote.start("--store", uri, "load", str(registers), "--tenant", tenant)


def _exit_code(status: int | None) -> int | None:
    return None if status is None else os.waitstatus_to_exitcode(status)


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
def zygote() -> Iterator[Zygote]:
    """The loads run as real `regtrace load` processes, forked from one interpreter that imported the CLI once."""
    z = Zygote(REGTRACE_NEO4J_BATCH_ROWS=str(BATCH_ROWS), REGTRACE_NEO4J_RETRY_SECONDS=str(RETRY_SECONDS))
    yield z
    z.close()


@pytest.fixture(scope="module")
def server() -> Iterator[Throwaway]:
    from neo4j_fixtures import require_local_tools

    require_local_tools()
    started = Throwaway(neo4j_server.start(timeout=300, short_lived=True))  # a busy machine starts it slowly
    try:
        yield started
    finally:
        neo4j_server.stop(started.server)


def test_a_neo4j_server_killed_mid_load_comes_back_old_or_new(server: Throwaway, zygote: Zygote,
                                                               tmp_path: Path) -> None:
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
            _load(zygote, uri, second)
            hit, ended = False, None
            deadline = time.monotonic() + 600
            while time.monotonic() < deadline:
                if reached(driver):
                    hit = True
                    break
                ended = zygote.exited(timeout=0.01)
                if ended is not None:
                    break
        assert hit, f"the load ended (exit {_exit_code(ended)}) before the point {where!r}"
        server.kill()
        killed = time.monotonic()
        code = _exit_code(zygote.exited(timeout=300))  # the driver retries RETRY_SECONDS before the load gives up
        assert code is not None, f"the load killed {where} neither ended nor gave up"
        gave_up = time.monotonic()
        server.restart()
        state = _state(server)
        outcome = "old" if state == before else "new" if state["parts"][TARGET] != before["parts"][TARGET] else "?"
        results.append((where, code, outcome))
        print(f"\nkilled {where}: the load exited {code} {gave_up - killed:.0f} s later; after the restart (and "
              f"{time.monotonic() - gave_up:.0f} s) the registers are {outcome}")
        assert outcome == expected, (where, code, outcome)
        if expected == "old":
            assert code != 0, "a load that did not land says so"

    after = state  # the new registers, whole: reloading them gives the same state and removes every leftover
    _load(zygote, uri, second)
    assert _exit_code(zygote.exited(timeout=600)) == 0
    assert _state(server) == after
    with GraphDatabase.driver(uri) as driver:
        left = {(r["tenant"], r["g"]) for r in driver.execute_query(GENERATIONS).records}
        published = _count(driver, PUBLISHED)
    assert {g for t, g in left if t == TARGET} == {published}, "only the published generation is left"


PATCHED = "demo"  # the tenant of the reload written in place (tests/reload_fixtures.loaded's, to compare with)
HOLD_GROUPS = """
MATCH (g:EvidenceGroup {tenant: $tenant, control_id: $control}) SET g.evidence_count = g.evidence_count
RETURN count(g) AS n
"""
BLOCKED = "SHOW TRANSACTIONS YIELD status, currentQuery WHERE status STARTS WITH 'Blocked' RETURN currentQuery"


@pytest.fixture(scope="module")
def reloads() -> Iterator[Zygote]:
    """Loads with the store's own bound on a write in place (not the small batches above, past which the trial's
    reload would go as a new generation)."""
    z = Zygote(REGTRACE_NEO4J_RETRY_SECONDS=str(RETRY_SECONDS))
    yield z
    z.close()


def test_a_neo4j_server_killed_mid_write_in_place_comes_back_old(server: Throwaway, reloads: Zygote,
                                                                 tmp_path: Path) -> None:
    zygote = reloads
    first = synthetic(tmp_path / "v1", EVIDENCE, seed=3)
    changed: dict[str, str] = {}

    def edit(registers: dict[str, tuple[list[str], list[list[str]]]]) -> None:
        header, body = registers["evidence"]
        body[10][header.index("title")] = "retitled"  # a handful of rows to write, under the bound
        changed["control"] = body.pop(200)[header.index("control_id")]  # its group is counted again

    second = edited(first, tmp_path / "v2", edit)
    uri = server.server.uri
    store = server.open(timeout=300)
    install_seed(store)
    load_registers(store, first, PATCHED, obligations_under(store))
    before, generation = state_of(store), store.published(PATCHED)
    store.close()

    with GraphDatabase.driver(uri) as driver:
        session = driver.session()
        held = session.begin_transaction()
        held_groups = held.run(HOLD_GROUPS, {"tenant": PATCHED, "control": changed["control"]}).single()
        assert held_groups is not None and held_groups["n"] >= 1, "the removed row's control has groups"
        _load(zygote, uri, second, PATCHED)
        blocked: list[str] = []
        deadline = time.monotonic() + 600
        while not blocked and time.monotonic() < deadline and zygote.exited(timeout=0.05) is None:
            blocked = [r["currentQuery"] for r in driver.execute_query(BLOCKED).records]
        assert blocked, "the reload ended before it reached the evidence summary group held"
        assert "EvidenceGroup" in blocked[0], blocked
        server.kill()
        with contextlib.suppress(Exception):  # its server is gone
            session.close()
    code = _exit_code(zygote.exited(timeout=300))
    assert code is not None and code != 0, f"the reload killed mid-write exited {code}"
    server.restart()
    store = server.open(timeout=300)
    try:
        assert state_of(store) == before, "the write in place left nothing of itself"
        assert store.published(PATCHED) == generation
    finally:
        store.close()

    assert zygote.run("--store", uri, "load", str(second), "--tenant", PATCHED) == 0  # the same reload goes through
    store = server.open(timeout=300)
    fresh = loaded(second, tmp_path / "fresh")
    try:
        assert store.published(PATCHED) == generation, "written in place again, not as a new generation"
        assert graph(store, PATCHED) == graph(fresh, PATCHED)
        assert trace(store, PATCHED, AS_OF) == trace(fresh, PATCHED, AS_OF)
    finally:
        fresh.close()
        store.close()
