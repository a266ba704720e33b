"""A kill at any instant leaves the embedded store exactly as before or exactly as after (issue 16).

A real `regtrace load` process replaces one tenant's registers in a store where another tenant is present and
is killed with SIGKILL: by time, spread over every phase of the load (reading and validating, copying the
published generation, the delete and the bulk COPY, commit, checkpoint, publishing), and by the store's files
appearing (the staging folder, its database copy, its WAL, the renamed generation, the pointer's temp file).
After each kill the store is opened and compared exactly (counts and a digest of every tenant's rows, the
shared rows, and every tenant's trace) with the state before the load and the state after a load that was not
interrupted: it must be one of the two. `regtrace doctor --repair` then leaves nothing behind. A migration and
an API mutation (token creation) killed mid-write are checked the same way.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from crash_fixtures import POLL, ROOT, State, Zygote, state_of, synthetic, wait_for
from regtrace.graph import ladybug_repair
from regtrace.graph.ladybug_store import LadybugStore

pytestmark = pytest.mark.slow

TARGET, OTHER = "target", "other"
EVIDENCE = 500  # a load of a few seconds here: kills land in every phase (the test asserts each named point is reached)


@dataclass
class Scenario:
    root: Path
    template: Path
    registers: Path
    before: State
    after: State
    seconds: float  # the uninterrupted load, from start to exit, in a forked process
    to_staging: float  # from start until its staging folder appeared


def _state(folder: Path) -> State:
    with LadybugStore(folder, create=False) as store:
        return state_of(store)


def _copy(template: Path, to: Path) -> Path:
    shutil.rmtree(to, ignore_errors=True)
    shutil.copytree(template, to)
    shutil.copyfile(to / "CURRENT", to / "CURRENT.before")  # what _switched compares with (doctor ignores it)
    return to


def _staging(folder: Path) -> list[Path]:
    return list(folder.glob("staging-*"))


@pytest.fixture(scope="module")
def zygote() -> Iterator[Zygote]:
    z = Zygote()
    yield z
    z.close()


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory, zygote: Zygote) -> Scenario:
    root = tmp_path_factory.mktemp("crash")
    first = synthetic(root / "v1", EVIDENCE, seed=1)
    second = synthetic(root / "v2", EVIDENCE, seed=2)
    template = root / "template"
    for registers, tenant in ((ROOT / "examples" / "insurer", OTHER), (first, TARGET)):
        assert zygote.run("--store", str(template), "load", str(registers), "--tenant", tenant) == 0
    before = _state(template)
    done = _copy(template, root / "after")
    started = time.monotonic()
    zygote.start("--store", str(done), "load", str(second), "--tenant", TARGET)
    assert wait_for(lambda: bool(_staging(done)), zygote)
    to_staging = time.monotonic() - started
    assert zygote.exited(timeout=300) == 0
    seconds = time.monotonic() - started
    after = _state(done)
    assert after["parts"][OTHER] == before["parts"][OTHER] and after["traces"][OTHER] == before["traces"][OTHER]
    assert after["parts"][TARGET] != before["parts"][TARGET], "the second load must change the target tenant"
    return Scenario(root, template, second, before, after, seconds, to_staging)


NEVER_SEEN = "(never seen: the load ended first)"
# A named point the polling missed is tried again: the pointer's temp file lives only for a write and a rename, and
# on a busy machine one poll in a few attempts can fall either side of it.
ATTEMPTS = 3
Trigger = Callable[[Path, float], str]  # (store folder, start time) -> what was awaited; kill follows


def after_seconds(seconds: float) -> Trigger:
    def trigger(folder: Path, started: float) -> str:
        time.sleep(max(0.0, started + seconds - time.monotonic()))
        return f"{seconds:.2f} s after start"
    return trigger


def when(what: str, condition: Callable[[Path], bool], delay: float = 0.0,
         lead_up: Callable[[Path], bool] | None = None) -> Callable[[Zygote], Trigger]:
    """Kill `delay` seconds after `condition` holds; with `lead_up`, the condition is polled without pause once
    the lead-up holds (a state that lasts a few microseconds: the usual poll can fall either side of it)."""
    def bind(zygote: Zygote) -> Trigger:
        def trigger(folder: Path, started: float) -> str:
            if lead_up is not None and not wait_for(lambda: lead_up(folder), zygote):
                return f"{what} {NEVER_SEEN}"
            if not wait_for(lambda: condition(folder), zygote, poll=0.0 if lead_up is not None else POLL):
                return f"{what} {NEVER_SEEN}"
            time.sleep(delay)
            return f"{what}" + (f" + {delay * 1000:.0f} ms" if delay else "")
        return trigger
    return bind


def _wal(folder: Path, at_least: int = 1) -> bool:
    return any((s / "graph.lbdb.wal").exists() and (s / "graph.lbdb.wal").stat().st_size >= at_least
               for s in _staging(folder))


def _copied(folder: Path) -> bool:
    return any((s / "graph.lbdb").exists() for s in _staging(folder))


def _switched(folder: Path) -> bool:
    return (folder / "CURRENT").read_text().strip() != (folder / "CURRENT.before").read_text().strip()


def _renamed(folder: Path) -> bool:
    return len(list((folder / "generations").iterdir())) > 1 or (folder / "CURRENT.tmp").exists()


def _after_the_checkpoint() -> Callable[[Path], bool]:
    """Whether a trial's staging WAL, seen before, is gone (checkpointed, or its folder renamed into place); before
    the WAL first appears (the database copied, nothing written yet) it is not. From then on only the database's
    close, its fsync and the renames come before the pointer's temp file, so polling for that file without pause
    starts before it appears. Polled from the rename on, a fast disk's fsyncs left too little time for the
    half-millisecond poll to see the rename before the pointer had switched."""
    seen: set[Path] = set()

    def check(folder: Path) -> bool:
        if _wal(folder):
            seen.add(folder)
            return False
        return folder in seen
    return check


FILE_TRIGGERS = [
    when("staging folder appears", lambda f: bool(_staging(f))),
    when("database copy appears", _copied),
    when("database copy appears", _copied, 0.01),
    when("staging WAL appears", _wal),
    when("staging WAL appears", _wal, 0.005),
    when("staging WAL appears", _wal, 0.05),
    when("staging WAL holds 64 KB", lambda f: _wal(f, 64 * 1024)),
    when("WAL gone (checkpointed)", _after_the_checkpoint()),
    when("new generation renamed into place", _renamed),
    when("pointer temp file appears", lambda f: (f / "CURRENT.tmp").exists(), lead_up=_after_the_checkpoint()),
    when("pointer switched to the new generation", _switched),
    when("pointer switched to the new generation", _switched, 0.005),
]


def _outcome(state: State, scenario: Scenario) -> str:
    if state == scenario.before:
        return "old"
    if state == scenario.after:
        return "new"
    return "NEITHER"


def _trial(scenario: Scenario, zygote: Zygote, number: int, trigger: Trigger) -> tuple[str, str]:
    folder = _copy(scenario.template, scenario.root / f"trial-{number}")
    started = time.monotonic()
    pid = zygote.start("--store", str(folder), "load", str(scenario.registers), "--tenant", TARGET)
    awaited = trigger(folder, started)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    status = zygote.exited(timeout=60)
    killed = os.WIFSIGNALED(status) if status is not None else False
    left = ladybug_repair.problems(folder)
    outcome = _outcome(_state(folder), scenario)
    ladybug_repair.repair(folder)
    assert ladybug_repair.problems(folder) == [], f"doctor --repair left problems after trial {number}"
    shutil.rmtree(folder)
    how = f"killed at {awaited}" if killed else f"ended before the kill ({awaited})"
    return f"{how}; {len(left)} leftover(s) for doctor; trial {time.monotonic() - started:.1f} s", outcome


def test_a_load_killed_at_any_instant_leaves_the_store_old_or_new(scenario: Scenario, zygote: Zygote) -> None:
    span = scenario.seconds
    times = [scenario.to_staging * f for f in (0.3, 0.7)]  # reading and validating
    times += [scenario.to_staging + (span - scenario.to_staging) * i / 15 for i in range(15)]  # writing
    times += [span * 1.3, span * 1.6]  # about when it ends (its duration varies from run to run)
    triggers = [after_seconds(t) for t in times] + [bind(zygote) for bind in FILE_TRIGGERS]
    results: list[tuple[str, str]] = []
    missed = []
    started = time.monotonic()
    for trigger in triggers:
        for _ in range(ATTEMPTS):  # every attempt is a trial, its outcome checked below
            results.append(_trial(scenario, zygote, len(results), trigger))
            if NEVER_SEEN not in results[-1][0]:
                break
        else:
            missed.append(results[-1][0])
    print(f"\nload of {EVIDENCE} evidence over another tenant: {span:.2f} s uninterrupted, staging after "
          f"{scenario.to_staging:.2f} s; {len(results)} trials in {time.monotonic() - started:.1f} s")
    for number, (how, outcome) in enumerate(results):
        print(f"  trial {number:2d}: {outcome:7s} {how}")
    outcomes = [outcome for _, outcome in results]
    assert len(results) >= 30
    assert not missed, f"every named kill point must be reached by the load: {missed}"
    assert outcomes.count("NEITHER") == 0
    assert "old" in outcomes and "new" in outcomes, "the kills must land both before and after the switch"


def _kill_when(zygote: Zygote, pid: int, folder: Path, condition: Callable[[Path], bool]) -> bool:
    reached = wait_for(lambda: condition(folder), zygote)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    zygote.exited(timeout=60)
    return reached


def _without_tokens(state: State) -> State:
    shared = dict(state["parts"]["(shared)"]["counts"])
    shared.pop("ApiToken")
    return {**state, "parts": {**state["parts"], "(shared)": {"counts": shared}}}


def test_a_token_write_and_a_migration_killed_mid_write_leave_old_or_new(scenario: Scenario,
                                                                          zygote: Zygote) -> None:
    """A small write through the API's path (a token: the same store write as every mutation) and a migration
    into a new store, each killed when its staging WAL appears and when the pointer switches."""
    results = []
    tokens_before = scenario.before["parts"]["(shared)"]["counts"]["ApiToken"]
    for name, condition in (("staging WAL appears", _wal), ("pointer switched", _switched)):
        folder = _copy(scenario.template, scenario.root / "token")
        pid = zygote.start("--store", str(folder), "token", "create", "--role", "board", "--tenant", OTHER)
        assert _kill_when(zygote, pid, folder, condition), f"token create ended before {name}"
        state = _state(folder)
        tokens = state["parts"]["(shared)"]["counts"]["ApiToken"]
        same_else = _without_tokens(state)["parts"]["(shared)"] == _without_tokens(scenario.before)["parts"][
            "(shared)"] and {t: p for t, p in state["parts"].items() if t != "(shared)"} == {
            t: p for t, p in scenario.before["parts"].items() if t != "(shared)"}
        outcome = "old" if state == scenario.before else "new" if tokens == tokens_before + 1 and same_else \
            else "NEITHER"
        results.append((f"token create killed at {name}", outcome))

    for name, condition in (("staging WAL appears", _wal), ("pointer switched", _switched)):
        target = scenario.root / "migrated"
        shutil.rmtree(target, ignore_errors=True)
        _copy(scenario.template, target)
        shutil.rmtree(target / "generations")  # an empty store of one generation made below, then the copy
        for leftover in target.iterdir():
            leftover.unlink()
        LadybugStore(target).close()
        shutil.copyfile(target / "CURRENT", target / "CURRENT.before")
        pid = zygote.start("--store", str(scenario.template), "migrate", "--to", str(target))
        assert _kill_when(zygote, pid, target, condition), f"migrate ended before {name}"
        state = _state(target)
        empty = all(not any(p["counts"].values()) for p in state["parts"].values())
        outcome = "old" if empty else "new" if state == scenario.before else "NEITHER"
        results.append((f"migrate killed at {name}", outcome))
        assert _state(scenario.template) == scenario.before, "the source of a migration is never changed"
    for how, outcome in results:
        print(f"  {outcome:7s} {how}")
    assert [o for _, o in results] == ["old", "new", "old", "new"]


def test_a_reload_by_chunks_killed_mid_write_leaves_old_or_new(scenario: Scenario, zygote: Zygote) -> None:
    """The target tenant's folder again with one evidence row changed and a control renamed: a reload by chunks
    (evidence's changed chunk alone written, the renamed control's links made again, the published database
    copied), killed as the database copy appears, when the staging WAL
    appears, when the new generation is renamed into place and when the pointer switches: each time the
    store is as before or as after the uninterrupted reload."""
    import csv

    from regtrace.loaders.register_digests import plan_reload
    from regtrace.loaders.register_reader import read_folder
    from regtrace.loaders.registers import register_names

    from regtrace.regulation_graph import obligations_under

    changed = scenario.root / "v1-one-row"
    shutil.rmtree(changed, ignore_errors=True)
    shutil.copytree(scenario.root / "v1", changed)
    path = changed / "evidence.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        header, *body = csv.reader(handle)
    body[len(body) // 2][header.index("collected_on")] = "2026-11-28"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, *body])
    controls = changed / "controls.csv"  # a control renamed: its evidence's links made again as they were
    with controls.open(encoding="utf-8-sig", newline="") as handle:
        header, *body = csv.reader(handle)
    body[0][header.index("name")] += "（修訂）"
    with controls.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, *body])
    with LadybugStore(scenario.template, create=False) as store, read_folder(changed, register_names()) as found:
        assert plan_reload(store, TARGET, found, obligations_under(store)).chunked == "evidence"
    done = _copy(scenario.template, scenario.root / "reload-after")
    assert zygote.run("--store", str(done), "load", str(changed), "--tenant", TARGET) == 0
    after = _state(done)
    assert after["parts"][TARGET] != scenario.before["parts"][TARGET]
    assert after["parts"][OTHER] == scenario.before["parts"][OTHER]
    results = []
    for name, condition in (("database copy appears", _copied), ("staging WAL appears", _wal),
                            ("new generation renamed", _renamed), ("pointer switched", _switched)):
        folder = _copy(scenario.template, scenario.root / "reload-trial")
        pid = zygote.start("--store", str(folder), "load", str(changed), "--tenant", TARGET)
        assert _kill_when(zygote, pid, folder, condition), f"the reload ended before {name}"
        state = _state(folder)
        results.append((name, "old" if state == scenario.before else "new" if state == after else "NEITHER"))
        ladybug_repair.repair(folder)
        assert ladybug_repair.problems(folder) == []
    for name, outcome in results:
        print(f"  {outcome:7s} reload by chunks killed at {name}")
    assert all(outcome != "NEITHER" for _, outcome in results)
    assert results[0][1] == "old" and results[-1][1] == "new"
