"""A reload on Neo4j that writes little is written in place (graph/neo4j_patch.py): one transaction into the tenant's
published generation, which keeps its number; one that would write more than the store's bound (Store.patch_rows)
writes the tenant as a new generation, as every reload did before. Either way the store then holds, node by node
and link by link (the evidence summary and the load record included), what a fresh load of the folder gives (here
a LadybugDB store: tests/test_reload_properties.py runs the same comparison over months of edits), and the trace
is the same."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from crash_fixtures import synthetic
from regtrace.graph import neo4j_patch
from regtrace.graph.neo4j_store import Neo4jStore
from regtrace.graph.port import Store
from regtrace.loaders.registers import load_registers
from regtrace.trace import evidence_groups, trace
from reload_fixtures import graph, loaded

from regtrace.errors import PatchTooLargeError, StoreChangedError
from regtrace.regulation_graph import obligations_under

AS_OF = dt.date(2026, 11, 29)
pytestmark = [pytest.mark.neo4j, pytest.mark.usefixtures("neo4j_uri")]
Rows = list[list[str]]


@pytest.fixture(scope="module")
def first(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synthetic(tmp_path_factory.mktemp("reload-neo4j") / "a", 3000, seed=11)


def evidence_of(folder: Path) -> tuple[list[str], Rows]:
    with (folder / "evidence.csv").open(encoding="utf-8", newline="") as handle:
        header, *body = csv.reader(handle)
    return header, body


def with_evidence(folder: Path, target: Path, edit: Callable[[list[str], Rows], None]) -> Path:
    """A copy of `folder` whose evidence file is edited."""
    shutil.copytree(folder, target)
    header, body = evidence_of(folder)
    edit(header, body)
    with (target / "evidence.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, *body])
    return target


@pytest.fixture
def neo4j(open_store_of: Callable[..., Store], first: Path) -> Neo4jStore:
    """A seeded Neo4j store holding the synthetic insurer as tenant demo."""
    store = open_store_of("neo4j", seeded=True)
    assert isinstance(store, Neo4jStore)
    load_registers(store, first, "demo", obligations_under(store))
    return store


@pytest.fixture
def in_place(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, str]]:
    """What each write in place wrote (rows), and how it ended ("written", or the error's name)."""
    seen: list[tuple[int, str]] = []
    original = neo4j_patch.replace_labels

    def spy(target: neo4j_patch.InPlace, *args: Any) -> None:
        try:
            original(target, *args)
        except Exception as error:
            seen.append((target.written, type(error).__name__))
            raise
        seen.append((target.written, "written"))

    monkeypatch.setattr(neo4j_patch, "replace_labels", spy)
    return seen


def assert_as_fresh(store: Store, folder: Path, tmp_path: Path) -> None:
    fresh = loaded(folder, tmp_path / "fresh")
    try:
        assert graph(store, "demo") == graph(fresh, "demo")
        assert trace(store, "demo", AS_OF) == trace(fresh, "demo", AS_OF)
    finally:
        fresh.close()


def test_a_one_row_change_is_written_in_place(neo4j: Neo4jStore, first: Path, tmp_path: Path,
                                              in_place: list[tuple[int, str]]) -> None:
    """One evidence item collected later (the newest of its group now): its node updated in place, its group and
    the load record too, nothing else; the published generation keeps its number."""
    def edit(header: list[str], body: Rows) -> None:
        body[100][header.index("collected_on")] = "2026-11-28"

    second = with_evidence(first, tmp_path / "b", edit)
    generation = neo4j.published("demo")
    load_registers(neo4j, second, "demo", obligations_under(neo4j))
    assert in_place == [(3, "written")]  # the evidence item, its group, the load record
    assert neo4j.published("demo") == generation
    assert_as_fresh(neo4j, second, tmp_path)


def test_a_removed_row_is_removed_and_its_group_recounted(neo4j: Neo4jStore, first: Path, tmp_path: Path,
                                                          in_place: list[tuple[int, str]]) -> None:
    header, body = evidence_of(first)
    gone = body[2000]
    control, arrangement = gone[header.index("control_id")], gone[header.index("arrangement_id")] or None
    group = evidence_groups.group_id(control, arrangement)
    before = {g["group_id"]: g for g in neo4j.nodes(evidence_groups.LABEL, "demo")}[group]
    second = with_evidence(first, tmp_path / "b", lambda h, b: b.pop(2000))
    generation = neo4j.published("demo")
    load_registers(neo4j, second, "demo", obligations_under(neo4j))
    assert [outcome for _, outcome in in_place] == ["written"] and neo4j.published("demo") == generation
    assert gone[0] not in {r["evidence_id"] for r in neo4j.nodes("Evidence", "demo")}
    after = {g["group_id"]: g for g in neo4j.nodes(evidence_groups.LABEL, "demo")}.get(group)
    assert (after["evidence_count"] if after else 0) == before["evidence_count"] - 1
    assert_as_fresh(neo4j, second, tmp_path)


def test_the_groups_an_item_leaves_and_joins_are_both_computed_again(neo4j: Neo4jStore, first: Path,
                                                                      tmp_path: Path,
                                                                      in_place: list[tuple[int, str]]) -> None:
    """An item naming another control and no arrangement now, and a new item: the group it left, the group it
    joined and the new item's group are those a fresh load gives."""
    header, body = evidence_of(first)
    control, arrangement = header.index("control_id"), header.index("arrangement_id")
    moved = next(i for i, r in enumerate(body) if r[arrangement])
    other = next(r[control] for r in body if r[control] != body[moved][control])
    left = evidence_groups.group_id(body[moved][control], body[moved][arrangement])
    joined = evidence_groups.group_id(other, None)

    def edit(h: list[str], b: Rows) -> None:
        b[moved][control], b[moved][arrangement] = other, ""
        b.insert(1500, ["EV-NEW-1", *b[10][1:]])

    second = with_evidence(first, tmp_path / "b", edit)
    generation = neo4j.published("demo")
    load_registers(neo4j, second, "demo", obligations_under(neo4j))
    assert [outcome for _, outcome in in_place] == ["written"] and neo4j.published("demo") == generation
    fresh = loaded(second, tmp_path / "groups")
    try:
        want = {g["group_id"]: g for g in fresh.nodes(evidence_groups.LABEL, "demo")}
        have = {g["group_id"]: g for g in neo4j.nodes(evidence_groups.LABEL, "demo")}
        assert have.get(left) == want.get(left) and have[joined] == want[joined]
        assert have == want
    finally:
        fresh.close()
    assert_as_fresh(neo4j, second, tmp_path)


@pytest.fixture
def regrouped(monkeypatch: pytest.MonkeyPatch) -> list[list[list[str]]]:
    """The controls each write in place computed the groups of again, in the runs it read their evidence in."""
    seen: list[list[list[str]]] = []
    original = neo4j_patch._slices

    def spy(controls: list[str], groups: Any, items: int) -> list[list[str]]:
        runs = original(controls, groups, items)
        seen.append(runs)
        return runs

    monkeypatch.setattr(neo4j_patch, "_slices", spy)
    return seen


def test_a_retitled_item_computes_no_group_again(neo4j: Neo4jStore, first: Path, tmp_path: Path,
                                                 in_place: list[tuple[int, str]],
                                                 regrouped: list[list[list[str]]]) -> None:
    """A group reads its items' dates, ids and links, not their titles: retitling an item writes the item and the
    load record, and reads no control's evidence."""
    second = with_evidence(first, tmp_path / "b", lambda h, b: b[100].__setitem__(h.index("title"), "retitled"))
    load_registers(neo4j, second, "demo", obligations_under(neo4j))
    assert in_place == [(2, "written")]  # the evidence item, the load record
    assert regrouped == []
    assert_as_fresh(neo4j, second, tmp_path)


def test_the_groups_are_computed_again_a_few_controls_at_a_time(neo4j: Neo4jStore, first: Path, tmp_path: Path,
                                                                 in_place: list[tuple[int, str]],
                                                                 regrouped: list[list[list[str]]]) -> None:
    """Items of twelve controls collected a day later, with a bound of 40 rows (the controls hold ~10 items each):
    written in place, their evidence read in runs of controls holding about 40 items, not all at once; the groups
    are those a fresh load gives."""
    header, body = evidence_of(first)
    control, collected = header.index("control_id"), header.index("collected_on")
    rows = list({r[control]: n for n, r in enumerate(body)}.values())[:12]  # one item of each of twelve controls
    controls = sorted({body[n][control] for n in rows})

    def edit(h: list[str], b: Rows) -> None:
        for n in rows:
            b[n][collected] = (dt.date.fromisoformat(b[n][collected]) + dt.timedelta(days=1)).isoformat()

    second = with_evidence(first, tmp_path / "b", edit)
    counts: dict[str, int] = {}
    for r in body:
        counts[r[control]] = counts.get(r[control], 0) + 1
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Neo4jStore, "patch_rows", lambda self: 40)
        load_registers(neo4j, second, "demo", obligations_under(neo4j))
    assert [outcome for _, outcome in in_place] == ["written"]
    [runs] = regrouped
    assert sorted(c for run in runs for c in run) == controls
    assert len(runs) > 1
    assert all(len(run) == 1 or sum(counts[c] for c in run) <= 40 for run in runs)
    assert_as_fresh(neo4j, second, tmp_path)


