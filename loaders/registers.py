"""An insurer's registers: read and validate a folder, and load it into the store as one tenant.

    dataset = read_registers(folder, obligations_under)            # RegisterError with every problem
    counts = load_registers(store, folder, tenant, obligations_under)  # all or nothing, replaces the tenant

A folder holds CSV files named after the registers (csps.csv, arrangements.csv, …) or one .xlsx workbook
with a sheet per register. Validation finishes before anything is written (each chunk of valid rows becomes
the store's columns as it is validated), and the write is published all at once, so a refused or failed load
leaves the store exactly as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import pyarrow as pa
from regtrace.graph.port import Pending, Store
from regtrace.ontology.model import ClassModel, load_ontology
from regtrace.trace import evidence_groups
from regtrace.trace.collector import gc_paused

from regtrace.errors import InputError, PatchTooLargeError, RegisterError
from regtrace.tenants import tenant_name

from .arrow_memory import system_arrow_memory
from .register_changes import check_removals
from .register_chunked import ChangedChunks, changed_chunks, chunk_record, mostly_changed
from .register_digests import LABEL as RECORD_LABEL
from .register_digests import LoadRecord, ReloadPlan, folder_digests, plan_reload
from .register_graph import RegisterGraph, RegisterTables, TableBuilder, register_graph, replace_registers
from .register_reader import RegisterFolder, read_folder
from .register_validation import Register, RegisterDataset, register_order, validate_folder

__all__ = ["Register", "RegisterDataset", "RegisterGraph", "convert_registers", "load_registers", "read_registers",
           "register_graph", "register_names"]

Progress = Callable[[str, int, int], None]


def register_names() -> tuple[str, ...]:
    """The register names the ontology defines (file stems and sheet names)."""
    return tuple(c.register for c in load_ontology().registers if c.register)


def read_registers(folder: str | Path, obligations_under: Mapping[str, Sequence[str]] | None = None,
                   progress: Progress | None = None, *, keep_rows: bool = True) -> RegisterDataset:
    """Read, parse and validate every register of `folder` (or of an .xlsx workbook path).

    `obligations_under` maps each provision id to the obligation ids at or below it; with it, provision ids
    in controls.satisfies and contracts.clauses must name obligations, without it only their form is checked.
    Raises RegisterError listing every problem (file or sheet, row, column, what is wrong). Without
    `keep_rows` the rows are counted, not kept (a check of a million rows in bounded memory).
    """
    with gc_paused(), read_folder(Path(folder), register_names(), digests=False) as found:
        return validate_folder(found, obligations_under, progress, sink=None if keep_rows else _counted)


def convert_registers(folder: str | Path, tenant: str, obligations_under: Mapping[str, Sequence[str]],
                      progress: Progress | None = None) -> tuple[RegisterDataset, RegisterTables]:
    """read_registers, each chunk of valid rows converted to `tenant`'s store tables as it is validated (no row
    kept as Python values): what `regtrace validate --tenant` compares with the stored tenant
    (register_changes.plan_changes)."""
    tenant = tenant_name(tenant)
    builder = TableBuilder(tenant, obligations_under, summary=False)
    with system_arrow_memory(), gc_paused(), read_folder(Path(folder), register_names(), digests=False) as found:
        dataset = validate_folder(found, obligations_under, progress, sink=builder.add)
        return dataset, builder.tables([r.model for r in dataset.registers.values()])


def _counted(model: ClassModel, columns: list[Sequence[Any]]) -> None:
    """A validate_folder sink that keeps nothing (the register counts the rows handed on)."""


def load_registers(store: Store, folder: str | Path, tenant: str, obligations_under: Mapping[str, Sequence[str]],
                   progress: Progress | None = None, *, allow_removals: bool = False) -> dict[str, int]:
    """Validate `folder`, then replace `tenant`'s registers in the store with it, all or nothing.

    Returns the number of rows per register. `progress(stage, done, total)` is called as stages advance
    ("validate", then "write"). Raises RegisterError (nothing written) when any row is invalid, and InputError
    (nothing written) when the load would empty a register that has rows or remove more than half of the
    tenant's rows, unless `allow_removals`. A reload validates and writes only what the tenant's load record
    says may have changed (register_digests), and writes nothing when nothing did.
    """
    tenant = tenant_name(tenant)
    with system_arrow_memory():
        return _load(store, Path(folder), tenant, obligations_under, progress, allow_removals)


def _load(store: Store, folder: Path, tenant: str, obligations_under: Mapping[str, Sequence[str]],
          progress: Progress | None, allow_removals: bool, by_chunks: bool = True, whole: bool = False,
          ) -> dict[str, int]:
    # with a load record to compare them with, the folder's digests are taken as it is scanned (one pass);
    # without, by the full load as it writes
    compared = store.count(RECORD_LABEL, tenant) > 0
    with gc_paused(), read_folder(folder, register_names(), digests=compared) as found:
        plan = plan_reload(store, tenant, found, obligations_under)
        split: ChangedChunks | None = None
        if plan.chunked is not None and by_chunks and mostly_changed(found, plan):
            by_chunks = False  # read whole, from the folder as read: nothing of it was read by chunks
        if plan.partial and (whole or _too_large(store, plan, by_chunks)):
            plan = plan.whole()  # past what the store writes in place (Store.patch_rows): the tenant whole
        if plan.chunked is not None and by_chunks:
            split = changed_chunks(found, plan, tenant)
            if split is None:  # its rows may have been read part way: read the folder again, whole
                return _load(store, folder, tenant, obligations_under, progress, allow_removals, by_chunks=False,
                             whole=whole)
        elif plan.chunked is not None:
            plan = plan.without_chunks()
        # the chunk digests of each CSV file written (taken when the plan compared them), on every store: the load
        # record is the same on each (a full load takes them as it writes: `_full_record`)
        written = _chunk_records(found, plan.write) if plan.files is not None else {}
        # the registers to write become the store's columns chunk by chunk as they are validated
        builder = TableBuilder(tenant, obligations_under, plan.write)
        try:
            dataset = validate_folder(found, obligations_under, progress, plan.validate, builder.add)
        except RegisterError:
            if split is None:
                raise
            dataset = None  # a changed chunk's rows hold a problem: the full path names its row and column
    if split is not None and (dataset is None or not split.accept(dataset, builder.uids)
                              or not split.references_kept(store, _labels(plan.write), builder.uids)):
        return _load(store, folder, tenant, obligations_under, progress, allow_removals, by_chunks=False,
                     whole=whole)
    assert dataset is not None
    counts = {**plan.stored_counts, **dataset.counts()}
    counts = {name: counts[name] for name in register_names_in_order() if name in counts}
    if plan.partial:
        dataset = RegisterDataset({n: r for n, r in dataset.registers.items() if n in plan.write},
                                  dataset.obligations_under, dataset.format)
    unchanged = {n: c for n, c in counts.items() if n not in dataset.registers}
    if split is None:
        check_removals(store, tenant, dataset, allow_removals, unchanged, builder.uids)
    else:
        try:  # the most a reload by chunks can remove; counted exactly only when that would refuse it
            check_removals(store, tenant, dataset, allow_removals, unchanged, builder.uids, [split.bound(store)])
        except InputError:
            check_removals(store, tenant, dataset, allow_removals, unchanged, split.uids_with(builder.uids))
    if plan.nothing_to_write:
        store.tidy_tenant(tenant)  # what a killed load left behind goes, as a load that writes would remove it
        if progress is not None:
            progress("write", 1, 1)
        return counts
    # a full load takes the files' digests (its record's) and the evidence summary in a worker thread while the
    # store writes the other tables (one core each: ~1 s of a million-evidence load's 8)
    worker = ThreadPoolExecutor(1, thread_name_prefix="regtrace-load") if plan.files is None else None
    with worker or nullcontext():  # leaving waits for the worker (after a failure too)
        record: pa.Table | Pending
        if worker is not None:
            record = Pending(worker, _full_record, found, tenant, plan, counts)
        else:
            assert plan.files is not None
            record = _record(plan, counts, plan.files, written).table(tenant)
        converted = builder.tables([r.model for r in dataset.registers.values()], worker)
        if split is not None:
            converted.nodes.pop(evidence_groups.LABEL, None)  # of the changed rows only: the store regroups
        try:
            with gc_paused():  # the tables are this function's own: each is released once written
                replace_registers(store, tenant, dataset, progress, release_rows=True, record=record,
                                  partial=plan.partial, converted=converted,
                                  precondition=(lambda: plan.check_unchanged(store, tenant)) if plan.partial else None,
                                  patched=None if split is None else {split.label: split.uids()})
        except PatchTooLargeError:  # more differs than the store writes in place: nothing was written; the tenant whole
            return _load(store, folder, tenant, obligations_under, progress, allow_removals, by_chunks=False,
                         whole=True)
    return counts


def _too_large(store: Store, plan: ReloadPlan, by_chunks: bool) -> bool:
    """Whether the registers a partial plan writes whole (all but its chunked one, when that goes by chunks) held
    more rows when last loaded than the store writes in place (Store.patch_rows)."""
    bound = store.patch_rows()
    if bound is None or plan.stored is None:
        return False
    whole = [name for name in plan.write if not (by_chunks and name == plan.chunked)]
    return sum(plan.stored.counts.get(name, 0) for name in whole) > bound


def _labels(registers: Collection[str]) -> frozenset[str]:
    """The store labels of these registers."""
    return frozenset(m.name for m in register_order(load_ontology()) if (m.register or m.name) in registers)


def _chunk_records(found: RegisterFolder, names: Collection[str]) -> dict[str, dict[str, object] | None]:
    """The chunk digests the load record keeps of each CSV file of `names` (register_chunked.chunk_record)."""
    return {name: chunk_record(table) for name, table in found.tables.items()
            if name in names and found.workbook is None}


def _record(plan: ReloadPlan, counts: dict[str, int], files: dict[str, str],
            written: Mapping[str, dict[str, object] | None]) -> LoadRecord:
    """The tenant's new load record: a file written replaces its stored chunks (None: it has none now); the
    others keep theirs."""
    chunks = {**(plan.stored.chunks if plan.stored is not None and plan.partial else {}), **written}
    return LoadRecord(files, plan.rules, counts, plan.changes,
                      {n: c for n, c in chunks.items() if c is not None and n in files})


def _full_record(found: RegisterFolder, tenant: str, plan: ReloadPlan, counts: dict[str, int]) -> pa.Table:
    """A full load's record table, the folder's digests taken now (InputError if a file changed since it was
    read: RegisterFolder.take_digests)."""
    found.take_digests()
    return _record(plan, counts, folder_digests(found), _chunk_records(found, plan.write)).table(tenant)


def register_names_in_order() -> list[str]:
    """The register names in reference order (the order of a dataset's registers)."""
    return [m.register or m.name for m in register_order(load_ontology())]
