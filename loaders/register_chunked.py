"""A reload of a register file that differs from the last load by a few rows, or by none while a register it
references changed: only the rows of its changed chunks (register_chunks, cut from the file's bytes as it was
scanned) are parsed with the csv module, validated and converted; the bytes of unchanged chunks are not decoded
or parsed again.

Those rows were valid when last loaded, and none references them (register_digests.by_chunks). Every other
register is as it was then, or a register they reference changed too: then the ids their stored rows reference
must all still be there (`references_kept`; their checks read no other row of another register). So each row of an
unchanged chunk is still valid on its own. What a changed row can still conflict with is another row's id: the ids
of every row of the file are read at once from its id column (pyarrow's CSV reader, in C++, the id column alone),
and each id the csv module read in the changed rows must be there exactly once (no unchanged row holds it, and the
two readers agree). A changed row that is invalid, an id held twice, or any disagreement sends the load down the
full path (registers._load), which validates the file whole and names the file, row and column. The write
(graph/ladybug_diff.py) checks that the unchanged rows' ids are stored by counting the label's stored nodes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from regtrace.graph.filters import Hop, RelatedQuery
from regtrace.graph.port import Store
from regtrace.ontology.model import ClassModel, load_ontology

from .register_changes import RegisterChange
from .register_chunks import Span, header_digest, stored_counts
from .register_digests import ReloadPlan
from .register_reader import READ_ERRORS, RegisterFolder, Table
from .register_validation import RegisterDataset, register_order

UidsOf = Callable[[str], "pa.ChunkedArray | None"]
# At most this many ids gone from a referenced register are looked up in the stored rows' links (each one's
# referring rows are read); more, and the register is judged whole.
GONE_LOOKED_UP = 1_000
# A file whose changed chunks hold more than CHUNKED_SHARE of its bytes, and more than CHUNKED_BYTES, is read whole.
# By chunks, the changed chunks' rows are parsed and validated one by one and their stored nodes and links looked up
# (graph/ladybug_diff.py); whole, the file goes column-wise and is compared with the stored label in one read. At 1M
# evidence with rows retitled across the file (bench/README.md, 2026-12-02): 0.5 % of the bytes changed, 4.6 s and
# 631 MB by chunks against 12.9 s and 1.5 GB whole; 2 %, 6.9 s against 15.5 s; 5 %, 14.3 s and 917 MB against 16.9 s;
# 10 % and every line ending changed (before a record's CRLF and LF ending gave one digest), by chunks with the links
# read by a scan, 20.7 s and 50 s against 12.7 s and 9.7 s. Up to a megabyte of changed rows (~7,000 evidence rows)
# costs little either way: a small file goes by chunks however much of it changed.
CHUNKED_SHARE = 0.05
CHUNKED_BYTES = 1 << 20


@dataclass
class ChangedChunks:
    """The register reloaded by chunks and the uids of every row of its file (from its id column)."""

    register: str
    model: ClassModel
    tenant: str
    every: pa.Array  # the uids of every row of the file, in file order
    unchanged: int = field(default=0)  # rows in unchanged chunks (after `accept`)
    _accepted: bool = field(default=False)

    @property
    def label(self) -> str:
        return self.model.name

    def accept(self, dataset: RegisterDataset, uids_of: UidsOf) -> bool:
        """Whether the validated changed rows fit with the others: each changed row's id is in the file once (its
        own row: no unchanged row holds it, and both readers found it); then the register counts every row of
        the file. Validation found no id twice among the changed rows."""
        changed = uids_of(self.label)
        n_changed = 0 if changed is None else len(changed)
        if changed is not None and n_changed:
            ids = changed.combine_chunks()
            matching = self.every.filter(pc.is_in(self.every, value_set=ids))  # the file's rows with those ids
            if len(matching) != n_changed or not pc.all(pc.is_in(ids, value_set=matching)).as_py():
                return False
        self.unchanged = len(self.every) - n_changed
        dataset.registers[self.register].handed_on += self.unchanged
        self._accepted = True
        return True

    def references_kept(self, store: Store, written: Collection[str], uids_of: UidsOf) -> bool:
        """Whether every id the register's stored rows reference in a register written now (labels `written`,
        their rows' uids `uids_of`) is still there: a register it references changed too, and the unchanged
        rows were judged against its ids as they were. A stored row naming an id gone (a row of a changed chunk
        as well: the check is of what is stored) sends the load down the full path, which judges every row."""
        onto = load_ontology()
        for f in self.model.columns:
            target = onto.classes.get(f.target or "")
            if target is None or not target.tenant_scoped or target.name not in written:
                continue
            now = uids_of(target.name)
            kept = set() if now is None else set(now.to_pylist())
            gone = tuple(uid for uid in store.uids(target.name, self.tenant).to_pylist() if uid not in kept)
            if len(gone) > GONE_LOOKED_UP:  # a register replaced rather than edited: judged whole
                return False
            hop = Hop(onto.relation(self.model.name, f.name).type, "in", self.label)
            if gone and store.related(RelatedQuery(target.name, gone, (hop,), self.tenant)):
                return False
        return True

    def bound(self, store: Store) -> RegisterChange:
        """The register's change for the removal check with the most rows it can remove: every stored row but
        those of unchanged chunks (they are stored: the tenant is as last loaded). The exact count needs every
        stored uid; it is taken only when this bound would refuse the load."""
        stored = store.count(self.label, self.tenant)
        return RegisterChange(self.register, stored, len(self.uids()), 0, 0, max(stored - self.unchanged, 0))

    def uids(self) -> pa.Array:
        """The uids of every row of the file (after `accept`)."""
        if not self._accepted:
            raise ValueError("the changed rows were not accepted")
        return self.every

    def uids_with(self, uids_of: UidsOf) -> UidsOf:
        """`uids_of`, giving every row's uids for this register's label."""
        return lambda label: pa.chunked_array([self.uids()]) if label == self.label else uids_of(label)


def mostly_changed(folder: RegisterFolder, plan: ReloadPlan) -> bool:
    """Whether the plan's chunked register's changed chunks hold more than CHUNKED_SHARE of its file's bytes (and
    more than CHUNKED_BYTES): then it is read whole, from the folder as it was read (nothing of it read by chunks)."""
    changed = _changed_spans(folder, plan)
    if changed is None or plan.chunked is None:
        return False
    total = sum(span.length for span in folder.tables[plan.chunked].spans or ())
    return sum(span.length for span in changed) > max(CHUNKED_SHARE * total, CHUNKED_BYTES)


def changed_chunks(folder: RegisterFolder, plan: ReloadPlan, tenant: str) -> ChangedChunks | None:
    """Compare the plan's chunked register's chunks with the stored digests; its table then gives the rows of the
    changed chunks alone (to be validated: their numbers are not the file's, so any problem in them must send
    the load down the full path). None when the register cannot be reloaded by chunks (another header, no
    stored digests, no chunks, a header not on the first line, a read error): read the folder again and load
    it whole."""
    changed = _changed_spans(folder, plan)
    if changed is None:
        return None
    name = plan.chunked
    assert name is not None
    table = folder.tables[name]
    assert table.path is not None and table.encoding is not None
    model = next(m for m in register_order(load_ontology()) if (m.register or m.name) == name)
    key = _key_index(model, table.header)
    if key is None:
        return None
    try:
        every = _file_uids(table.path, table.encoding, key, tenant)
        rows = _rows_of(table.path, table.encoding, changed)
    except (*READ_ERRORS, pa.ArrowException):
        return None
    if every is None:
        return None
    table.rows, table.columnar = iter(rows), False
    return ChangedChunks(name, model, tenant, every)


def _changed_spans(folder: RegisterFolder, plan: ReloadPlan) -> list[Span] | None:
    """The chunks of the plan's chunked register's file whose digests the stored record lacks (None: it cannot be
    compared: another header, no stored digests, no chunks, a header not on the first line)."""
    name = plan.chunked
    if name is None or plan.stored is None:
        return None
    table = folder.tables[name]
    stored = plan.stored.chunks.get(name)
    counts = stored_counts(stored)
    if (counts is None or not isinstance(stored, dict) or stored.get("header") != header_digest(table.header)
            or table.spans is None or table.path is None or table.encoding is None or table.first_row != 2):
        return None
    changed: list[Span] = []
    for span in table.spans:
        if counts[span.digest] > 0:
            counts[span.digest] -= 1
        else:
            changed.append(span)
    return changed


def chunk_record(table: Table) -> dict[str, object] | None:
    """What the load record keeps of a CSV file's chunks (None: it has none)."""
    if table.spans is None:
        return None
    return {"header": header_digest(table.header), "chunks": [s.digest for s in table.spans]}


