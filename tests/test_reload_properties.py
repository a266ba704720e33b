"""Property: whatever a new month's exports change, a reload over the stored tenant leaves exactly what a fresh
load of the same folder gives, or is refused exactly as that load is, the store untouched.

A reload takes whichever path its plan picks (a register compared whole, evidence by its changed chunks or whole
past a share of the file, the changed chunks' stored rows looked up one by one or in batches, a large label's
stored digests and links read from the generation the reload started from or from its staging copy, nodes updated
in place or created again, the ids gone from a referenced register looked up or the file judged whole);
each path is a shortcut that must not change the answer. A synthetic insurer (3,000 evidence items, a dozen
chunks) is loaded; then one or two folders, each the one before with a few edits drawn from what exports change,
are loaded over it in turn: evidence collected again, retitled, moved, added, removed, naming another control,
arrangement or none; controls renamed, added, removed, given other obligations or arrangements; arrangements
renamed or ended; systems, CSPs, contracts, findings and certificates edited (a certificate held by another
CSP: its scope covers other arrangements, or none); a date no calendar has; a title over two lines (its line
break CRLF or LF); the evidence file saved with LF line endings where the others have CRLF. After each, the
store holds node by node and link by link (the load record's digests included) what a fresh store given that
folder holds, and the same trace; or both refused, naming the same file, row and column, and the reloaded store
is as it was."""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from crash_fixtures import synthetic
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from regtrace.graph import ladybug_diff, ladybug_source
from regtrace.graph.ladybug_store import LadybugStore
from regtrace.graph.neo4j_store import Neo4jStore
from regtrace.graph.port import Store
from regtrace.loaders import register_chunked
from regtrace.loaders import registers as register_loader
from regtrace.loaders.registers import load_registers
from regtrace.trace import trace
from reload_fixtures import Registers, edited, graph, loaded
from store_fixtures import seeded_ladybug

from regtrace.errors import RegisterError
from regtrace.regulation_graph import obligations_under
from regtrace.settings import current

AS_OF = dt.date(2026, 11, 29)
Edit = tuple[str, int, int]  # (what, row, other row): rows are taken modulo the register's length
Problems = list[tuple[str, int | None, str | None]]


def _column(registers: Registers, name: str, column: str) -> int:
    return registers[name][0].index(column)


def _ids(registers: Registers, name: str) -> list[str]:
    return [r[0] for r in registers[name][1]]


def _set(registers: Registers, name: str, row: int, column: str, value: str) -> None:
    body = registers[name][1]
    body[row % len(body)][_column(registers, name, column)] = value


def _get(registers: Registers, name: str, row: int, column: str) -> str:
    body = registers[name][1]
    return body[row % len(body)][_column(registers, name, column)]


def _copied(registers: Registers, name: str, row: int, new_id: str) -> None:
    body = registers[name][1]
    body.insert(row % len(body), [new_id, *body[row % len(body)][1:]])


def _removed(registers: Registers, name: str, row: int) -> None:
    body = registers[name][1]
    if len(body) > 1:
        del body[row % len(body)]


def _moved(registers: Registers, name: str, row: int, to: int) -> None:
    body = registers[name][1]
    body.insert(to % len(body), body.pop(row % len(body)))


def _clause_dropped(r: Registers, row: int) -> None:
    clauses = _get(r, "contracts", row, "clauses").split(";")
    _set(r, "contracts", row, "clauses", ";".join(clauses[:-1] or clauses))


def _arrangement_or_none(r: Registers, other: int) -> str:
    named = ["", *_ids(r, "arrangements")]
    return named[other % len(named)]


