"""What the reload tests share: a store's whole tenant as its port reads it, a store loaded with folders, and a
folder's copy with its registers edited."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from regtrace.graph.ladybug_store import LadybugStore
from regtrace.graph.port import Store
from regtrace.graph.schema import store_schema
from regtrace.loaders.registers import load_registers
from store_fixtures import seeded_ladybug

from regtrace.regulation_graph import obligations_under

Registers = dict[str, tuple[list[str], list[list[str]]]]  # register name -> (header, rows) of its CSV file


def graph(store: Store, tenant: str) -> dict[str, Any]:
    schema = store_schema()
    found: dict[str, Any] = {label: store.nodes(label, tenant) for label, node in schema.nodes.items()
                             if node.tenant_scoped}
    for rel in schema.relationships:
        if schema.nodes[rel.source].tenant_scoped:
            found[rel.type] = store.links(rel.type, tenant)
    return found


def loaded(folder: Path, path: Path, *more: Path) -> LadybugStore:
    store = seeded_ladybug(path)
    for f in (folder, *more):
        load_registers(store, f, "demo", obligations_under(store))
    return store


def edited(folder: Path, target: Path, edit: Callable[[Registers], Any]) -> Path:
    """A copy of `folder` with `edit(registers)` applied: register name -> (header, rows) of its CSV file, UTF-8;
    only the registers it changes are written again."""
    shutil.copytree(folder, target)
    found: Registers = {}
    for path in sorted(target.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            header, *body = csv.reader(handle)
        found[path.stem] = (header, [list(r) for r in body])
    before = {name: (list(h), [list(r) for r in b]) for name, (h, b) in found.items()}
    edit(found)
    for name, table in found.items():
        if table != before[name]:
            with (target / f"{name}.csv").open("w", encoding="utf-8", newline="") as handle:
                csv.writer(handle).writerows([table[0], *table[1]])
    return target
