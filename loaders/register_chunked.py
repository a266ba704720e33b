"""A reload of a register file that differs from the last load by a few rows: only the rows of its changed
chunks (register_chunks) are validated and converted; the rows of unchanged chunks are not parsed again.

Those rows were valid when last loaded and every other register is as it was then (register_digests.by_chunks:
the register alone changed and none references it), so each row of an unchanged chunk is still valid on its
own. What a changed row can still conflict with is checked here by key sets: its id must not be an unchanged
row's (an unchanged chunk matches a stored one at most as many times as it was stored, so unchanged rows hold
no duplicate among themselves). A changed row that is invalid, or takes an unchanged row's id, sends the load
down the full path (registers._load), which validates the file whole and names the file, row and column.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from operator import itemgetter

import pyarrow as pa
import pyarrow.compute as pc
from regtrace.graph.port import Store
from regtrace.ontology.model import ClassModel, load_ontology

from .register_changes import RegisterChange
from .register_chunks import RowChunker, header_digest, stored_counts, unambiguous
from .register_digests import ReloadPlan
from .register_reader import READ_ERRORS, RegisterFolder
from .register_validation import RegisterDataset, register_order

UidsOf = Callable[[str], "pa.ChunkedArray | None"]


@dataclass
class ChangedChunks:
    """The register reloaded by chunks: its unchanged rows' ids, the chunker holding the new digests, and
    (once accepted) the uids of every row of the file."""

    register: str
    model: ClassModel
    tenant: str
    chunker: RowChunker
    unchanged: list[str]  # the ids of the unchanged chunks' rows, in file order
    _uids: pa.Array | None = field(default=None)

    @property
    def label(self) -> str:
        return self.model.name

    def accept(self, dataset: RegisterDataset, uids_of: UidsOf) -> bool:
        """Whether the validated changed rows fit with the unchanged ones (no id of both); then the register
        counts every row of the file."""
        changed = uids_of(self.label)
        kept = pc.binary_join_element_wise(f"{self.tenant}/", pa.array(self.unchanged, pa.string()), "")
        if changed is not None and pc.any(pc.is_in(kept, value_set=changed.combine_chunks())).as_py():
            return False
        parts = [kept] if changed is None else [kept, changed.combine_chunks()]
        self._uids = pa.concat_arrays(parts)
        dataset.registers[self.register].handed_on += len(self.unchanged)
        return True

    def bound(self, store: Store) -> RegisterChange:
        """The register's change for the removal check with the most rows it can remove: every stored row
        but those of unchanged chunks (they are stored: the tenant is as last loaded). The exact count needs
        every stored uid; it is taken only when this bound would refuse the load."""
        stored = store.count(self.label, self.tenant)
        rows = len(self.uids())
        return RegisterChange(self.register, stored, rows, 0, 0, max(stored - len(self.unchanged), 0))

    def uids(self) -> pa.Array:
        """The uids of every row of the file (after `accept`)."""
        if self._uids is None:
            raise ValueError("the changed rows were not accepted")
        return self._uids

    def uids_with(self, uids_of: UidsOf) -> UidsOf:
        """`uids_of`, giving every row's uids for this register's label."""
        return lambda label: pa.chunked_array([self.uids()]) if label == self.label else uids_of(label)


def changed_chunks(folder: RegisterFolder, plan: ReloadPlan, tenant: str) -> ChangedChunks | None:
    """Read the plan's chunked register, keep its changed chunks' rows as the rows its table gives (to be
    validated: their numbers are not the file's, so any problem in them must send the load down the full path)
    and the ids of the others. None when the register cannot be reloaded by chunks (another header, no stored
    digests, a read error): read the folder again and load it whole."""
    name = plan.chunked
    if name is None or plan.stored is None:
        return None
    table = folder.tables[name]
    stored = plan.stored.chunks.get(name)
    counts = stored_counts(stored)
    if counts is None or not isinstance(stored, dict) or stored.get("header") != header_digest(table.header):
        return None
    model = next(m for m in register_order(load_ontology()) if (m.register or m.name) == name)
    key = _key_index(model, table.header)
    if key is None:
        return None
    chunker = RowChunker(table.header)
    changed: list[Sequence[str]] = []
    unchanged: list[str] = []
    pick = itemgetter(key)
    try:
        for chunk in chunker.chunks(table.rows, table.first_row):
            if counts[chunk.digest] > 0 and (table.plain or unambiguous(chunk)):
                counts[chunk.digest] -= 1
                try:
                    ids = list(map(str.strip, map(pick, chunk.rows)))
                except IndexError:  # a blank line
                    ids = []
                if "" in ids or len(ids) != len(chunk.rows):  # a blank row is no row
                    ids = [cells[key].strip() for cells in chunk.rows if any(cells)]
                unchanged.extend(ids)
            else:
                changed.extend(chunk.rows)
    except READ_ERRORS:
        return None
    table.rows = iter(changed)
    return ChangedChunks(name, model, tenant, chunker, unchanged)


def _key_index(model: ClassModel, header: Sequence[str]) -> int | None:
    """The position of the register's id column in the file's header (None: not found)."""
    column = model.columns[0].column.lower()
    found = [i for i, h in enumerate(header) if h.strip().lower() == column]
    return found[0] if len(found) == 1 else None