def test_a_change_past_the_bound_is_written_as_a_new_generation(neo4j: Neo4jStore, first: Path, tmp_path: Path,
                                                                 in_place: list[tuple[int, str]],
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Eight evidence items retitled with a bound of five rows: the write in place stops (nothing of it kept) and
    the tenant is written whole, as a new generation."""
    monkeypatch.setattr(Neo4jStore, "patch_rows", lambda self: 5)

    def edit(header: list[str], body: Rows) -> None:
        for row in body[200:208]:
            row[header.index("title")] = "retitled"

    second = with_evidence(first, tmp_path / "b", edit)
    generation = neo4j.published("demo")
    load_registers(neo4j, second, "demo", obligations_under(neo4j))
    assert in_place == [(8, PatchTooLargeError.__name__)]
    assert neo4j.published("demo") > generation
    assert_as_fresh(neo4j, second, tmp_path)


def test_a_register_written_whole_past_the_bound_goes_as_a_new_generation(
        neo4j: Neo4jStore, first: Path, tmp_path: Path, in_place: list[tuple[int, str]]) -> None:
    """A controls file changed: controls are written whole with every register referencing them, the evidence by
    its changed chunks (none); 300 controls are within the default bound, so the write is in place. With a bound
    below them it is a new generation, never tried in place."""
    target = tmp_path / "b"
    shutil.copytree(first, target)
    with (target / "controls.csv").open(encoding="utf-8", newline="") as handle:
        header, *body = csv.reader(handle)
    body[5][header.index("name")] = "renamed"
    with (target / "controls.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, *body])
    generation = neo4j.published("demo")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Neo4jStore, "patch_rows", lambda self: 100)
        load_registers(neo4j, target, "demo", obligations_under(neo4j))
    assert in_place == [] and neo4j.published("demo") > generation
    assert_as_fresh(neo4j, target, tmp_path)
    body[5][header.index("name")] = "renamed again"
    with (target / "controls.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, *body])
    generation = neo4j.published("demo")
    load_registers(neo4j, target, "demo", obligations_under(neo4j))
    assert [outcome for _, outcome in in_place] == ["written"] and neo4j.published("demo") == generation
    assert_as_fresh(neo4j, target, tmp_path / "again")


def test_a_write_in_place_refuses_when_the_tenant_changed_since_it_was_planned(
        neo4j: Neo4jStore, first: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another load of the tenant lands between the reload's plan and its write: the write in place refuses (its
    precondition, under the tenant held), nothing of it kept."""
    second = with_evidence(first, tmp_path / "b", lambda h, b: b.pop(10))
    third = with_evidence(first, tmp_path / "c", lambda h, b: b.pop(20))
    patch_tenant = Neo4jStore.patch_tenant

    def meanwhile(store: Neo4jStore, tenant: str, unit: Callable[..., None]) -> None:
        monkeypatch.setattr(Neo4jStore, "patch_tenant", patch_tenant)
        load_registers(store, third, tenant, obligations_under(store))
        patch_tenant(store, tenant, unit)

    monkeypatch.setattr(Neo4jStore, "patch_tenant", meanwhile)
    with pytest.raises(StoreChangedError):
        load_registers(neo4j, second, "demo", obligations_under(neo4j))
    assert_as_fresh(neo4j, third, tmp_path)


def test_a_write_in_place_holds_the_tenant_until_it_commits(neo4j: Neo4jStore, first: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Two reloads in place of one tenant at once: the second, planned while the first was writing, waits for it at
    its start (the tenant held), then finds the tenant changed and refuses, nothing of it kept; the store holds
    what the first one's folder gives."""
    from neo4j_fixtures import neo4j_auth
    from regtrace.graph.neo4j_store import _Neo4jWriter

    second = with_evidence(first, tmp_path / "b", lambda h, b: b.pop(10))
    third = with_evidence(first, tmp_path / "c", lambda h, b: b.pop(20))
    other = Neo4jStore.connect(neo4j.uri, *(neo4j_auth() or (None, None)))
    waiting = threading.Event()
    outcome: list[BaseException | None] = []
    hold, replace_labels = _Neo4jWriter.hold, neo4j_patch.replace_labels

    def holding(writer: _Neo4jWriter, tenant: str) -> None:
        if threading.current_thread() is not threading.main_thread():
            waiting.set()
        hold(writer, tenant)

    def concurrent() -> None:
        try:
            load_registers(other, third, "demo", obligations_under(other))
            outcome.append(None)
        except BaseException as error:
            outcome.append(error)

    def first_writing(*args: Any) -> None:
        if threading.current_thread() is threading.main_thread() and not outcome and not waiting.is_set():
            threading.Thread(target=concurrent).start()
            waiting.wait(30)
            time.sleep(1)  # the other reload is at its hold, waiting on the server
        replace_labels(*args)

    monkeypatch.setattr(_Neo4jWriter, "hold", holding)
    monkeypatch.setattr(neo4j_patch, "replace_labels", first_writing)
    try:
        load_registers(neo4j, second, "demo", obligations_under(neo4j))
        for _ in range(600):
            if outcome:
                break
            time.sleep(0.1)
    finally:
        other.close()
    assert len(outcome) == 1 and isinstance(outcome[0], StoreChangedError), outcome
    assert_as_fresh(neo4j, second, tmp_path)


def test_a_failure_late_in_a_write_in_place_leaves_the_previous_registers(
        neo4j: Neo4jStore, first: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The write in place fails after it has deleted a node, updated another and made their links, as it computes
    the summary groups again: the one transaction is rolled back, the store holds what the first folder gives, and
    the same reload done again then goes through."""
    def edit(header: list[str], body: Rows) -> None:
        body[100][header.index("title")] = "retitled"
        body.pop(2000)

    second = with_evidence(first, tmp_path / "b", edit)
    regroup = neo4j_patch._regroup

    def failing(target: neo4j_patch.InPlace, controls: set[str]) -> None:
        assert target.written >= 2  # the deleted node and the updated one are written by now
        raise RuntimeError("the connection was lost")

    monkeypatch.setattr(neo4j_patch, "_regroup", failing)
    generation = neo4j.published("demo")
    with pytest.raises(RuntimeError, match="connection was lost"):
        load_registers(neo4j, second, "demo", obligations_under(neo4j))
    assert neo4j.published("demo") == generation
    assert_as_fresh(neo4j, first, tmp_path / "before")
    monkeypatch.setattr(neo4j_patch, "_regroup", regroup)
    load_registers(neo4j, second, "demo", obligations_under(neo4j))
    assert neo4j.published("demo") == generation
    assert_as_fresh(neo4j, second, tmp_path / "after")
