"""A Neo4j server killed (SIGKILL) in the middle of a real `regtrace load` leaves the store exactly as before or
exactly as after the load, once restarted (issue 16). Fewer trials than on the embedded store: each restart
costs about 15 s. The load replaces one tenant's registers while another tenant is present; after each restart
the counts and digest of every tenant's rows, the shared rows and every tenant's trace are compared exactly."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import neo4j_server
import pytest
from crash_fixtures import ROOT, State, state_of, synthetic
from test_neo4j_failures import Throwaway

pytestmark = [pytest.mark.neo4j, pytest.mark.slow]

TARGET, OTHER = "target", "other"
EVIDENCE = 1_500
CLI = str(Path(sys.executable).with_name("regtrace"))


def _load(uri: str, registers: Path, tenant: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([CLI, "--store", uri, "load", str(registers), "--tenant", tenant],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _state(server: Throwaway) -> State:
    store = server.open(timeout=300)
    try:
        return state_of(store)
    finally:
        store.close()


@pytest.fixture
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
    for registers, tenant in ((ROOT / "examples" / "insurer", OTHER), (first, TARGET)):
        assert _load(uri, registers, tenant).wait(timeout=600) == 0
    before = _state(server)
    started = time.monotonic()
    assert _load(uri, second, TARGET).wait(timeout=600) == 0
    span = time.monotonic() - started
    after = _state(server)
    assert after["parts"][TARGET] != before["parts"][TARGET]
    assert _load(uri, first, TARGET).wait(timeout=600) == 0 and _state(server) == before  # back to before

    results = []
    for fraction in (0.35, 0.5, 0.65, 0.8, 0.9, 1.0):
        loading = _load(uri, second, TARGET)
        time.sleep(span * fraction)
        server.kill()
        code = loading.wait(timeout=120)
        server.restart()
        state = _state(server)
        outcome = "old" if state == before else "new" if state == after else "NEITHER"
        results.append((fraction, code, outcome))
        if outcome == "new":
            assert _load(uri, first, TARGET).wait(timeout=600) == 0  # back to before for the next trial
    print(f"\nNeo4j: load of {EVIDENCE} evidence over another tenant takes {span:.1f} s; server killed at:")
    for fraction, code, outcome in results:
        print(f"  {fraction * span:5.1f} s ({fraction:.0%}): load exited {code}, after restart {outcome}")
    assert [o for _, _, o in results].count("NEITHER") == 0
    assert all(code != 0 for _, code, o in results if o == "old"), "a load that did not land says so"