LINE_BREAKS = ("\r\n", "\n")  # within a quoted cell: the cell's own, whichever line endings the file has
EditOf = Callable[[Registers, int, int, Callable[[str], str]], None]  # (registers, row, other row, new id)
# what exports change, each as a compliance team's tools would make it
EDITS: dict[str, EditOf] = {
    "evidence collected": lambda r, row, other, _: _set(
        r, "evidence", row, "collected_on", ("2026-11-28", "2024-02-29", "2026-13-40")[other % 3]),
    "evidence names another control": lambda r, row, other, _: _set(
        r, "evidence", row, "control_id", _get(r, "controls", other, "control_id")),
    "evidence names another arrangement": lambda r, row, other, _: _set(
        r, "evidence", row, "arrangement_id", _arrangement_or_none(r, other)),
    "evidence retitled": lambda r, row, other, _: _set(r, "evidence", row, "title", f"佐證 更名 {other}"),
    "evidence title over two lines": lambda r, row, other, _: _set(
        r, "evidence", row, "title", f"佐證 第一行{LINE_BREAKS[other % 2]}第二行"),
    "evidence added": lambda r, row, _, new_id: _copied(r, "evidence", row, new_id("EV-NEW")),
    "evidence removed": lambda r, row, _, __: _removed(r, "evidence", row),
    "evidence moved": lambda r, row, other, _: _moved(r, "evidence", row, other),
    "control renamed": lambda r, row, other, _: _set(r, "controls", row, "name", f"控制措施 更名 {other}"),
    "control added": lambda r, row, _, new_id: _copied(r, "controls", row, new_id("CTL-NEW")),
    "control removed": lambda r, row, _, __: _removed(r, "controls", row),
    "control satisfies others": lambda r, row, other, _: _set(
        r, "controls", row, "satisfies", _get(r, "controls", other, "satisfies")),
    "control applies elsewhere": lambda r, row, other, _: _set(
        r, "controls", row, "applies_to", _get(r, "controls", other, "applies_to")),
    "arrangement renamed": lambda r, row, other, _: _set(r, "arrangements", row, "name", f"委外事項 更名 {other}"),
    "arrangement ended": lambda r, row, _, __: _set(r, "arrangements", row, "end_date", "2026-10-31"),
    "system renamed": lambda r, row, other, _: _set(r, "systems", row, "name", f"系統 更名 {other}"),
    "system moved": lambda r, row, other, _: _set(
        r, "systems", row, "arrangement_id", _get(r, "arrangements", other, "arrangement_id")),
    "csp renamed": lambda r, row, other, _: _set(r, "csps", row, "name", f"雲端業者 更名 {other}"),
    "finding due": lambda r, row, _, __: _set(r, "findings", row, "due_on", "2026-12-31"),
    "contract clause dropped": lambda r, row, _, __: _clause_dropped(r, row),
    "certificate expires": lambda r, row, _, __: _set(r, "certifications", row, "valid_until", "2026-11-01"),
    "certificate held by another csp": lambda r, row, other, _: _set(
        r, "certifications", row, "csp_id", _get(r, "csps", other, "csp_id")),
}

edits = st.tuples(st.sampled_from(sorted(EDITS)), st.integers(0, 3_100), st.integers(0, 3_100))
months = st.lists(st.lists(edits, min_size=1, max_size=4), min_size=1, max_size=2)


