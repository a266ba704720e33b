"""`regtrace doctor`: open a store, count what it holds per tenant and label, a digest per tenant, and say what
is wrong with its files (embedded store: graph/ladybug_repair.py); with repair, fix what can be fixed.

The digest is SHA-256 over the checksums of every label's nodes and every relationship type's links of the
tenant (regtrace/migrate.py's checksum: canonical JSON, order-independent); the shared part (the regulation,
tokens) has its own. Two stores with the same digests hold the same rows.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from regtrace.errors import RegtraceError
from regtrace.graph.port import Store
from regtrace.graph.schema import store_schema
from regtrace.migrate import checksum
from regtrace.stores import open_store, store_kind

SHARED = "(shared)"


@dataclass
class Part:
    """One tenant's rows (or the shared ones): counts per label and relationship type, and one digest."""

    counts: dict[str, int]
    digest: str


@dataclass
class Diagnosis:
    store: str
    generation: str | None = None
    parts: dict[str, Part] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return {
            "store": self.store, "healthy": self.healthy, "generation": self.generation,
            "tenants": {t: {"counts": p.counts, "digest": p.digest} for t, p in self.parts.items() if t != SHARED},
            "shared": {"counts": self.parts[SHARED].counts, "digest": self.parts[SHARED].digest}
            if SHARED in self.parts else None,
            "problems": self.problems, "repaired": self.repaired,
        }


def part(store: Store, tenant: str | None) -> Part:
    """The counts and digest of one tenant's rows (None: the rows no tenant owns)."""
    schema = store_schema()
    counts: dict[str, int] = {}
    sums = hashlib.sha256()
    for label, node in sorted(schema.nodes.items()):
        if node.tenant_scoped != (tenant is not None):
            continue
        rows = store.nodes(label, tenant)
        counts[label] = len(rows)
        sums.update(f"{label}:{checksum(rows)}\n".encode())
    for rel in sorted(schema.relationships, key=lambda r: (r.type, r.source, r.target)):
        if schema.nodes[rel.source].tenant_scoped != (tenant is not None):
            continue
        links = store.links(rel.type, tenant)
        key = f"{rel.type}({rel.source}->{rel.target})"
        counts[key] = len(links)
        sums.update(f"{key}:{checksum(links)}\n".encode())
    return Part(counts, sums.hexdigest())


def contents(store: Store) -> dict[str, Part]:
    """Every tenant's part and the shared one, read from one state of the store."""
    with store.snapshot():
        found = {tenant: part(store, tenant) for tenant in store.tenants()}
        found[SHARED] = part(store, None)
    return found


def diagnose(location: str, *, repair: bool = False) -> Diagnosis:
    """Check the store at `location` (it must exist: doctor never creates one); repair when asked."""
    found = Diagnosis(location)
    embedded = store_kind(location).name == "ladybug"
    if embedded:
        from regtrace.graph import ladybug_repair

        folder = Path(location)
        if repair:
            found.repaired = ladybug_repair.repair(folder)
        found.problems = ladybug_repair.problems(folder)
    try:
        store = open_store(location, seed=False, create=False)
    except RegtraceError as exc:
        if exc.code == "NOT_FOUND":
            raise
        found.problems.append(f"the store does not open: {exc}")
        return found
    try:
        found.generation = store.generation()
        found.parts = contents(store)
    finally:
        store.close()
    if embedded:  # opening adopts an old layout and finishes an interrupted first write: look again
        found.problems = ladybug_repair.problems(Path(location))
    return found
