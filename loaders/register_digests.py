"""What a reload must validate and write: the tenant's load record (RegisterLoad) against the folder's files.

A load keeps, with the tenant's registers and in the same transaction, the SHA-256 of each register's file,
of the rules its rows were validated and linked under, and how many change-log entries the store held. The
next load of the tenant compares them with the folder it is given:

* nothing differs (every file, the rules, no API change since): nothing needs writing, and only the registers
  that name provisions (and those they reference) are validated again, for the renumbering warnings;
* some files differ: those registers are validated and written, with every register that references them
  (a reference to a removed id must fail, and their links to re-created nodes are written again) and every
  register any of those reference (its ids and rows are what they are checked against). A store that can
  keep the tenant's other labels as they are (Store.replaces_labels) writes only those; another store is
  given every register, validated;
* a register no other references is to be written (its file changed, or one it references did), its header
  the same, on a store that `replaces_labels` (`by_chunks`): the plan names it `chunked`, and the load
  (registers._load, register_chunked) validates, converts and writes only the rows of its chunks whose digest
  the record does not hold (register_chunks; none, when its file is unchanged), the other registers written
  whole, falling back to the file whole when a changed row has a problem or an id its stored rows reference
  is gone;
* no record, other rules, or the API changed the tenant since: everything is validated and written.

The rules are this ontology (its text), the code that validates and converts rows (its source), the
provision ids and the obligations under each, their renumbering between versions and the target control ids a
control may name: a regulation loaded again, another version in force or a reviewed mapping set gives other
rules, hence a full load.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from importlib.resources import files
from typing import Any

import pyarrow as pa
from regtrace.graph import tables
from regtrace.graph.port import Store
from regtrace.graph.schema import node_uid, store_schema
from regtrace.ontology.model import ClassModel, load_ontology

from regtrace.errors import StoreChangedError

from .register_reader import RegisterFolder
from .register_validation import OBLIGATION_CLASS, reads_other_registers, register_order

RULE_SOURCES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("regtrace.loaders", ("register_validation.py", "register_values.py", "register_locations.py",
                          "register_graph.py", "register_reader.py", "numbering.py", "register_chunks.py")),
    ("regtrace.trace", ("evidence_groups.py",)),
)
LABEL = "RegisterLoad"
LOAD_ID = "registers"
CHANGE_LOG = "ChangeLogEntry"


@dataclass(frozen=True)
class LoadRecord:
    """A tenant's load record: file digests and rows per register, the rules' digest, change-log entries, and
    the digests of each register file's header and row chunks (register_chunks; empty for a sheet)."""

    files: dict[str, str]
    rules: str
    counts: dict[str, int]
    changes: int
    chunks: dict[str, Any] = field(default_factory=dict)

    def table(self, tenant: str) -> pa.Table:
        """The record as the RegisterLoad node table (one row)."""
        node = store_schema().nodes[LABEL]
        row = {"uid": node_uid(tenant, LOAD_ID), "load_id": LOAD_ID,
               "file_digests": json.dumps(self.files, sort_keys=True),
               "rules_digest": self.rules, "row_counts": json.dumps(self.counts, sort_keys=True),
               "change_entries": self.changes, "row_chunks": json.dumps(self.chunks, sort_keys=True),
               "tenant": tenant}
        return pa.table({p.name: tables.column(p, [row[p.name]]) for p in node.properties})


def read_record(store: Store, tenant: str) -> LoadRecord | None:
    """The tenant's load record, or None (never loaded, or loaded before records were kept)."""
    rows = store.nodes(LABEL, tenant)
    if not rows:
        return None
    row = rows[0]
    chunks = json.loads(row["row_chunks"]) if row.get("row_chunks") else {}
    return LoadRecord(dict(json.loads(row["file_digests"])), str(row["rules_digest"]),
                      {k: int(v) for k, v in json.loads(row["row_counts"]).items()}, int(row["change_entries"]),
                      dict(chunks))


