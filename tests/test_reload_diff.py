"""A reload writes only what differs from the stored tenant (graph/ladybug_diff.py) and leaves exactly the graph a
fresh load of the same folder gives: the example insurer loaded, then a copy of it with an evidence row changed,
one removed, one added and a control's scope changed; compared node by node and link by link (and the trace)
with that copy loaded into an empty store."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.compute as pc
import pytest
from crash_fixtures import synthetic
from regtrace.graph import ladybug_diff, ladybug_source
from regtrace.graph.ladybug_connection import LadybugConnection
from regtrace.graph.ladybug_store import LadybugStore
from regtrace.graph.port import Writer
from regtrace.graph.schema import RelSchema, node_uid, store_schema
from regtrace.loaders import register_chunked, register_digests
from regtrace.loaders.register_digests import plan_reload
from regtrace.loaders.register_reader import read_folder
from regtrace.loaders.registers import convert_registers, load_registers, register_names
from regtrace.trace import evidence_groups, trace
from reload_fixtures import Registers, edited, graph, loaded
from store_fixtures import seeded_ladybug

from regtrace.errors import InputError, RegisterError, StoreChangedError
from regtrace.regulation_graph import obligations_under
from regtrace.seed import examples_folder

AS_OF = dt.date(2026, 11, 29)


def rows(path: Path) -> list[dict[str, str]]:
    """A register file's rows (the example insurer has UTF-8 files with a BOM and Big5 ones)."""
    for encoding in ("utf-8-sig", "cp950"):
        try:
            with path.open(encoding=encoding, newline="") as handle:
                return list(csv.DictReader(handle))
        except UnicodeDecodeError:
            continue
    raise AssertionError(f"{path}: neither UTF-8 nor Big5")


def write(path: Path, found: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, list(found[0]))
        writer.writeheader()
        writer.writerows(found)


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("reload")
    first = base / "first"
    shutil.copytree(examples_folder(), first)
    changed = base / "changed"
    shutil.copytree(first, changed)
    evidence = rows(changed / "evidence.csv")
    evidence[0]["collected_on"] = "2026-11-20"  # changed: the newest of its group now
    removed = evidence.pop(1)
    evidence.append({**removed, "evidence_id": "EV-NEW-1", "collected_on": "2026-11-28", "valid_until": ""})
    write(changed / "evidence.csv", evidence)
    controls = rows(changed / "controls.csv")
    controls[0]["applies_to"] = controls[1]["applies_to"]  # links removed and added
    write(changed / "controls.csv", controls)
    return first, changed


@pytest.fixture
def diffs(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, int]]:
    """What each diff wrote (nodes and links deleted and created)."""
    seen: list[dict[str, int]] = []
    original = ladybug_diff.replace_tenant

    def spy(*args: Any) -> dict[str, int]:
        seen.append(original(*args))
        return seen[-1]

    monkeypatch.setattr(ladybug_diff, "replace_tenant", spy)
    return seen


