"""Validated registers to store rows and links, and the all-or-nothing replacement of a tenant's registers.

Node rows carry exactly the properties the store schema gives their label: the register's value columns,
`uid` (tenant/id), and the derived `tenant`, `extra`, arrangement `facts` and the
wildcard flags (control `applies_to_all`, certification `scope_arrangements_all`).
Relationships come from the ontology's reference fields. A reference to an Obligation names a provision and
becomes one link per obligation at or below it (Obligation uids are global, without a tenant prefix).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from regtrace.crosswalk.targets import is_target
from regtrace.graph import tables
from regtrace.graph.port import Link, Pending, Row, Store, Writer
from regtrace.graph.schema import node_uid, store_schema
from regtrace.ontology.model import ClassModel, Field, load_ontology
from regtrace.trace import evidence_groups

from .register_digests import LABEL as RECORD_LABEL
from .register_validation import CONTROL_CLASS, OBLIGATION_CLASS, Register, RegisterDataset

SELF_MANAGED = "self_managed"
EVIDENCE_CLASS = "Evidence"
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
    if model.name == CONTROL_CLASS:  # the target control ids a control's satisfies names (README "Registers")
        derived["satisfies_targets"] = _named_targets(names.index("satisfies"))
    for f in model.references:
        if f.wildcard is not None:  # appliesTo '*' -> applies_to_all, scopeCovers '*' -> scope_arrangements_all
            derived[f"{f.column}_all"] = _wildcard_flag(names.index(f.name), f.wildcard)
    return derived


def _named_targets(position: int) -> Callable[[tuple[Any, ...]], str | None]:
    """The FRAMEWORK:ID items of the row's satisfies, `;`-separated (None: it names provisions only)."""
    return lambda row: "; ".join(t for t in row[position] or () if is_target(t)) or None


def _wildcard_flag(position: int, wildcard: str) -> Callable[[tuple[Any, ...]], bool]:
    """Whether the row's list column is the wildcard alone (validation refuses it beside ids)."""
    return lambda row: row[position] == [wildcard]


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


def _column_links(model: ClassModel, rows: Sequence[tuple[Any, ...]], position: int, f: Field, tenant: str,
                  obligations_under: Mapping[str, Sequence[str]] | None) -> list[Link]:
    """The relationships of one reference column (deduplicated, in row order)."""
    target = f.target or ""
    if target == OBLIGATION_CLASS and obligations_under is None:
        raise ValueError("provision references need the obligations under each provision")
    scoped = load_ontology().classes[target].tenant_scoped
    prefix = f"{tenant}/"
    found: list[Link] = []
    if target == OBLIGATION_CLASS and obligations_under is not None:
        for row in rows:
            source = prefix + row[0]
            seen: set[str] = set()
            for pid in _targets(row[position], None):
                for oid in obligations_under.get(pid, ()):
                    if oid not in seen:
                        seen.add(oid)
                        found.append(Link(source, node_uid(None, oid)))
    elif not f.many:
        found = [Link(prefix + row[0], prefix + row[position] if scoped else row[position])
                 for row in rows if row[position] is not None]
    else:
        for row in rows:
            source = prefix + row[0]
            for t in dict.fromkeys(_targets(row[position], f.wildcard)):
                found.append(Link(source, prefix + t if scoped else t))
    return found


def _references(model: ClassModel) -> Iterator[tuple[int, Field, LinkKey]]:
    """(position, field, link key) of each reference column of a register."""
    onto = load_ontology()
    for position, f in enumerate(model.columns):
        if f.is_reference and f.target is not None:
            yield position, f, (onto.relation(model.name, f.name).type, model.name, f.target)


def link_rows(register: Register, tenant: str, obligations_under: Mapping[str, Sequence[str]] | None,
              ) -> dict[LinkKey, list[Link]]:
    """The relationships from a register's reference columns (deduplicated, in row order)."""
    return {key: _column_links(register.model, register.rows, position, f, tenant, obligations_under)
            for position, f, key in _references(register.model)}