@pytest.fixture(scope="module")
def first(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """The synthetic insurer's folder and a closed store holding it (copied for each example)."""
    base = tmp_path_factory.mktemp("reload-properties")
    folder = synthetic(base / "a", 3000, seed=11)
    loaded(folder, base / "store").close()
    yield folder, base / "store"


def with_line_feeds(path: Path) -> None:
    """The file's records ended by LF instead of CRLF, as another tool saves it (a line break inside a quoted cell
    kept as it is)."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def outcome(store: Store, folder: Path) -> Problems | None:
    """None when the load went through, else the file, row and column of each problem it was refused with."""
    try:
        load_registers(store, folder, "demo", obligations_under(store))
    except RegisterError as refused:
        return sorted(((p.source, p.row, p.column) for p in refused.problems), key=repr)
    return None


def reloaded(store: LadybugStore, folder: Path) -> Problems | None:
    """`outcome` of a reload, the path its plan took noted (`--hypothesis-show-statistics` shows how often each
    was taken)."""
    plan_reload, changed_chunks = register_loader.plan_reload, register_loader.changed_chunks
    mostly_changed = register_loader.mostly_changed

    def noted(*args: Any) -> Any:
        plan = plan_reload(*args)
        event(f"{plan.chunked or 'no register'} by chunks")
        return plan

    def whole(*args: Any) -> Any:
        found = mostly_changed(*args)
        if found:
            event("read whole after all: too much of it changed")
        return found

    def split(*args: Any) -> Any:
        found = changed_chunks(*args)
        if found is None:
            event("read whole after all: no chunks to compare")
        return found

    with (mock.patch.object(register_loader, "plan_reload", noted),
          mock.patch.object(register_loader, "mostly_changed", whole),
          mock.patch.object(register_loader, "changed_chunks", split)):
        found = outcome(store, folder)
    event("refused" if found else "loaded")
    return found


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=months, in_place=st.booleans(), gone_looked_up=st.booleans(), whole_past_share=st.booleans(),
       batched=st.booleans(), line_feeds=st.booleans(), from_source=st.booleans())
@example(steps=[[("evidence collected", 100, 0)]],
         in_place=True, gone_looked_up=True, whole_past_share=False, batched=False, line_feeds=False,
         from_source=False)
@example(steps=[[("evidence names another arrangement", 1, 0)]],  # none now
         in_place=True, gone_looked_up=True, whole_past_share=False, batched=False, line_feeds=False,
         from_source=False)
@example(steps=[[("control renamed", 5, 0)], [("control renamed", 5, 1), ("evidence moved", 40, 2600)]],
         in_place=False, gone_looked_up=True, whole_past_share=False, batched=False, line_feeds=False,
         from_source=True)
@example(steps=[[("control added", 7, 0), ("evidence names another control", 700, 7)], [("control removed", 7, 0)]],
         in_place=True, gone_looked_up=True, whole_past_share=False, batched=False, line_feeds=False,
         from_source=True)
@example(steps=[[("arrangement renamed", 3, 0), ("evidence added", 1500, 0), ("evidence removed", 2000, 0)]],
         in_place=True, gone_looked_up=False, whole_past_share=False, batched=False, line_feeds=False,
         from_source=True)
@example(steps=[[("evidence title over two lines", 300, 0)], [("evidence title over two lines", 300, 1)]],
         in_place=True, gone_looked_up=True, whole_past_share=False, batched=False, line_feeds=True,
         from_source=True)  # CRLF in a
# cell of a file saved with LF, then LF in that cell of a file saved with CRLF: that row alone changed
def test_a_reload_gives_what_a_fresh_load_of_the_folder_gives(first: tuple[Path, Path], steps: list[list[Edit]],
                                                              in_place: bool, gone_looked_up: bool,
                                                              whole_past_share: bool, batched: bool,
                                                              line_feeds: bool, from_source: bool) -> None:
    folder, template = first
    counter = itertools.count()
    with (tempfile.TemporaryDirectory() as scratch,
          mock.patch.object(ladybug_diff, "IN_PLACE_ROWS", ladybug_diff.IN_PLACE_ROWS if in_place else 0),
          mock.patch.object(register_chunked, "GONE_LOOKED_UP",
                            register_chunked.GONE_LOOKED_UP if gone_looked_up else 0),
          mock.patch.object(register_chunked, "CHUNKED_BYTES",
                            0 if whole_past_share else register_chunked.CHUNKED_BYTES),
          mock.patch.object(ladybug_diff, "LINK_POINT_ROWS", 0 if batched else ladybug_diff.LINK_POINT_ROWS),
          mock.patch.object(ladybug_diff, "LOOKUP_BATCH", 7 if batched else ladybug_diff.LOOKUP_BATCH),
          # the paths of many rows: every label and type large, read from the generation the reload started from
          mock.patch.object(ladybug_diff, "LARGE_ROWS", 1 if batched else ladybug_diff.LARGE_ROWS),
          # and their links read a few source nodes at a time
          mock.patch.object(ladybug_source, "LINK_SLICE", 3 if batched else ladybug_source.LINK_SLICE),
          # a reload by chunks's links read from that generation too, or looked up in the staging copy
          mock.patch.object(ladybug_diff, "SOURCE_LINK_SHARE", 0 if from_source else 2)):
        root = Path(scratch)
        shutil.copytree(template, root / "store")
        store = LadybugStore(root / "store")
        try:
            for n, month in enumerate(steps):
                def edit(registers: Registers, month: list[Edit] = month) -> None:
                    for what, row, other in month:
                        EDITS[what](registers, row, other, lambda prefix: f"{prefix}-{next(counter)}")

                folder = edited(folder, root / f"month-{n}", edit)
                if line_feeds and n % 2 == 0:  # every other month's evidence file saved by another tool
                    with_line_feeds(folder / "evidence.csv")
                    event("the evidence file saved with LF")
                fresh = seeded_ladybug(root / f"fresh-{n}")
                try:
                    expected = outcome(fresh, folder)
                    generation, before = store.generation(), graph(store, "demo")
                    assert reloaded(store, folder) == expected, month
                    if expected is None:
                        assert graph(store, "demo") == graph(fresh, "demo"), month
                        assert trace(store, "demo", AS_OF) == trace(fresh, "demo", AS_OF), month
                    else:
                        assert store.generation() == generation and graph(store, "demo") == before, month
                finally:
                    fresh.close()
        finally:
            store.close()


@pytest.mark.usefixtures("neo4j_uri")
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                HealthCheck.function_scoped_fixture])
@given(steps=months, bound=st.sampled_from([current().neo4j_batch_rows, 20, 2]))
@example(steps=[[("control renamed", 5, 0), ("evidence retitled", 5, 0)]], bound=20)  # controls: 300 rows
@example(steps=[[("evidence retitled", 5, 0), ("evidence removed", 900, 0)]], bound=2)  # stopped in the write
@example(steps=[[("evidence collected", 100, 0)]], bound=current().neo4j_batch_rows)
@example(steps=[[("control added", 7, 0), ("evidence names another control", 700, 7)], [("control removed", 7, 0)]],
         bound=current().neo4j_batch_rows)
@example(steps=[[("arrangement renamed", 3, 0), ("evidence added", 1500, 0), ("evidence removed", 2000, 0)]],
         bound=current().neo4j_batch_rows)
def test_a_reload_on_neo4j_gives_what_a_fresh_load_of_the_folder_gives(
        first: tuple[Path, Path], open_store_of: Callable[..., Store], steps: list[list[Edit]], bound: int) -> None:
    """The same property on Neo4j: a reload that writes little is written in place (graph/neo4j_patch.py), one past
    the bound (Store.patch_rows; 20 or 2 rows: many reloads) as a new generation; either leaves what a fresh load gives
    (a LadybugDB store's, compared node by node and link by link, and the trace)."""
    folder = first[0]
    counter = itertools.count()
    store = open_store_of("neo4j", seeded=True)
    assert isinstance(store, Neo4jStore)
    load_registers(store, folder, "demo", obligations_under(store))
    with (tempfile.TemporaryDirectory() as scratch,
          mock.patch.object(Neo4jStore, "patch_rows", lambda self: bound)):
        root = Path(scratch)
        for n, month in enumerate(steps):
            def edit(registers: Registers, month: list[Edit] = month) -> None:
                for what, row, other in month:
                    EDITS[what](registers, row, other, lambda prefix: f"{prefix}-{next(counter)}")

            folder = edited(folder, root / f"month-{n}", edit)
            fresh = seeded_ladybug(root / f"fresh-{n}")
            try:
                expected = outcome(fresh, folder)
                generation, published, before = store.generation(), store.published("demo"), graph(store, "demo")
                assert outcome(store, folder) == expected, month
                if expected is None:
                    event("in place" if store.published("demo") == published else "a new generation")
                    assert graph(store, "demo") == graph(fresh, "demo"), month
                    assert trace(store, "demo", AS_OF) == trace(fresh, "demo", AS_OF), month
                else:
                    event("refused")
                    assert store.generation() == generation and graph(store, "demo") == before, month
            finally:
                fresh.close()