def rules_digest(obligations_under: Mapping[str, Sequence[str]] | None) -> str:
    """SHA-256 of what validating and linking rows depends on besides the rows (see the module's text)."""
    digest = hashlib.sha256()
    base = files("regtrace.ontology")
    for name in ("regtrace.ttl", "shapes.ttl"):
        digest.update(base.joinpath(name).read_bytes())
    for package, names in RULE_SOURCES:  # the code that validates and converts rows: an upgrade reloads all
        for name in names:
            digest.update(files(package).joinpath(name).read_bytes())
    if obligations_under is not None:
        mapping = getattr(obligations_under, "by_provision", obligations_under)  # without marking ids named
        under = {pid: list(mapping[pid]) for pid in sorted(mapping)}
        targets = getattr(obligations_under, "targets", None)
        facts: dict[str, Any] = {
            "under": under,
            "version": getattr(obligations_under, "version", None),
            "renumbered": getattr(obligations_under, "renumbered", {}),
            "targets": None if targets is None else {
                "frameworks": sorted(targets.frameworks), "controls": sorted(targets.controls),
                "covers": {k: list(v) for k, v in sorted(targets.covers.items())}},
        }
        digest.update(json.dumps(facts, sort_keys=True, default=list).encode())
    else:
        digest.update(b"no regulation")
    return digest.hexdigest()


def folder_digests(folder: RegisterFolder) -> dict[str, str]:
    """The digest of each register's file or sheet that could be opened."""
    return {name: table.digest for name, table in folder.tables.items() if table.digest is not None}


@dataclass(frozen=True)
class ReloadPlan:
    """Which registers to validate and which to write (register names); `record` is the new load record,
    less the counts of the registers validated now (`LoadRecord.counts` holds the stored ones)."""

    validate: frozenset[str]
    write: frozenset[str]
    partial: bool  # some registers are kept as stored: only `write` is given to the store
    files: dict[str, str] | None  # None: a full load, which takes the files' digests as it writes (its record's)
    rules: str
    changes: int
    stored_counts: dict[str, int]
    stored: LoadRecord | None = None  # the record the plan was made against
    # the one register that changed, when the store may write only its changed chunks' rows (see `by_chunks`)
    chunked: str | None = None
    generation: str | None = None  # the store's generation before the record was read (Store.generation)

    def without_chunks(self) -> ReloadPlan:
        """The same plan, validating and writing the changed register whole."""
        return replace(self, chunked=None)

    def whole(self) -> ReloadPlan:
        """The same folder validated and written whole (a store that would write this partial plan in too large a
        transaction: Store.patch_rows)."""
        return full_plan(self.files, self.rules, self.changes)

    def check_unchanged(self, store: Store, tenant: str) -> None:
        """Inside the load's write: StoreChangedError (nothing written) when the tenant's record or the change
        log moved since the plan was made (another load of the tenant, or an API change, landed meanwhile): the
        registers a partial write keeps would no longer be the ones validated against. Nothing was written since
        when the store's generation is the one the plan was made in (then nothing is read)."""
        if self.generation is not None and store.generation() == self.generation:
            return
        if read_record(store, tenant) != self.stored or store.count(CHANGE_LOG) != self.changes:
            raise StoreChangedError(f"tenant {tenant!r} was loaded or changed through the API while this load was "
                                    "being validated; nothing was written: load the folder again")

    @property
    def nothing_to_write(self) -> bool:
        return self.partial and not self.write


def _closure(start: set[str], edges: Mapping[str, set[str]]) -> set[str]:
    found, todo = set(start), list(start)
    while todo:
        for other in edges.get(todo.pop(), ()):
            if other not in found:
                found.add(other)
                todo.append(other)
    return found


def full_plan(files: dict[str, str] | None, rules: str, changes: int) -> ReloadPlan:
    """Every register validated and written (`files`: the folder's digests when taken; None: the load takes them)."""
    every = frozenset(m.register or m.name for m in register_order(load_ontology()))
    return ReloadPlan(every, every, False, files, rules, changes, {})


