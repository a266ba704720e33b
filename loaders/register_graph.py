"""Validated registers to store rows and links, and the one-transaction replacement of a tenant's registers.

Node rows carry exactly the properties the store schema gives their label: the register's value columns,
`uid` (tenant/id), and the derived `tenant`, `extra`, arrangement `facts` and control `applies_to_all`.
Relationships come from the ontology's reference fields. A reference to an Obligation names a provision and
becomes one link per obligation at or below it (Obligation uids are global, without a tenant prefix).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from regtrace.graph.port import Link, Row, Store, Writer
from regtrace.graph.schema import node_uid, store_schema
from regtrace.ontology.model import ClassModel, load_ontology

from .register_validation import OBLIGATION_CLASS, Register, RegisterDataset

SELF_MANAGED = "self_managed"
SELF_MANAGED_MODELS = frozenset({"IaaS", "PaaS"})
Progress = Callable[[str, int, int], None]
LinkKey = tuple[str, str, str]  # relationship type, source label, target label


@dataclass(frozen=True)
class RegisterGraph:
    """What a tenant's registers become in the store."""

    tenant: str
    nodes: dict[str, list[Row]]
    links: dict[LinkKey, list[Link]]

    def counts(self) -> dict[str, int]:
        return {label: len(rows) for label, rows in self.nodes.items()}


def arrangement_facts(record: Mapping[str, Any], facts: Sequence[str]) -> list[str]:
    """The applicability facts that hold: the true boolean facts, and self_managed for IaaS or PaaS."""
    held = [f for f in facts if record.get(f) is True]
    if SELF_MANAGED in facts and SELF_MANAGED not in held and record.get("service_model") in SELF_MANAGED_MODELS:
        held.append(SELF_MANAGED)
    return [f for f in facts if f in held]


def _derived(model: ClassModel, tenant: str) -> dict[str, Callable[[tuple[Any, ...]], Any]]:
    """How each derived property of the label is computed from a register row."""
    facts = load_ontology().facts
    names = [f.name for f in model.columns]
    derived: dict[str, Callable[[tuple[Any, ...]], Any]] = {"tenant": lambda _: tenant}
    if model.name == "OutsourcingArrangement":
        derived["facts"] = lambda row: arrangement_facts(dict(zip(names, row, strict=False)), facts)
    wildcards = [(names.index(f.name), [f.wildcard]) for f in model.references if f.wildcard is not None]
    if model.name == "Control":
        derived["applies_to_all"] = lambda row: any(row[i] == w for i, w in wildcards)
    return derived


def node_rows(register: Register, tenant: str) -> list[Row]:
    """The store rows of a register: every property of the label, in the schema's order."""
    model = register.model
    names = store_schema().nodes[model.name].names
    derived = _derived(model, tenant)
    positions = {f.name: i for i, f in enumerate(model.columns) if not f.is_reference}
    positions["extra"] = len(model.columns)
    plain = [(n, positions[n]) for n in names if n in positions]
    computed = [(n, derived[n]) for n in names if n in derived and n not in positions and n != "tenant"]
    unknown = [n for n in names[1:] if n not in positions and n not in derived]
    if unknown:
        raise ValueError(f"{model.name}: the registers give no value for the stored properties {unknown}")
    keys = [n for n, _ in plain]
    pick = itemgetter(*(i for _, i in plain))
    rows: list[Row] = []
    append = rows.append
    for row in register.rows:
        node: Row = dict(zip(keys, pick(row), strict=True))
        node["uid"] = node_uid(tenant, row[0])
        node["tenant"] = tenant
        for name, derive in computed:
            node[name] = derive(row)
        append(node)
    return rows


def _targets(value: Any, wildcard: str | None) -> Iterator[str]:
    if value is None:
        return
    for item in value if isinstance(value, list) else (value,):
        if item != wildcard:
            yield item


def link_rows(register: Register, tenant: str, obligations_under: Mapping[str, Sequence[str]] | None,
              ) -> dict[LinkKey, list[Link]]:
    """The relationships from a register's reference columns (deduplicated, in row order)."""
    onto = load_ontology()
    model = register.model
    links: dict[LinkKey, list[Link]] = {}
    for position, f in enumerate(model.columns):
        if not f.is_reference or f.target is None:
            continue
        relation = onto.relation(model.name, f.name)
        target = f.target
        if target == OBLIGATION_CLASS and obligations_under is None:
            raise ValueError("provision references need the obligations under each provision")
        scoped = onto.classes[target].tenant_scoped
        prefix = f"{tenant}/"
        found: list[Link] = []
        if target == OBLIGATION_CLASS and obligations_under is not None:
            for row in register.rows:
                source = prefix + row[0]
                seen: set[str] = set()
                for pid in _targets(row[position], None):
                    for oid in obligations_under.get(pid, ()):
                        if oid not in seen:
                            seen.add(oid)
                            found.append(Link(source, node_uid(None, oid)))
        elif not f.many:
            found = [Link(prefix + row[0], prefix + row[position] if scoped else row[position])
                     for row in register.rows if row[position] is not None]
        else:
            for row in register.rows:
                source = prefix + row[0]
                for t in dict.fromkeys(_targets(row[position], f.wildcard)):
                    found.append(Link(source, prefix + t if scoped else t))
        links[(relation.type, model.name, target)] = found
    return links


def register_graph(dataset: RegisterDataset, tenant: str) -> RegisterGraph:
    """Every node row and link of a tenant's registers."""
    nodes: dict[str, list[Row]] = {}
    links: dict[LinkKey, list[Link]] = {}
    for register in dataset.registers.values():
        nodes[register.model.name] = node_rows(register, tenant)
        links.update(link_rows(register, tenant, dataset.obligations_under))
    return RegisterGraph(tenant, nodes, links)


def replace_registers(store: Store, tenant: str, dataset: RegisterDataset,
                      progress: Progress | None = None) -> dict[str, int]:
    """Replace the tenant's registers with `dataset` in ONE transaction: delete every node of the tenant,
    then create the new nodes and links. Rows absent from the dataset are thereby removed; the same dataset
    twice gives the same store; on any failure the store keeps the tenant's previous data."""
    graph = register_graph(dataset, tenant)
    steps = 1 + sum(1 for rows in graph.nodes.values() if rows) + sum(1 for lk in graph.links.values() if lk)

    def report(done: int) -> None:
        if progress is not None:
            progress("write", done, steps)

    def unit(writer: Writer) -> None:
        report(0)
        writer.delete_tenant(tenant)
        done = 1
        report(done)
        for label, rows in graph.nodes.items():
            if rows:
                writer.create_nodes(label, rows)
                done += 1
                report(done)
        for (rel_type, source, target), links in graph.links.items():
            if links:
                writer.create_links(rel_type, source, target, links)
                done += 1
                report(done)

    store.write(unit)
    return {name: len(reg) for name, reg in dataset.registers.items()}