def _rows_of(path: Path, encoding: str, spans: Sequence[Span]) -> list[Sequence[str]]:
    """The rows of the given chunks (in file order), read with the csv module; the header's row (in the first
    chunk) left out. Adjacent chunks are read as one."""
    runs: list[tuple[int, int]] = []
    for span in spans:
        if runs and runs[-1][0] + runs[-1][1] == span.offset:
            runs[-1] = (runs[-1][0], runs[-1][1] + span.length)
        else:
            runs.append((span.offset, span.length))
    rows: list[Sequence[str]] = []
    with path.open("rb") as fh:
        for offset, length in runs:
            fh.seek(offset)
            data = fh.read(length)
            text = data.decode(encoding if offset == 0 else _WITHOUT_BOM.get(encoding, encoding))
            found = list(csv.reader(io.StringIO(text, newline="")))
            rows.extend(found[1:] if offset == 0 else found)
    return rows


_WITHOUT_BOM = {"utf-8-sig": "utf-8"}


def _file_uids(path: Path, encoding: str, key: int, tenant: str) -> pa.Array | None:
    """The uids of every row of the file (its id column read by pyarrow's CSV reader, the header on line 1
    skipped, blank ids left out: a blank row), None when an id is not plain ASCII (read whole instead)."""
    column = f"f{key}"
    read = pacsv.read_csv(path, read_options=pacsv.ReadOptions(skip_rows=1, autogenerate_column_names=True,
                                                               use_threads=False),
                          parse_options=pacsv.ParseOptions(newlines_in_values=True),
                          convert_options=pacsv.ConvertOptions(include_columns=[column],
                                                               column_types={column: pa.binary()},
                                                               strings_can_be_null=False,
                                                               quoted_strings_can_be_null=False))
    raw = read.column(column).combine_chunks()
    # ASCII ids read the same in UTF-8 and Big5, and str.strip and ASCII trimming agree on them (a valid cell
    # holds no control character); any other id: the file is read whole
    try:
        text = raw.cast(pa.string())
    except pa.ArrowInvalid:
        return None
    if len(text) and not pc.all(pc.string_is_ascii(text)).as_py():
        return None
    ids = pc.ascii_trim_whitespace(text)
    ids = ids.filter(pc.not_equal(ids, ""))
    return pc.binary_join_element_wise(f"{tenant}/", ids, "")


def _key_index(model: ClassModel, header: Sequence[str]) -> int | None:
    """The position of the register's id column in the file's header (None: not found)."""
    column = model.columns[0].column.lower()
    found = [i for i, h in enumerate(header) if h.strip().lower() == column]
    return found[0] if len(found) == 1 else None