def register_graph(dataset: RegisterDataset, tenant: str) -> RegisterGraph:
    """Every node row and link of a tenant's registers."""
    nodes: dict[str, list[Row]] = {}
    links: dict[LinkKey, list[Link]] = {}
    for register in dataset.registers.values():
        nodes[register.model.name] = node_rows(register, tenant)
        links.update(link_rows(register, tenant, dataset.obligations_under))
    return RegisterGraph(tenant, nodes, links)


@dataclass(frozen=True)
class RegisterTables:
    """What a tenant's registers become in the store, column-wise (the bulk write's input): a table per
    label with every stored property, and a table of source and target uids per relationship."""

    tenant: str
    nodes: dict[str, pa.Table | Pending]
    links: dict[LinkKey, pa.Table]


def _transposed(model: ClassModel, rows: Sequence[tuple[Any, ...]]) -> list[Sequence[Any]]:
    """The rows' values column by column (the register's columns, then `extra`)."""
    return list(zip(*rows, strict=True)) if rows else [()] * (len(model.columns) + 1)


class _Chunk:
    """Validated rows column-wise (the register's columns, then `extra`); as row tuples only when a derived
    property or a list reference needs them (the small registers: evidence never does)."""

    def __init__(self, columns: list[Sequence[Any]]) -> None:
        self.columns = columns
        self.size = len(columns[0])
        self._rows: list[tuple[Any, ...]] | None = None

    @property
    def rows(self) -> list[tuple[Any, ...]]:
        if self._rows is None:
            self._rows = list(zip(*map(_python, self.columns), strict=True))
        return self._rows


def _python(values: Sequence[Any]) -> Sequence[Any]:
    """A column's values as Python values (a column given as an Arrow array: register_validation_columnar)."""
    return values.to_pylist() if isinstance(values, pa.Array) else values


def _node_table(model: ClassModel, chunk: _Chunk, tenant: str) -> pa.Table:
    """Register rows as a node table: every property of the label, in the schema's order, as node_rows gives
    them."""
    node = store_schema().nodes[model.name]
    derived = _derived(model, tenant)
    positions = {f.name: i for i, f in enumerate(model.columns) if not f.is_reference}
    positions["extra"] = len(model.columns)
    unknown = [n for n in node.names[1:] if n not in positions and n not in derived]
    if unknown:
        raise ValueError(f"{model.name}: the registers give no value for the stored properties {unknown}")
    keys = tables.array(chunk.columns[0], pa.string())
    columns: dict[str, pa.Array] = {"uid": pc.binary_join_element_wise(f"{tenant}/", keys, "")}
    for p in node.properties[1:]:
        if p.name in positions:
            columns[p.name] = tables.column(p, chunk.columns[positions[p.name]])
        elif p.name == "tenant":
            columns[p.name] = pa.repeat(pa.scalar(tenant, pa.string()), chunk.size)
        else:
            derive = derived[p.name]
            columns[p.name] = tables.column(p, [derive(row) for row in chunk.rows])
    return pa.table(columns)


def _link_tables(model: ClassModel, chunk: _Chunk, uids: pa.ChunkedArray, tenant: str,
                 obligations_under: Mapping[str, Sequence[str]] | None) -> dict[LinkKey, pa.Table]:
    """The relationships of register rows as tables (the same links as link_rows); `uids` are the rows' uids.
    A single reference to a register's node is converted column-wise, without a Link per row."""
    found: dict[LinkKey, pa.Table] = {}
    for position, f, key in _references(model):
        if f.many or f.target == OBLIGATION_CLASS:
            found[key] = tables.link_table(store_schema().relationship(key[0]),
                                           _column_links(model, chunk.rows, position, f, tenant, obligations_under))
            continue
        targets = tables.array(chunk.columns[position], pa.string())
        if load_ontology().classes[f.target or ""].tenant_scoped:
            targets = pc.binary_join_element_wise(f"{tenant}/", targets, "")
        if targets.null_count:
            given = pc.is_valid(targets)
            found[key] = pa.table({"source": pc.filter(uids, given), "target": pc.filter(targets, given)})
        else:  # every row names one: the sources are the rows' uids as they are (a filter would copy them)
            found[key] = pa.table({"source": uids, "target": targets})
    return found


