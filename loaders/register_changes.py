"""What loading a folder would do to a tenant's stored registers, and refusing a load that removes too much.

A load replaces a tenant's registers (README "Reloads and removals"), so a folder that lost a file or most of
its rows would silently wipe them: a missing evidence.csv is an empty evidence register. `plan_changes` compares
a validated folder with the tenant's stored rows register by register (added, changed, removed, unchanged, by
each row's id; changed: a stored property or one of the row's links differs); `check_removals` refuses, unless
removals are allowed, a load that would empty a register that has rows or remove more than half of the tenant's
rows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from regtrace.graph import tables
from regtrace.graph.native_memory import release_freed_memory
from regtrace.graph.port import Store, ready
from regtrace.graph.schema import node_uid, store_schema
from regtrace.graph.table_diff import link_changes, node_changes

from regtrace.errors import InputError

from .arrow_memory import system_arrow_memory
from .register_graph import RegisterTables, register_tables
from .register_validation import RegisterDataset

ALLOW_FLAG = "--allow-removals"
UidsOf = Callable[[str], pa.ChunkedArray | None]  # label -> the uids of its converted rows (TableBuilder.uids)


@dataclass(frozen=True)
class RegisterChange:
    """One register's change: rows stored now and in the folder, and how the folder's rows differ."""

    register: str
    stored: int
    incoming: int
    added: int
    changed: int
    removed: int

    @property
    def unchanged(self) -> int:
        return self.incoming - self.added - self.changed

    @property
    def emptied(self) -> bool:
        return self.stored > 0 and self.incoming == 0

    def to_json(self) -> dict[str, Any]:
        return {"register": self.register, "stored": self.stored, "incoming": self.incoming, "added": self.added,
                "changed": self.changed, "removed": self.removed, "unchanged": self.unchanged}


def plan_changes(store: Store, tenant: str, dataset: RegisterDataset, *, compare: bool = True,
                 uids: UidsOf | None = None, converted: RegisterTables | None = None) -> list[RegisterChange]:
    """Per register of `dataset`, in reference order: what loading it as `tenant` would add, change and remove.

    Compared (`compare`), a row is changed when a stored property differs or its links do (what it references:
    a control's obligations and arrangements, an evidence item's control and arrangement): what a load writes
    again. Rows and stored nodes are compared column-wise, as the reload's diff compares them (graph/table_diff);
    `converted` gives the dataset's rows already converted to the store's tables (its rows handed on, not kept),
    else they are converted from the dataset's rows. Without `compare` only ids are compared (changed is 0):
    what the removal check needs, at less memory; `uids` gives the uids of a register whose rows were converted
    as they were validated (not kept)."""
    if compare:
        given = converted if converted is not None else register_tables(dataset, tenant)
        release_freed_memory()  # what the validation freed, before the store's tables are read
        with system_arrow_memory():
            return [_compared(store, tenant, name, len(register), register.model.name, given)
                    for name, register in dataset.registers.items()]
    changes: list[RegisterChange] = []
    release_freed_memory()  # what the validation freed, before the stored uids are read
    for name, register in dataset.registers.items():
        label = register.model.name
        if store.count(label, tenant) == 0:
            changes.append(RegisterChange(name, 0, len(register), len(register), 0, 0))
            continue
        stored_uids = store.uids(label, tenant)
        if not register.kept:  # compared as Arrow: a million evidence uids, not two sets of Python strings
            given_uids = uids(label) if uids is not None else None
            if given_uids is None and len(register):
                raise ValueError(f"{name}: its rows were handed on, and their uids are not given")
            with system_arrow_memory():  # returned to the system with the engine's
                kept = (pc.sum(pc.is_in(stored_uids, value_set=given_uids)).as_py() or 0) \
                    if given_uids is not None else 0
            changes.append(RegisterChange(name, len(stored_uids), len(register), 0, 0, len(stored_uids) - kept))
            continue
        stored = set(stored_uids.to_pylist())
        seen = {node_uid(tenant, row[0]) for row in register.rows}
        added = sum(1 for uid in seen if uid not in stored)
        removed = sum(1 for uid in stored if uid not in seen)
        changes.append(RegisterChange(name, len(stored), len(register), added, 0, removed))
    return changes


def _compared(store: Store, tenant: str, name: str, incoming: int, label: str,
              converted: RegisterTables) -> RegisterChange:
    """One register's change: its converted rows (let go of once compared) against the tenant's stored nodes and
    their links, one table at a time (a million evidence items: each table's memory returned before the next)."""
    schema = store_schema()
    node = schema.nodes[label]
    given = converted.nodes.pop(label, None)
    new = tables.conformed_nodes(node, ready(given)) if given is not None else tables.node_table(node, [])
    rels = [rel for rel in schema.relationships if rel.source == label]
    links = {rel.type: converted.links.pop((rel.type, rel.source, rel.target), None) for rel in rels}
    stored = store.node_table(label, tenant)
    stored_rows = stored.num_rows
    if not stored_rows:
        return RegisterChange(name, 0, incoming, incoming, 0, 0)
    new_uids = new.column("uid")
    in_both = pc.filter(new_uids, pc.is_in(new_uids, value_set=stored.column("uid")))
    _, created = node_changes(node, stored, new)  # the rows added, and those whose properties differ
    touched = [created.column("uid")]
    del stored, new, created, given
    release_freed_memory()
    for rel in rels:
        table = links.pop(rel.type)
        removed, added = link_changes(store.link_table(rel.type, tenant), tables.conformed_links(
            rel, table) if table is not None else tables.link_table(rel, []))
        touched += [removed.column("source"), added.column("source")]
        del removed, added, table
        release_freed_memory()
    sources = pa.chunked_array([chunk for column in touched for chunk in column.chunks], pa.string())
    changed = pc.count_distinct(pc.filter(sources, pc.is_in(sources, value_set=in_both))).as_py()
    return RegisterChange(name, stored_rows, incoming, incoming - len(in_both), changed, stored_rows - len(in_both))


def removal_problems(changes: Sequence[RegisterChange]) -> list[str]:
    """Why the load removes too much: each register it would empty, and the tenant's share of rows removed
    when more than half; empty when the removals are ordinary."""
    reasons = [f"{c.register}: all {c.stored:,} stored rows would be removed (the folder has none)"
               for c in changes if c.emptied]
    stored = sum(c.stored for c in changes)
    removed = sum(c.removed for c in changes)
    if stored and removed * 2 > stored:
        per = ", ".join(f"{c.register} {c.removed:,} of {c.stored:,}" for c in changes if c.removed)
        reasons.append(f"{removed:,} of the tenant's {stored:,} stored rows would be removed, more than half ({per})")
    return reasons


def check_removals(store: Store, tenant: str, dataset: RegisterDataset, allow: bool,
                   unchanged: Mapping[str, int] | None = None, uids: UidsOf | None = None,
                   known: Sequence[RegisterChange] = ()) -> list[RegisterChange]:
    """The planned changes; InputError (nothing written) when the load removes too much and `allow` is False.
    `unchanged` gives the rows of the registers a reload keeps as stored (not in `dataset`); `uids` as for
    plan_changes; `known`, the changes of registers of `dataset` counted otherwise (not compared here)."""
    counted = {c.register for c in known}
    compared = RegisterDataset({n: r for n, r in dataset.registers.items() if n not in counted},
                               dataset.obligations_under, dataset.format)
    changes = plan_changes(store, tenant, compared, compare=False, uids=uids) + list(known)
    changes += [RegisterChange(name, rows, rows, 0, 0, 0) for name, rows in (unchanged or {}).items()]
    reasons = removal_problems(changes)
    if reasons and not allow:
        lines = "\n".join(f"  - {r}" for r in reasons)
        raise InputError(f"loading this folder as tenant {tenant!r} would remove registers' rows; nothing was "
                         f"written:\n{lines}\nIf that is intended (a register retired, rows archived), load again "
                         f"with {ALLOW_FLAG}; `regtrace validate FOLDER --tenant {tenant}` shows every change.")
    return changes


def changes_json(changes: Sequence[RegisterChange]) -> list[Mapping[str, Any]]:
    return [c.to_json() for c in changes]
