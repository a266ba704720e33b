"""What loading a folder would do to a tenant's stored registers, and refusing a load that removes too much.

A load replaces a tenant's registers (README "Reloads and removals"), so a folder that lost a file or most of
its rows would silently wipe them: a missing evidence.csv is an empty evidence register. `plan_changes` compares
a validated folder with the tenant's stored rows register by register (added, changed, removed, unchanged, by
each row's id; changed: a stored property differs); `check_removals` refuses, unless removals are allowed, a load
that would empty a register that has rows or remove more than half of the tenant's rows.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from regtrace.graph.port import Row, Store
from regtrace.graph.schema import node_uid

from regtrace.errors import InputError

from .register_graph import node_rows
from .register_validation import RegisterDataset

if TYPE_CHECKING:
    import pyarrow as pa

ALLOW_FLAG = "--allow-removals"
UidsOf = Callable[[str], "pa.ChunkedArray | None"]  # label -> the uids of its converted rows (TableBuilder.uids)


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


def _comparable(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_comparable(v) for v in value]
    if isinstance(value, str) and value.startswith("{"):
        try:
            return json.loads(value)  # `extra` is JSON text: key order is not a change
        except ValueError:
            return value
    return value


def _differs(new: Row, old: Row) -> bool:
    return any(_comparable(value) != _comparable(old.get(name)) for name, value in new.items()
               if name not in ("uid", "tenant"))


def plan_changes(store: Store, tenant: str, dataset: RegisterDataset, *,
                 compare: bool = True, uids: UidsOf | None = None) -> list[RegisterChange]:
    """Per register of `dataset`, in reference order: what loading it as `tenant` would add, change and remove.
    Without `compare` only ids are compared (changed is 0): what the removal check needs, at less memory;
    `uids` gives the uids of a register whose rows were converted as they were validated (not kept)."""
    changes: list[RegisterChange] = []
    for name, register in dataset.registers.items():
        label = register.model.name
        if store.count(label, tenant) == 0:
            changes.append(RegisterChange(name, 0, len(register), len(register), 0, 0))
            continue
        stored: dict[str, Row | None] = ({row["uid"]: row for row in store.nodes(label, tenant)} if compare
                                         else dict.fromkeys(store.uids(label, tenant)))  # ids: the removal check
        added = changed = 0
        seen: set[str] = set()
        if compare:
            for row in node_rows(register, tenant):
                old = stored.get(row["uid"])
                seen.add(row["uid"])
                if old is None:
                    added += 1
                elif _differs(row, old):
                    changed += 1
        elif not register.kept:
            given = uids(label) if uids is not None else None
            if given is None and len(register):
                raise ValueError(f"{name}: its rows were handed on, and their uids are not given")
            seen = set(given.to_pylist()) if given is not None else set()
        else:
            seen = {node_uid(tenant, row[0]) for row in register.rows}
            added = sum(1 for uid in seen if uid not in stored)
        removed = sum(1 for uid in stored if uid not in seen)
        changes.append(RegisterChange(name, len(stored), len(register), added, changed, removed))
    return changes


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