@pytest.mark.parametrize("large", [False, True], ids=["small labels", "every label large"])
def test_a_reload_leaves_the_graph_a_fresh_load_gives(folders: tuple[Path, Path], tmp_path: Path,
                                                      diffs: list[dict[str, int]], large: bool,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Every label large: changed nodes are updated in place one by one, and memory is returned after each."""
    if large:
        monkeypatch.setattr(ladybug_diff, "LARGE_ROWS", 1)
    first, changed = folders
    reloaded = loaded(first, tmp_path / "reloaded", changed)
    fresh = loaded(changed, tmp_path / "fresh")
    try:
        assert graph(reloaded, "demo") == graph(fresh, "demo")
        assert trace(reloaded, "demo", AS_OF) == trace(fresh, "demo", AS_OF)
        # only what differs: the changed evidence item and the new one created (the removed one deleted), the
        # changed control, and the evidence summary rows of the groups they touch
        wrote = diffs[1]
        assert wrote["nodes_deleted"] < 10 and wrote["nodes_created"] < 10 and wrote["links_created"] < 20, wrote
        assert wrote["nodes_updated"] == 1, wrote  # the control whose scope changed, in place (evidence by chunks)
        assert {r["evidence_id"] for r in reloaded.nodes("Evidence", "demo")} >= {"EV-NEW-1"}
        assert reloaded.nodes(evidence_groups.LABEL, "demo") == fresh.nodes(evidence_groups.LABEL, "demo")
    finally:
        reloaded.close()
        fresh.close()


def test_reloading_the_same_folder_writes_nothing(folders: tuple[Path, Path], tmp_path: Path,
                                                  diffs: list[dict[str, int]]) -> None:
    first, _ = folders
    store = loaded(first, tmp_path / "store")
    try:
        before, generation = graph(store, "demo"), store.generation()
        counts = load_registers(store, first, "demo", obligations_under(store))
        # the files, the regulation and the change log are as the load record has them: no write at all
        assert len(diffs) == 1 and store.generation() == generation
        assert graph(store, "demo") == before
        assert counts == {label: len(found) for label, found in before.items() if label in counts} | counts
        assert counts["evidence"] == len(before["Evidence"]) and counts["controls"] == len(before["Control"])
    finally:
        store.close()


def test_a_reload_writes_only_the_changed_registers_and_those_referencing_them(
        folders: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """evidence.csv and controls.csv changed: evidence, controls and the load record are compared and written,
    evidence by its changed chunks (the evidence summary's groups they touch redone by the store); csps,
    contracts and the other registers are left as stored (still equal to a fresh load: the first test)."""
    first, changed = folders
    store = loaded(first, tmp_path / "store")
    replaced: list[frozenset[str] | None] = []
    original = ladybug_diff.replace_tenant

    patched: list[Any] = []

    def spy(*args: Any) -> dict[str, int]:
        replaced.append(args[7] if len(args) > 7 else None)
        patched.append(args[9] if len(args) > 9 else None)
        return original(*args)

    monkeypatch.setattr(ladybug_diff, "replace_tenant", spy)
    try:
        load_registers(store, changed, "demo", obligations_under(store))
        assert replaced == [frozenset({"Evidence", "Control", "RegisterLoad"})]
        assert patched[0] is not None and set(patched[0]) == {"Evidence"}
    finally:
        store.close()


def test_a_changed_file_is_judged_against_the_unchanged_files_referencing_it(folders: tuple[Path, Path],
                                                                           tmp_path: Path) -> None:
    """A control removed from controls.csv that unchanged evidence rows name: the reload is refused, naming
    evidence.csv, the row and the column, and nothing is written."""
    first, _ = folders
    dropped = tmp_path / "dropped"
    shutil.copytree(first, dropped)
    evidence = rows(first / "evidence.csv")
    controls = rows(first / "controls.csv")
    gone = evidence[0]["control_id"]
    write(dropped / "controls.csv", [c for c in controls if c["control_id"] != gone])
    store = loaded(first, tmp_path / "store")
    try:
        generation = store.generation()
        with pytest.raises(RegisterError) as refused:
            load_registers(store, dropped, "demo", obligations_under(store))
        assert any(p.source == "evidence.csv" and p.row == 2 and p.column == "control_id"
                   and repr(gone) in p.message for p in refused.value.problems), refused.value.problems
        assert store.generation() == generation
    finally:
        store.close()


def test_a_reload_after_an_api_change_rewrites_the_tenant(folders: tuple[Path, Path], tmp_path: Path) -> None:
    """A change the API made since the load (an evidence row attached, logged in the change log) is not in the
    folder: reloading the same folder gives the folder's registers again, as a fresh load does."""
    first, _ = folders
    store = loaded(first, tmp_path / "store")
    try:
        before = graph(store, "demo")
        attached = {**store.nodes("Evidence", "demo")[0], "uid": "demo/EV-API-1", "evidence_id": "EV-API-1"}
        entry = dict.fromkeys(store_schema().nodes["ChangeLogEntry"].names) | {
            "uid": "change-1", "change_id": "change-1", "at": "2026-11-29T00:00:00Z", "tenant": "demo",
            "actor_token": "t1", "actor_name": "officer", "mutation": "attachEvidence", "target_id": "EV-API-1"}

        def unit(writer: Writer) -> None:  # what an API mutation writes: the row and its change-log entry
            writer.upsert_nodes("Evidence", [attached])
            writer.create_nodes("ChangeLogEntry", [entry])

        store.write(unit)
        load_registers(store, first, "demo", obligations_under(store))
        after = graph(store, "demo")
        assert after.pop("RegisterLoad")[0]["change_entries"] == 1  # the entry the next reload compares with
        assert after == {label: found for label, found in before.items() if label != "RegisterLoad"}
    finally:
        store.close()


def test_a_partial_reload_refuses_when_the_tenant_changed_while_it_was_validated(
        folders: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An API change lands between this load's plan and its write: the registers a partial write keeps would
    not be the ones validated against, so nothing is written and the error says to load again."""
    from regtrace.loaders import registers

    first, changed = folders
    store = loaded(first, tmp_path / "store")
    original = registers.validate_folder

    def validate_then_an_api_change(*args: Any) -> Any:
        found = original(*args)
        attached = {**store.nodes("Evidence", "demo")[0], "uid": "demo/EV-API-1", "evidence_id": "EV-API-1"}
        entry = dict.fromkeys(store_schema().nodes["ChangeLogEntry"].names) | {
            "uid": "change-1", "change_id": "change-1", "at": "2026-11-29T00:00:00Z", "tenant": "demo",
            "actor_token": "t1", "actor_name": "officer", "mutation": "attachEvidence", "target_id": "EV-API-1"}

        def unit(writer: Writer) -> None:
            writer.upsert_nodes("Evidence", [attached])
            writer.create_nodes("ChangeLogEntry", [entry])

        store.write(unit)
        return found

    monkeypatch.setattr(registers, "validate_folder", validate_then_an_api_change)
    try:
        record = store.nodes("RegisterLoad", "demo")
        with pytest.raises(StoreChangedError, match="load the folder again"):
            load_registers(store, changed, "demo", obligations_under(store))
        ids = {r["evidence_id"] for r in store.nodes("Evidence", "demo")}
        assert "EV-API-1" in ids and "EV-NEW-1" not in ids  # the API's change kept, nothing of the load
        assert store.nodes("RegisterLoad", "demo") == record
    finally:
        store.close()


# -- a reload by chunks (loaders/register_chunks.py, register_chunked.py): a synthetic insurer of 3,000 evidence
# items (about a dozen chunks), reloaded with a few evidence rows changed

@pytest.fixture(scope="module")
def synthetic_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synthetic(tmp_path_factory.mktemp("chunks") / "a", 3000, seed=7)


@pytest.fixture(scope="module")
def synthetic_store(synthetic_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LadybugStore]:
    """A store with the synthetic insurer loaded, for the tests that must leave it as it is."""
    store = loaded(synthetic_folder, tmp_path_factory.mktemp("chunks-store") / "store")
    yield store
    store.close()


def evidence_file(folder: Path) -> tuple[list[str], list[list[str]]]:
    with (folder / "evidence.csv").open(encoding="utf-8", newline="") as handle:
        header, *body = csv.reader(handle)
    return header, body


def with_evidence(folder: Path, target: Path, body: list[list[str]]) -> Path:
    shutil.copytree(folder, target)
    with (target / "evidence.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([evidence_file(folder)[0], *body])
    return target


@pytest.fixture
def patched(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The `patched` argument of each diff (None: the labels given were compared whole)."""
    seen: list[Any] = []
    original = ladybug_diff.replace_tenant

    def spy(*args: Any) -> dict[str, int]:
        seen.append(args[9] if len(args) > 9 else None)
        return original(*args)

    monkeypatch.setattr(ladybug_diff, "replace_tenant", spy)
    return seen


@pytest.mark.parametrize("lookups", ["one by one", "in batches of 7", "from the source generation"])
def test_a_reload_by_chunks_leaves_what_a_fresh_load_gives(synthetic_folder: Path, tmp_path: Path,
                                                           patched: list[Any], lookups: str,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Folder B is folder A with one evidence row changed (collected later: the newest of its group), two
    naming another control or arrangement and one naming no arrangement now (their nodes unchanged, their links
    and groups not: the last one's link is removed, none made in its place), one added, one
    removed and one moved to another place in the file. Reloading B over A writes only Evidence's changed rows
    (the others never compared) and leaves every row, link, evidence summary group and the trace a fresh load
    of B gives; reloading A again gives A's store back (the digests a reload by chunks keeps are those of the
    file). The stored rows and links of the changed chunks' rows are looked up one by one, or in batches (the
    path of many rows: ladybug_diff.LOOKUP_BATCH); or their links are read from the generation the reload started
    from (past ladybug_diff.SOURCE_LINK_SHARE of the file's rows; a few source nodes at a time, those of the rows
    compared kept), less those of the nodes deleted since."""
    monkeypatch.setattr(ladybug_diff, "SOURCE_LINK_SHARE", 0 if lookups == "from the source generation" else 2)
    monkeypatch.setattr(ladybug_source, "LINK_SLICE", 7)  # read from there a few source nodes at a time
    if lookups == "in batches of 7":
        monkeypatch.setattr(ladybug_diff, "LINK_POINT_ROWS", 0)
        monkeypatch.setattr(ladybug_diff, "LOOKUP_BATCH", 7)
    read_from_source: list[str] = []
    original_links = ladybug_source.SourceReads.links

    def spy(self: ladybug_source.SourceReads, rel: RelSchema, tenant: str, sources: Any = None) -> Any:
        read_from_source.append(rel.type)
        return original_links(self, rel, tenant, sources)

    monkeypatch.setattr(ladybug_source.SourceReads, "links", spy)
    header, body = evidence_file(synthetic_folder)
    control, arrangement = header.index("control_id"), header.index("arrangement_id")
    changed = [list(r) for r in body]
    changed[100][3] = "2026-11-28"
    changed[700][control] = next(r[control] for r in body if r[control] != body[700][control])
    changed[1200][arrangement] = next(r[arrangement] for r in body
                                      if r[arrangement] and r[arrangement] != body[1200][arrangement])
    changed[next(i for i in range(1300, len(body)) if body[i][arrangement])][arrangement] = ""
    changed.insert(1500, [f"EV-NEW-{changed[10][0]}", *changed[10][1:]])
    del changed[2000]
    changed.insert(2600, changed.pop(40))
    second = with_evidence(synthetic_folder, tmp_path / "b", changed)
    store = loaded(synthetic_folder, tmp_path / "store")
    fresh = loaded(second, tmp_path / "fresh")
    try:
        before = graph(store, "demo")
        load_registers(store, second, "demo", obligations_under(store))
        kept = patched[-1]
        assert kept is not None and set(kept) == {"Evidence"} and len(kept["Evidence"]) == len(changed)
        evidence_types = sorted(r.type for r in store_schema().relationships if r.source == "Evidence")
        assert sorted(read_from_source) == (evidence_types if lookups == "from the source generation" else [])
        assert graph(store, "demo") == graph(fresh, "demo")  # the load record's digests and counts included
        assert trace(store, "demo", AS_OF) == trace(fresh, "demo", AS_OF)
        load_registers(store, synthetic_folder, "demo", obligations_under(store))
        assert patched[-1] is not None
        assert graph(store, "demo") == before
    finally:
        store.close()
        fresh.close()


def test_a_reload_by_chunks_reads_the_links_made_again_into_a_control_created_again(
        synthetic_folder: Path, tmp_path: Path, patched: list[Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """One control renamed and one evidence row collected later: the control is deleted and created again
    (IN_PLACE_ROWS 0), so the links of the evidence into it go with it and are made again as they were; the
    evidence row's chunk holds other rows, unchanged, whose stored links are then read from the generation the
    reload started from (SOURCE_LINK_SHARE 0). Those into the control created again are the ones made again, not
    the source's: taken as absent, they would be made a second time. The store is then what a fresh load gives."""
    monkeypatch.setattr(ladybug_diff, "IN_PLACE_ROWS", 0)
    monkeypatch.setattr(ladybug_diff, "SOURCE_LINK_SHARE", 0)
    made_again: list[int] = []
    original = ladybug_diff._links_now

    def spy(source: Any, tenant: str, rel: RelSchema, gone: Any, restored: Any, rows: Any) -> Any:
        if rel.type == "EVIDENCES":  # the made-again links from the rows compared
            made_again.append(sum(t.filter(pc.is_in(t.column("source"), value_set=rows)).num_rows for t in restored))
        return original(source, tenant, rel, gone, restored, rows)

    monkeypatch.setattr(ladybug_diff, "_links_now", spy)
    header, body = evidence_file(synthetic_folder)
    control = header.index("control_id")
    renamed = {body[n][control] for n in (99, 101)}  # the rows beside the one changed: one is in its chunk
    body[100][header.index("collected_on")] = "2026-11-28"

    def edit(registers: Registers) -> None:
        head, rows = registers["controls"]
        for row in rows:
            if row[head.index("control_id")] in renamed:
                row[head.index("name")] += "（更名）"
        registers["evidence"] = (header, body)

    second = edited(synthetic_folder, tmp_path / "b", edit)
    store = loaded(synthetic_folder, tmp_path / "store")
    fresh = loaded(second, tmp_path / "fresh")
    try:
        load_registers(store, second, "demo", obligations_under(store))
        assert patched[-1] is not None and set(patched[-1]) == {"Evidence"}
        assert made_again and made_again[0] > 0
        assert graph(store, "demo") == graph(fresh, "demo")
        assert trace(store, "demo", AS_OF) == trace(fresh, "demo", AS_OF)
    finally:
        store.close()
        fresh.close()


def test_a_file_changed_past_the_chunked_share_is_reloaded_whole(synthetic_folder: Path, tmp_path: Path,
                                                                  patched: list[Any],
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A reload by chunks looks up every row of its changed chunks; past CHUNKED_SHARE of the file's bytes (and
    CHUNKED_BYTES, here none) the file is read whole. Every evidence row retitled changes every chunk, so it is
    reloaded whole; one row changed after that goes by chunks. Both leave what a fresh load gives."""
    monkeypatch.setattr(register_chunked, "CHUNKED_BYTES", 0)
    header, body = evidence_file(synthetic_folder)
    title = header.index("title")
    every_row = [[*r[:title], r[title] + "（更正）", *r[title + 1:]] for r in body]
    retitled = with_evidence(synthetic_folder, tmp_path / "retitled", every_row)
    header, body = evidence_file(retitled)
    body[100][header.index("collected_on")] = "2026-11-28"
    one_row = with_evidence(retitled, tmp_path / "one-row", body)
    store = loaded(synthetic_folder, tmp_path / "store")
    try:
        for folder, by_chunks in ((retitled, False), (one_row, True)):
            load_registers(store, folder, "demo", obligations_under(store))
            assert (patched[-1] is not None) == by_chunks, folder.name
            fresh = loaded(folder, tmp_path / f"fresh-{folder.name}")
            try:
                assert graph(store, "demo") == graph(fresh, "demo"), folder.name
            finally:
                fresh.close()
    finally:
        store.close()


@pytest.mark.parametrize("saved", ["LF", "a byte-order mark and LF"])
def test_a_file_saved_with_other_line_endings_is_reloaded_by_chunks_and_nothing_is_written(
        synthetic_folder: Path, tmp_path: Path, patched: list[Any], monkeypatch: pytest.MonkeyPatch,
        saved: str) -> None:
    """The evidence file saved again with LF line endings where it had CRLF (another tool's export), or with a
    byte-order mark as well (a spreadsheet's "CSV UTF-8"): its bytes differ in every chunk, its rows in none. The
    reload goes by chunks (CHUNKED_BYTES here none, so a file read whole would show) and writes no node or link but
    the load record, updated in place; the store is what a fresh load of that folder gives (the record's digests
    included), and loading the folder once more writes nothing."""
    monkeypatch.setattr(register_chunked, "CHUNKED_BYTES", 0)
    written: list[dict[str, int]] = []
    spied = ladybug_diff.replace_tenant

    def counted(*args: Any) -> dict[str, int]:
        written.append(done := spied(*args))
        return done

    monkeypatch.setattr(ladybug_diff, "replace_tenant", counted)
    data = (synthetic_folder / "evidence.csv").read_bytes()
    assert data.count(b"\r\n") > 3000
    retyped = tmp_path / "lf"
    shutil.copytree(synthetic_folder, retyped)
    bom = b"\xef\xbb\xbf" if "byte-order mark" in saved else b""
    (retyped / "evidence.csv").write_bytes(bom + data.replace(b"\r\n", b"\n"))
    store = loaded(synthetic_folder, tmp_path / "store")
    fresh = loaded(retyped, tmp_path / "fresh")
    try:
        for updated in (1, 0):  # the load record (the file's digest, its chunks' places), then nothing
            written.clear()
            patched.clear()
            load_registers(store, retyped, "demo", obligations_under(store))
            assert all(p is not None for p in patched)  # never compared whole
            assert sum(sum(done.values()) for done in written) == sum(d["nodes_updated"] for d in written) == updated
            assert graph(store, "demo") == graph(fresh, "demo")
    finally:
        store.close()
        fresh.close()


@pytest.mark.parametrize(("column", "value", "message"), [
    ("collected_on", "2026-13-40", "date"),
    ("evidence_id", "FIRST", "duplicate evidence_id"),  # the id of an unchanged row
    ("control_id", "CTL-NONE", "unknown 'CTL-NONE'"),
])
def test_a_changed_row_with_a_problem_is_named_and_nothing_is_written(
        synthetic_folder: Path, synthetic_store: LadybugStore, tmp_path: Path, column: str, value: str,
        message: str) -> None:
    """The changed row is judged as a full load judges it: the error names evidence.csv, the row in the file
    and the column, and the store is left as it was."""
    header, body = evidence_file(synthetic_folder)
    changed = [list(r) for r in body]
    changed[1000][header.index(column)] = body[5][0] if value == "FIRST" else value
    problems = refused(synthetic_store, with_evidence(synthetic_folder, tmp_path / "b", changed))
    assert [(p.source, p.row, p.column) for p in problems] == [("evidence.csv", 1002, column)], problems
    assert message in problems[0].message
    if value == "FIRST":
        assert "first on row 7" in problems[0].message


def refused(store: LadybugStore, folder: Path) -> list[Any]:
    """The problems a load of `folder` is refused with; the store is left as it was."""
    generation, before = store.generation(), graph(store, "demo")
    with pytest.raises(RegisterError) as raised:
        load_registers(store, folder, "demo", obligations_under(store))
    assert store.generation() == generation and graph(store, "demo") == before
    return raised.value.problems


def test_changing_the_chunking_code_makes_the_next_load_a_full_one(
        synthetic_folder: Path, synthetic_store: LadybugStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        ) -> None:
    """The chunking code is among the rules' sources: a reload after it changed validates and writes every
    register (the stored chunk digests may have been cut otherwise)."""
    _, body = evidence_file(synthetic_folder)
    changed = [list(r) for r in body]
    changed[100][3] = "2026-11-28"
    second = with_evidence(synthetic_folder, tmp_path / "b", changed)
    store = synthetic_store
    under = obligations_under(store)
    with read_folder(second, register_names()) as found:
        assert plan_reload(store, "demo", found, under).chunked == "evidence"
    real = register_digests.files

    class Edited:
        """The package's files, register_chunks.py as if edited."""

        def __init__(self, package: str) -> None:
            self.base = real(package)

        def joinpath(self, name: str) -> Any:
            path = self.base.joinpath(name)
            if name != "register_chunks.py":
                return path
            return type("Text", (), {"read_bytes": lambda _: path.read_bytes() + b"\nROW_BITS = 9\n"})()

    monkeypatch.setattr(register_digests, "files", Edited)
    with read_folder(second, register_names()) as found:
        plan = plan_reload(store, "demo", found, under)
    assert plan.chunked is None and not plan.partial and plan.validate == frozenset(register_names())


def test_a_reload_by_chunks_counts_removals_exactly_before_refusing(synthetic_folder: Path, tmp_path: Path,
                                                                     patched: list[Any]) -> None:
    """The evidence rows in reverse order: every chunk changed, so the bound (every stored row not in an unchanged
    chunk) would be more than half of the tenant's rows, but none is removed: the reload goes through and the
    rows are as they were. Then a file keeping a third of the rows: refused (README "Reloads and removals"),
    nothing written."""
    _, body = evidence_file(synthetic_folder)
    reversed_rows = with_evidence(synthetic_folder, tmp_path / "reversed", body[::-1])
    third = with_evidence(synthetic_folder, tmp_path / "third", body[:1000])
    store = loaded(synthetic_folder, tmp_path / "store")
    try:
        before = graph(store, "demo")
        load_registers(store, reversed_rows, "demo", obligations_under(store))
        assert patched[-1] is not None
        after = graph(store, "demo")
        assert {k: v for k, v in after.items() if k != "RegisterLoad"} == {
            k: v for k, v in before.items() if k != "RegisterLoad"}
        generation = store.generation()
        with pytest.raises(InputError, match="evidence 2,000 of 3,000"):
            load_registers(store, third, "demo", obligations_under(store))
        assert store.generation() == generation and graph(store, "demo") == after
    finally:
        store.close()


def _recoded(folder: Path, target: Path, encoding: str, edit: Any = None) -> Path:
    """A copy of `folder` whose evidence titles are Chinese, every 9th one a quoted cell over two lines holding
    a comma and a quote, the file written in `encoding` (UTF-8 or Big5); `edit(body)` changes its rows first."""
    header, body = evidence_file(folder)
    title = header.index("title")
    rows = [list(r) for r in body]
    for i, row in enumerate(rows):
        row[title] = f'第一行 {i}\n第二行, "引" {i}' if i % 9 == 0 else f"佐證 {i}"
    if edit is not None:
        edit(rows)
    shutil.copytree(folder, target)
    with (target / "evidence.csv").open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows([header, *rows])
    return target


@pytest.mark.parametrize("encoding", ["utf-8", "cp950"])
def test_a_reload_by_chunks_of_a_big5_file_with_quoted_line_breaks(synthetic_folder: Path, tmp_path: Path,
                                                                  patched: list[Any], encoding: str) -> None:
    """Evidence titles in Chinese, some of them quoted cells spanning two lines, the file in UTF-8 or Big5: a
    reload with two rows changed (the first, in the header's chunk, and another) and one inserted writes
    Evidence's changed chunks only (a problem in them would send it down the full path, which `patched` tells)
    and leaves what a fresh load gives; then a bad date in a changed row is named by file, row (the 1,201st
    evidence row: row 1,202, whatever lines its cells span before it) and column, and nothing is written."""
    header, _ = evidence_file(synthetic_folder)
    collected = header.index("collected_on")

    def one_row(rows: list[list[str]]) -> None:
        rows[0][collected] = "2026-11-27"  # in the first chunk, after the header
        rows[600][collected] = "2026-11-28"
        rows.insert(900, [f"EV-NEW-{rows[5][0]}", *rows[5][1:]])

    def bad_date(rows: list[list[str]]) -> None:
        one_row(rows)
        rows[1200][collected] = "2026-02-30"

    first = _recoded(synthetic_folder, tmp_path / "a", encoding)
    second = _recoded(synthetic_folder, tmp_path / "b", encoding, one_row)
    third = _recoded(synthetic_folder, tmp_path / "c", encoding, bad_date)
    with read_folder(second, register_names()) as found:
        assert found.tables["evidence"].encoding == encoding and found.tables["evidence"].spans is not None
    store = loaded(first, tmp_path / "store")
    fresh = loaded(second, tmp_path / "fresh")
    try:
        load_registers(store, second, "demo", obligations_under(store))
        assert patched[-1] is not None and set(patched[-1]) == {"Evidence"}
        after = graph(store, "demo")
        assert after == graph(fresh, "demo")
        assert trace(store, "demo", AS_OF) == trace(fresh, "demo", AS_OF)
        generation = store.generation()
        with pytest.raises(RegisterError) as refused:
            load_registers(store, third, "demo", obligations_under(store))
        problems = refused.value.problems
        assert [(p.source, p.row, p.column) for p in problems] == [("evidence.csv", 1202, "collected_on")]
        assert store.generation() == generation and graph(store, "demo") == after
    finally:
        store.close()
        fresh.close()


def _cell(registers: Registers, name: str, row: int, column: str, value: str | None = None) -> str:
    """A register's cell (row counted from 0 after the header), set to `value` when given; its value before."""
    header, body = registers[name]
    found = body[row][header.index(column)]
    if value is not None:
        body[row][header.index(column)] = value
    return found


@pytest.mark.parametrize("in_place", [True, False], ids=["updated in place", "created again"])
def test_a_reload_by_chunks_with_the_registers_it_references_changed(synthetic_folder: Path, tmp_path: Path,
                                                                    patched: list[Any],
                                                                    monkeypatch: pytest.MonkeyPatch,
                                                                    in_place: bool) -> None:
    """A new month's exports: controls.csv (a control renamed, one added), arrangements.csv (one renamed) and
    evidence.csv (a row collected later, one naming the new control, one added) all changed. Evidence is written
    by its changed chunks only; the renamed control and arrangement are updated in place, their links kept, or
    (more changed nodes than are updated one by one) created again, and then the links of the unchanged evidence
    items into them, which are never compared, are made again. Either way the store is what a fresh load of the
    folder gives, node by node, link by link, and its trace.

    Loading the first folder again removes the new control while a stored evidence item still names it: the
    reload judges evidence whole (the full path, which would name the row) and gives the first folder's store
    back. A control removed that no stored evidence names keeps the reload by chunks (more ids gone than are
    looked up, and evidence is judged whole). A control renamed alone
    (evidence.csv unchanged) goes by chunks too, none of them changed: the renamed control's links are made
    again as they were."""
    header, body = evidence_file(synthetic_folder)
    renamed_control = body[5][header.index("control_id")]
    renamed_arrangement = body[6][header.index("arrangement_id")]
    assert renamed_arrangement

    def month(registers: Registers) -> None:
        controls = registers["controls"][1]
        at = next(i for i, r in enumerate(controls) if r[0] == renamed_control)
        _cell(registers, "controls", at, "name", "控制措施 更名")
        controls.append(["CTL-NEW", "新控制措施", "資訊安全部", "12", controls[at][4], "*"])
        arrangements = registers["arrangements"][1]
        at = next(i for i, r in enumerate(arrangements) if r[0] == renamed_arrangement)
        _cell(registers, "arrangements", at, "name", "委外事項 更名")
        _cell(registers, "evidence", 100, "collected_on", "2026-11-28")
        _cell(registers, "evidence", 700, "control_id", "CTL-NEW")
        evidence = registers["evidence"][1]
        evidence.insert(1500, ["EV-NEW-1", *evidence[10][1:]])

    def named_again(registers: Registers) -> None:
        month(registers)
        _cell(registers, "evidence", 700, "control_id", body[700][header.index("control_id")])

    if not in_place:
        monkeypatch.setattr(ladybug_diff, "IN_PLACE_ROWS", 0)
    second = edited(synthetic_folder, tmp_path / "b", month)
    third = edited(synthetic_folder, tmp_path / "c", named_again)  # the new control named by no evidence
    renamed = edited(synthetic_folder, tmp_path / "d", lambda registers: _cell(  # evidence.csv unchanged
        registers, "controls", int(renamed_control[3:]), "name", "控制措施 更名"))
    store = loaded(synthetic_folder, tmp_path / "store")
    fresh = loaded(second, tmp_path / "fresh")
    try:
        before = graph(store, "demo")
        with read_folder(second, register_names()) as found:
            plan = plan_reload(store, "demo", found, obligations_under(store))
        assert plan.chunked == "evidence" and {"controls", "arrangements", "evidence"} <= plan.write
        load_registers(store, second, "demo", obligations_under(store))
        assert patched[-1] is not None and set(patched[-1]) == {"Evidence"}
        assert graph(store, "demo") == graph(fresh, "demo")
        assert trace(store, "demo", AS_OF) == trace(fresh, "demo", AS_OF)
        load_registers(store, synthetic_folder, "demo", obligations_under(store))
        assert patched[-1] is None  # CTL-NEW gone while a stored evidence item names it: judged whole
        assert graph(store, "demo") == before
        load_registers(store, third, "demo", obligations_under(store))
        load_registers(store, synthetic_folder, "demo", obligations_under(store))
        assert patched[-1] is not None  # CTL-NEW gone, named by no stored evidence item
        assert graph(store, "demo") == before
        load_registers(store, third, "demo", obligations_under(store))
        looked_up = register_chunked.GONE_LOOKED_UP
        monkeypatch.setattr(register_chunked, "GONE_LOOKED_UP", 0)  # more ids gone than are looked up
        load_registers(store, synthetic_folder, "demo", obligations_under(store))
        assert patched[-1] is None and graph(store, "demo") == before
        monkeypatch.setattr(register_chunked, "GONE_LOOKED_UP", looked_up)
        fresh.close()
        fresh = loaded(renamed, tmp_path / "fresh-renamed")
        load_registers(store, renamed, "demo", obligations_under(store))
        assert patched[-1] is not None and set(patched[-1]) == {"Evidence"}  # evidence by chunks, none changed
        assert graph(store, "demo") == graph(fresh, "demo")
    finally:
        store.close()
        fresh.close()


def test_a_control_removed_that_unchanged_evidence_names_is_named_row_by_row(
        synthetic_folder: Path, synthetic_store: LadybugStore, tmp_path: Path) -> None:
    """controls.csv loses a control that rows of unchanged evidence chunks name, and one evidence row changes:
    the reload judges evidence whole and names every row naming the control, by file, row and column; nothing
    is written."""
    header, body = evidence_file(synthetic_folder)
    gone = body[0][header.index("control_id")]
    naming = [i + 2 for i, r in enumerate(body) if r[header.index("control_id")] == gone]

    def drop(registers: Registers) -> None:
        registers["controls"][1][:] = [r for r in registers["controls"][1] if r[0] != gone]
        _cell(registers, "evidence", 2500, "collected_on", "2026-11-28")

    problems = refused(synthetic_store, edited(synthetic_folder, tmp_path / "b", drop))
    assert [(p.source, p.row, p.column) for p in problems] == [("evidence.csv", n, "control_id") for n in naming]
    assert all(repr(gone) in p.message for p in problems)


def test_a_register_whose_checks_read_another_registers_rows_is_not_reloaded_by_chunks(
        synthetic_folder: Path, synthetic_store: LadybugStore, tmp_path: Path) -> None:
    """A system's data locations are judged by its arrangement's offshore flag: with another file changed as
    well, systems.csv is validated whole (the plan names no register to reload by chunks); evidence, whose rows
    are judged by the ids they name alone, is, its file changed or not. Only certificates and systems read
    another register's rows."""
    from regtrace.loaders.register_validation import reads_other_registers, register_order
    from regtrace.ontology.model import load_ontology

    assert {m.register for m in register_order(load_ontology()) if reads_other_registers(m)} == {
        "certifications", "systems"}

    def systems_and_csps(registers: Registers) -> None:
        _cell(registers, "csps", 0, "name", "雲端服務業者 更名")
        _cell(registers, "systems", 0, "name", "系統 更名")

    def systems_alone(registers: Registers) -> None:
        _cell(registers, "systems", 0, "name", "系統 更名")

    def systems_and_arrangements(registers: Registers) -> None:
        _cell(registers, "arrangements", 0, "name", "委外事項 更名")
        _cell(registers, "systems", 0, "name", "系統 更名")

    def arrangements_alone(registers: Registers) -> None:
        _cell(registers, "arrangements", 0, "name", "委外事項 更名")

    def findings_alone(registers: Registers) -> None:
        _cell(registers, "findings", 0, "due_on", "2026-06-03")

    under = obligations_under(synthetic_store)
    # systems (with certifications, written as they reference the CSPs) whole; systems alone by chunks; with
    # arrangements, evidence (written: it references them, its file unchanged) by chunks and systems whole;
    # findings name provisions: read whole on every load, so that each renumbered id is warned about
    for edit, chunked in ((systems_and_csps, None), (systems_alone, "systems"),
                          (systems_and_arrangements, "evidence"), (arrangements_alone, "evidence"),
                          (findings_alone, None)):
        folder = edited(synthetic_folder, tmp_path / edit.__name__, edit)
        with read_folder(folder, register_names()) as found:
            assert plan_reload(synthetic_store, "demo", found, under).chunked == chunked, edit.__name__


def test_a_reload_by_chunks_failing_mid_write_leaves_the_previous_state(
        synthetic_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, patched: list[Any]) -> None:
    """The write fails after the changed evidence node was deleted, as it creates it again: the store is left as
    it was (the published generation and every row), and the same reload then goes through."""
    from regtrace.graph import ladybug_store

    from regtrace.errors import StoreError

    header, body = evidence_file(synthetic_folder)
    changed = [list(r) for r in body]
    changed[100][header.index("collected_on")] = "2026-11-28"
    second = with_evidence(synthetic_folder, tmp_path / "b", changed)
    store = loaded(synthetic_folder, tmp_path / "store")
    try:
        generation, before = store.generation(), graph(store, "demo")
        original = ladybug_store._LadybugWriter.create_node_table
        real_delete = ladybug_store._LadybugWriter.delete_nodes
        calls: list[tuple[str, str]] = []

        def delete(self: Any, label: str, uids: Any) -> None:
            calls.append(("delete", label))
            real_delete(self, label, uids)

        def fail(self: Any, label: str, table: Any) -> None:
            if label == "Evidence":
                calls.append(("create", label))
                raise StoreError("simulated: the disk is full")
            original(self, label, table)

        monkeypatch.setattr(ladybug_store._LadybugWriter, "delete_nodes", delete)
        monkeypatch.setattr(ladybug_store._LadybugWriter, "create_node_table", fail)
        with pytest.raises(StoreError, match="simulated"):
            load_registers(store, second, "demo", obligations_under(store))
        assert calls[-2:] == [("delete", "Evidence"), ("create", "Evidence")] and patched[-1] is not None
        assert store.generation() == generation and graph(store, "demo") == before
        monkeypatch.undo()
        load_registers(store, second, "demo", obligations_under(store))
        assert graph(store, "demo")["Evidence"] != before["Evidence"]
    finally:
        store.close()


def test_a_first_load_keeps_the_digests_a_scan_of_the_folder_takes(synthetic_store: LadybugStore,
                                                                   synthetic_folder: Path) -> None:
    """A full load takes the files' digests and chunks while the store writes (not before validating); its
    record holds exactly what one scan of the folder gives: the next reload compares against those."""
    from regtrace.loaders.register_chunked import chunk_record

    record = register_digests.read_record(synthetic_store, "demo")
    assert record is not None
    with read_folder(synthetic_folder, register_names()) as found:  # digests taken as it is opened
        assert record.files == register_digests.folder_digests(found) and len(record.files) == len(found.tables)
        expected = {name: chunk_record(table) for name, table in found.tables.items()}
    assert record.chunks == {name: c for name, c in expected.items() if c is not None}
    assert record.chunks["evidence"]["chunks"]  # type: ignore[index]


def test_a_file_changed_before_the_load_takes_its_digests_fails_it_and_writes_nothing(
        synthetic_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The digests a full load records are taken after its rows were validated: a file changed in between (a
    row appended, as a spreadsheet saving over it would) is not the one validated, so the load fails, saying
    so, and the store keeps what it had; loading again then works."""
    from regtrace.loaders.register_reader import RegisterFolder

    folder = with_evidence(synthetic_folder, tmp_path / "folder", evidence_file(synthetic_folder)[1])
    store = seeded_ladybug(tmp_path / "store")
    original = RegisterFolder.take_digests

    def edited_first(found: RegisterFolder) -> None:
        with (folder / "evidence.csv").open("a", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerow(evidence_file(synthetic_folder)[1][0])
        original(found)

    try:
        generation = store.generation()
        with monkeypatch.context() as patch:
            patch.setattr(RegisterFolder, "take_digests", edited_first)
            with pytest.raises(InputError, match=r"evidence\.csv changed while it was being loaded"):
                load_registers(store, folder, "demo", obligations_under(store))
        assert store.generation() == generation and "demo" not in store.tenants()
        with pytest.raises(RegisterError, match="duplicate evidence_id"):  # the row appended is a second one
            load_registers(store, folder, "demo", obligations_under(store))
    finally:
        store.close()


@pytest.mark.parametrize(("controls", "reads"), [("in place", "in slices"), ("created again", "in slices"),
                                                  ("in place", "one slice"), ("created again", "pool full")])
def test_a_reload_read_whole_compares_with_the_generation_it_started_from(
        synthetic_folder: Path, tmp_path: Path, patched: list[Any], controls: str, reads: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A reload that compares its labels whole reads the stored digests and links from the generation its
    staging copy was made from (ladybug_source.SourceReads), on a connection of their own; a type's links are
    those less the links of the nodes deleted since. Here the evidence is read whole (any change past a share of
    none), with rows edited, moved to another control or arrangement, removed and added; one control is renamed,
    and with "created again" every changed control is deleted and created again, so that the links of evidence
    left unchanged into it go with it and must be made again. The store then holds what a fresh load gives,
    whether a type's links are read a few source nodes at a time ("in slices") or in one slice, and when no
    source read fits its pool ("pool full": each is made again on the engine's default pool)."""
    monkeypatch.setattr(register_chunked, "CHUNKED_BYTES", 0)
    monkeypatch.setattr(register_chunked, "CHUNKED_SHARE", 0.0)
    monkeypatch.setattr(ladybug_diff, "LARGE_ROWS", 1)  # every label and type read from the source generation
    if controls == "created again":
        monkeypatch.setattr(ladybug_diff, "IN_PLACE_ROWS", 0)
    if reads == "in slices":
        monkeypatch.setattr(ladybug_source, "LINK_SLICE", 7)
    if reads == "pool full":  # too small a pool to open the database in
        monkeypatch.setattr(ladybug_source, "SOURCE_POOL_MB", 1)
        monkeypatch.setattr(ladybug_source, "DIGEST_POOL_BYTES", 0)
    read_from_source: list[str] = []
    original, original_links = ladybug_source.SourceReads.query_arrow, ladybug_source.SourceReads.links

    def spy(self: ladybug_source.SourceReads, statement: str, *args: Any, **kwargs: Any) -> Any:
        read_from_source.append(statement)
        return original(self, statement, *args, **kwargs)

    def spy_links(self: ladybug_source.SourceReads, rel: RelSchema, tenant: str, sources: Any = None) -> Any:
        read_from_source.append(rel.type)
        return original_links(self, rel, tenant, sources)

    monkeypatch.setattr(ladybug_source.SourceReads, "query_arrow", spy)
    monkeypatch.setattr(ladybug_source.SourceReads, "links", spy_links)
    pools: list[int] = []  # the pools the source connections were opened with
    queries: list[str] = []
    opened, queried = LadybugConnection.__init__, LadybugConnection.query_arrow

    def spy_open(self: LadybugConnection, path: Path, **kwargs: Any) -> None:
        pools.append(kwargs.get("pool_mb", 0))
        opened(self, path, **kwargs)

    def spy_query(self: LadybugConnection, statement: str, *args: Any, **kwargs: Any) -> Any:
        queries.append(statement)
        return queried(self, statement, *args, **kwargs)

    monkeypatch.setattr(LadybugConnection, "__init__", spy_open)
    monkeypatch.setattr(LadybugConnection, "query_arrow", spy_query)
    renamed: list[str] = []

    def edit(registers: Registers) -> None:
        header, body = registers["evidence"]
        control, arrangement = header.index("control_id"), header.index("arrangement_id")
        body[100][header.index("collected_on")] = "2026-11-28"
        body[700][control] = next(r[control] for r in body if r[control] != body[700][control])
        body[1200][arrangement] = next(r[arrangement] for r in body
                                       if r[arrangement] and r[arrangement] != body[1200][arrangement])
        body.append([f"EV-NEW-{body[10][0]}", *body[10][1:]])
        del body[2000]
        header, rows = registers["controls"]
        named = rows[0][header.index("control_id")]
        rows[0][header.index("name")] += "（更名）"
        renamed.append(named)

    second = edited(synthetic_folder, tmp_path / "b", edit)
    store = loaded(synthetic_folder, tmp_path / "store")
    fresh = loaded(second, tmp_path / "fresh")
    try:
        load_registers(store, second, "demo", obligations_under(store))
        assert patched[-1] is None  # compared whole
        assert any("EVIDENCES" in s for s in read_from_source) and any("Evidence" in s for s in read_from_source)
        slices = [s for s in queries if "offset(ID(s))" in s and ":EVIDENCES]" in s]
        if reads == "in slices":
            assert len(slices) > 1
        elif reads == "one slice":
            assert len(slices) == 1
        else:
            assert not slices and pools.count(1) >= 2 and 0 in pools  # every read made again on the default pool
        into_renamed = node_uid("demo", renamed[0])
        evidence_of_renamed = [lk for lk in fresh.links("EVIDENCES", "demo") if lk["target"] == into_renamed]
        assert evidence_of_renamed  # links into the renamed control, made again when it was
        assert graph(store, "demo") == graph(fresh, "demo")
        assert trace(store, "demo", AS_OF) == trace(fresh, "demo", AS_OF)
    finally:
        store.close()
        fresh.close()


def test_a_replacement_after_other_writes_in_its_unit_compares_with_the_staging_copy(
        synthetic_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The generation a staging copy was made from stands for it only until something is written: a unit that
    writes and then replaces the tenant is compared with what it wrote. An evidence item written first, which the
    folder lacks, is removed by the replacement (the tables given hold no evidence summary or load record: those two
    labels are left out of the comparison)."""
    monkeypatch.setattr(ladybug_diff, "LARGE_ROWS", 1)  # labels large enough to be read from the source
    store = loaded(synthetic_folder, tmp_path / "store")
    fresh = loaded(synthetic_folder, tmp_path / "fresh")
    _, tables = convert_registers(synthetic_folder, "demo", obligations_under(store))
    extra = {"uid": node_uid("demo", "EV-WRITTEN-FIRST"), "tenant": "demo", "evidence_id": "EV-WRITTEN-FIRST"}

    def unit(writer: Writer) -> None:
        writer.upsert_nodes("Evidence", [extra])
        writer.replace_tenant("demo", dict(tables.nodes), dict(tables.links), False, lambda: None)

    try:
        store.write(unit)
        derived = {evidence_groups.LABEL, "RegisterLoad"}  # a load's own rows: not in the tables given here
        written, expected = graph(store, "demo"), graph(fresh, "demo")
        assert {k: v for k, v in written.items() if k not in derived} == \
            {k: v for k, v in expected.items() if k not in derived}
    finally:
        store.close()
        fresh.close()
