"""Copy one store into another (embedded LadybugDB <-> Neo4j) through the port, losing nothing, and prove it.

Every label's nodes and every relationship type's links are read from the source and written into the target in
one write (all or nothing). Then both stores are counted and checksummed per label and type: SHA-256 over the
canonical JSON of the sorted rows, with dates tagged so a date never passes for its ISO string.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.table import Table

from regtrace.errors import InputError
from regtrace.graph.port import Link, Row, Store, Writer
from regtrace.graph.schema import store_schema


@dataclass(frozen=True)
class Tally:
    """One label or relationship type in both stores."""

    kind: str  # "node" | "relationship"
    name: str
    source_count: int
    target_count: int
    source_checksum: str
    target_checksum: str

    @property
    def equal(self) -> bool:
        return self.source_count == self.target_count and self.source_checksum == self.target_checksum

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "name": self.name, "source_count": self.source_count,
                "target_count": self.target_count, "checksum": self.source_checksum, "equal": self.equal}


@dataclass(frozen=True)
class MigrationReport:
    source: str
    target: str
    tallies: list[Tally]

    @property
    def ok(self) -> bool:
        return all(t.equal for t in self.tallies)


def _tagged(value: Any) -> Any:
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    raise TypeError(f"cannot checksum a {type(value).__name__}")


def checksum(rows: list[Row]) -> str:
    """SHA-256 of the canonical JSON of the rows, sorted (independent of the store's order)."""
    lines = sorted(json.dumps(r, sort_keys=True, ensure_ascii=False, default=_tagged) for r in rows)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def contents(store: Store) -> dict[tuple[str, str], list[Row]]:
    """Every node of every label and every link of every relationship type, all tenants."""
    schema = store_schema()
    found: dict[tuple[str, str], list[Row]] = {("node", label): store.nodes(label) for label in schema.nodes}
    for rel in schema.relationships:
        found[("relationship", rel.type)] = store.links(rel.type)
    return found


def _copy(source: dict[tuple[str, str], list[Row]], replace: dict[str, list[str]]) -> Callable[[Writer], None]:
    schema = store_schema()

    def unit(w: Writer) -> None:
        for label, uids in replace.items():
            if uids:
                w.delete_nodes(label, uids)
        for label in schema.nodes:
            rows = source[("node", label)]
            # LadybugDB's bulk path reads an empty string back as null: such labels take the upsert path.
            if any(v == "" for r in rows for v in r.values()):
                w.upsert_nodes(label, rows)
            elif rows:
                w.create_nodes(label, rows)
        for rel in schema.relationships:
            links = [Link(r["source"], r["target"], {k: v for k, v in r.items() if k not in ("source", "target")}
                          or None) for r in source[("relationship", rel.type)]]
            if links:
                w.create_links(rel.type, links)

    return unit


def migrate(source: Store, target: Store, *, replace: bool = False) -> MigrationReport:
    """Copy `source` into `target`; a target holding anything is refused unless `replace` (then emptied first,
    in the same write). Returns per label and type the counts and whether the checksums agree."""
    existing = {label: [r["uid"] for r in target.nodes(label)] for label in store_schema().nodes}
    held = sum(len(uids) for uids in existing.values())
    if held and not replace:
        raise InputError(f"the target store {target.uri} is not empty ({held} nodes): pass --replace to overwrite it")
    before = contents(source)
    target.write(_copy(before, existing if replace else {}))
    after = contents(target)
    tallies = [Tally(kind, name, len(rows), len(after[(kind, name)]), checksum(rows), checksum(after[(kind, name)]))
               for (kind, name), rows in before.items()]
    return MigrationReport(source.uri, target.uri, tallies)


def report_table(report: MigrationReport) -> Table:
    """The report as a table: label or type, source count, target count, checksum equal."""
    table = Table(title=f"遷移 Migration {report.source} → {report.target}")
    for header in ("種類 Kind", "標籤/關係 Label/type", "來源 Source", "目標 Target", "核對 Checksum equal"):
        table.add_column(header, justify="right" if header.startswith(("來源", "目標")) else "left")
    for t in report.tallies:
        table.add_row(t.kind, t.name, str(t.source_count), str(t.target_count),
                      "[green]✓[/]" if t.equal else "[red]✗[/]")
    return table