def plan_reload(store: Store, tenant: str, folder: RegisterFolder,
                obligations_under: Mapping[str, Sequence[str]] | None) -> ReloadPlan:
    """Compare the folder with the tenant's load record (see the module's text). The folder's digests are
    taken here (RegisterFolder.take_digests) only when there is a record to compare them with: a full load
    takes them as it writes."""
    generation = store.generation()  # before the record is read: a write after it changes the generation
    models = register_order(load_ontology())
    names = [m.register or m.name for m in models]
    every = frozenset(names)
    rules = rules_digest(obligations_under)
    changes = store.count(CHANGE_LOG)
    record = read_record(store, tenant)
    if (record is None or record.rules != rules or record.changes != changes or folder.problems
            or folder.unusable or set(record.counts) != every):
        return full_plan(None, rules, changes)
    folder.take_digests()
    files_now = folder_digests(folder)
    full = full_plan(files_now, rules, changes)
    changed = {n for n in names if files_now.get(n) != record.files.get(n)
               or (n in folder.present) != (n in record.files)}
    if changed and not store.replaces_labels:
        return full
    register_of = {m.name: m.register or m.name for m in models}
    references: dict[str, set[str]] = {n: set() for n in names}  # register -> the registers it references
    referrers: dict[str, set[str]] = {n: set() for n in names}
    for model in models:
        for f in model.references:
            target = register_of.get(f.target or "")
            if target is not None and target != register_of[model.name]:
                references[register_of[model.name]].add(target)
                referrers[target].add(register_of[model.name])
    written = set(changed) | {r for n in changed for r in referrers[n]}
    validated = _closure(written | _naming_provisions(models), references)
    return ReloadPlan(frozenset(validated), frozenset(written), True, files_now, rules, changes,
                      {n: c for n, c in record.counts.items() if n not in validated}, record,
                      by_chunks(changed, written, referrers, record, folder, models), generation)


def by_chunks(changed: set[str], written: set[str], referrers: Mapping[str, set[str]], record: LoadRecord,
              folder: RegisterFolder, models: Sequence[ClassModel]) -> str | None:
    """The register whose changed chunks alone may be validated and written: a register written (its file
    changed, or a register it references did) that no other references (a removed row breaks no reference),
    that names no provision (those are read whole on every load, so that each renumbered id is warned about),
    without a row limit, read from a CSV file (present before and now) whose header and chunks the record keeps;
    of several, the one with the most stored rows.

    Its unchanged rows were valid when last loaded. When its file alone changed, every register they are judged
    against is as it was, so they still are. When a register it references changed (a new month's controls,
    with or without a new evidence file), they still are as long as its rows are judged on their own and by the
    ids they reference only (register_validation.reads_other_registers) and every id its stored rows reference
    is still there, which the load checks before writing (register_chunked.ChangedChunks.references_kept). What
    the rows of unchanged chunks can still conflict with (a changed row taking an unchanged row's id) is
    checked by the load too (ChangedChunks.accept)."""
    if folder.workbook is not None:
        return None
    by_name = {m.register or m.name: m for m in models}
    naming = _naming_provisions(models)  # read whole on every load, for the renumbering warnings
    candidates = [name for name in sorted(written)
                  if not referrers.get(name) and name not in naming and by_name[name].max_rows is None
                  and folder.tables.get(name) is not None
                  and name in record.files and isinstance(record.chunks.get(name), dict)
                  and (changed == {name} or not reads_other_registers(by_name[name]))]
    return max(candidates, key=lambda n: record.counts.get(n, 0)) if candidates else None


def _naming_provisions(models: Sequence[ClassModel]) -> set[str]:
    """The registers with a provision reference: always validated, so that every renumbered id they name is
    warned about on every load (a few thousand rows at most)."""
    return {m.register or m.name for m in models if any(f.target == OBLIGATION_CLASS for f in m.references)}