CHUNK_ROWS = 100_000


def _chunks(rows: list[tuple[Any, ...]], release: bool) -> Iterator[list[tuple[Any, ...]]]:
    """The rows in chunks; with `release`, each chunk is removed from `rows` once it has been used."""
    if not release:
        yield rows
        return
    while True:
        chunk = rows[:CHUNK_ROWS]
        yield chunk
        del rows[:CHUNK_ROWS]
        if not rows:
            return


def _evidence_columns(model: ClassModel, columns: list[Sequence[Any]]) -> pa.Table:
    """What the evidence summary is derived from (trace/evidence_groups.py), for evidence register rows."""
    position = {f.target if f.is_reference else f.name: i for i, f in enumerate(model.columns)}
    return pa.table({
        "control_id": tables.array(columns[position["Control"]], pa.string()),
        "arrangement_id": tables.array(columns[position["OutsourcingArrangement"]], pa.string()),
        "collected_on": tables.array(columns[position["collected_on"]], pa.date32()),
        "evidence_id": tables.array(columns[position["evidence_id"]], pa.string()),
        "valid_until": tables.array(columns[position["valid_until"]], pa.date32()),
    })


class TableBuilder:
    """A tenant's store tables built chunk by chunk from validated rows (a validate_folder sink, or
    register_tables): each chunk becomes Arrow columns at once and its Python values can go. Only the
    registers in `registers` (names; None: every one) are converted, the others' chunks ignored. Without
    `summary`, no evidence summary is made (a comparison with the store needs none)."""

    def __init__(self, tenant: str, obligations_under: Mapping[str, Sequence[str]] | None,
                 registers: frozenset[str] | None = None, *, summary: bool = True) -> None:
        self.tenant = tenant
        self.obligations_under = obligations_under
        self.registers = registers
        self.summary = summary
        self._nodes: dict[str, list[pa.Table]] = {}
        self._links: dict[str, dict[LinkKey, list[pa.Table]]] = {}
        self._evidence: list[pa.Table] = []

    def add(self, model: ClassModel, columns: list[Sequence[Any]]) -> None:
        """One chunk of a register's valid rows, column-wise (the register's columns, then `extra`): each a sequence
        of Python values or an Arrow array."""
        if self.registers is None or (model.register or model.name) in self.registers:
            self._convert(model, columns)

    def _convert(self, model: ClassModel, columns: list[Sequence[Any]]) -> None:
        chunk = _Chunk(columns)
        part = _node_table(model, chunk, self.tenant)
        self._nodes.setdefault(model.name, []).append(part)
        links = self._links.setdefault(model.name, {})
        for key, table in _link_tables(model, chunk, part.column("uid"), self.tenant,
                                       self.obligations_under).items():
            links.setdefault(key, []).append(table)
        if model.name == EVIDENCE_CLASS and self.summary:
            self._evidence.append(_evidence_columns(model, columns))

    def uids(self, label: str) -> pa.ChunkedArray | None:
        """The uids of the rows converted so far for `label` (None: none were handed on)."""
        parts = self._nodes.get(label)
        return pa.chunked_array([p.column("uid").combine_chunks() for p in parts], pa.string()) if parts else None

    def tables(self, models: Sequence[ClassModel], worker: Executor | None = None) -> RegisterTables:
        """The tables of `models` (each of them, empty when no row was handed on), and the evidence summary
        when the evidence register is among them and the builder makes one (computed by `worker`, when given:
        pending, started). The builder lets go of its parts."""
        nodes: dict[str, pa.Table | Pending] = {}
        links: dict[LinkKey, pa.Table] = {}
        for model in models:
            if model.name not in self._nodes:
                self._convert(model, [()] * (len(model.columns) + 1))
            nodes[model.name] = pa.concat_tables(self._nodes.pop(model.name))
            links.update({key: pa.concat_tables(parts) for key, parts in self._links.pop(model.name).items()})
            if model.name == EVIDENCE_CLASS and self.summary:
                evidence = pa.concat_tables(self._evidence) if self._evidence else \
                    _evidence_columns(model, [()] * (len(model.columns) + 1))
                if worker is None:
                    nodes[evidence_groups.LABEL] = evidence_groups.group_table(self.tenant, evidence)
                else:  # started at once: done (and the evidence columns let go of) before the store's peak
                    nodes[evidence_groups.LABEL] = summary = Pending(worker, evidence_groups.group_table,
                                                                     self.tenant, evidence)
                    summary.start()
                self._evidence = []
        return RegisterTables(self.tenant, nodes, links)


def register_tables(dataset: RegisterDataset, tenant: str, *, release_rows: bool = False) -> RegisterTables:
    """Every node and link of a tenant's registers, column-wise, and the evidence summary derived from the
    evidence register (EvidenceGroup). With `release_rows` the registers' rows are removed from the dataset as
    they are converted (chunk by chunk), so that a million validated rows and their columns are never held at
    once; the dataset is empty afterwards."""
    builder = TableBuilder(tenant, dataset.obligations_under)
    for register in dataset.registers.values():
        for rows in _chunks(register.rows, release_rows):
            builder.add(register.model, _transposed(register.model, rows))
    return builder.tables([register.model for register in dataset.registers.values()])


def replace_registers(store: Store, tenant: str, dataset: RegisterDataset,
                      progress: Progress | None = None, *, release_rows: bool = False,
                      record: pa.Table | Pending | None = None, partial: bool = False,
                      precondition: Callable[[], None] | None = None,
                      converted: RegisterTables | None = None,
                      patched: Mapping[str, pa.Array] | None = None) -> dict[str, int]:
    """Replace the tenant's registers with `dataset`, all or nothing (Store.replace_tenant runs the unit: on
    LadybugDB in a private copy of the database published once complete, writing only what differs from the
    stored tenant (Writer.replace_tenant);
    on Neo4j a new generation written in batches and published in one small transaction). Rows absent from the
    dataset are thereby removed; the same dataset twice gives the same store; on any failure the store keeps
    the tenant's previous data.

    The rows are converted to tables before the transaction (a store may run its unit again on a transient
    error); `release_rows` empties the dataset while doing so (see register_tables), and lets a store that
    runs a unit once only drop each table as soon as it is written.

    `record` is the tenant's load record (register_digests), written with the registers (pending: computed
    meanwhile, see Pending). With `partial` (a
    store that `replaces_labels`) the dataset holds only the registers to replace: the others stay as stored.
    `precondition` runs first inside the unit (under the store's write lock); it raises to write nothing.
    `converted` gives the dataset's tables when they were built as it was validated (TableBuilder).
    `patched` (with `partial`): labels whose tables hold only the rows of a file's changed chunks, with the
    uids of all their rows (Writer.replace_labels). A partial write goes through Store.patch_tenant (on Neo4j, in
    place in one transaction; PatchTooLargeError, nothing written, past the store's bound)."""
    counts = dataset.counts()
    graph = converted if converted is not None else register_tables(dataset, tenant, release_rows=release_rows)
    if record is not None:
        graph.nodes[RECORD_LABEL] = record
    release_tables = release_rows and not store.reruns_units
    steps = 1 + len(graph.nodes) + len(graph.links)
    done = 0

    def report(at: int) -> None:
        if progress is not None:
            progress("write", at, steps)

    def step() -> None:
        nonlocal done
        done += 1
        report(min(done, steps))

    def unit(writer: Writer) -> None:
        nonlocal done
        done = 0
        if precondition is not None:
            precondition()
        report(0)
        if partial:
            writer.replace_labels(tenant, graph.nodes, graph.links, release_tables, step, patched)
        else:
            writer.replace_tenant(tenant, graph.nodes, graph.links, release_tables, step)
        if done < steps:
            report(steps)

    (store.patch_tenant if partial else store.replace_tenant)(tenant, unit)
    return counts
