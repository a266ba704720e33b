"""Reading evidence for the exports, which may be a million items: by chunks of controls, never all at once.

Each read follows EVIDENCES backwards from a chunk of controls (the evidence nodes and their control in one
query), then CONCERNS for those items. The tables take the first chunks until a cap, controls in the order
of the first obligation each satisfies, so the evidence sheet is complete up to where it says it stops.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from regtrace.graph.filters import Compare, Hop, RelatedQuery, SortKey
from regtrace.graph.port import Row, Store

PAGE = 100_000  # evidence items per read (about)
LOOKUP_CHUNK = 100_000  # evidence uids per CONCERNS lookup


@dataclass
class EvidencePage:
    """Evidence nodes with the control each evidences and the arrangement it concerns (uids)."""

    rows: list[Row] = field(default_factory=list)
    control_of: dict[str, str] = field(default_factory=dict)
    arrangement_of: dict[str, str] = field(default_factory=dict)

    def extend(self, other: EvidencePage) -> None:
        self.rows += other.rows
        self.control_of |= other.control_of
        self.arrangement_of |= other.arrangement_of


def _chunks(control_uids: Sequence[str], counts: Mapping[str, int], page: int) -> Iterator[list[str]]:
    """Consecutive controls whose evidence adds up to about `page` items."""
    chunk: list[str] = []
    size = 0
    for uid in control_uids:
        chunk.append(uid)
        size += counts.get(uid, 0)
        if size >= page:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def _read(store: Store, tenant: str, controls: list[str], as_of: dt.date | None) -> EvidencePage:
    where = Compare("collected_on", "lte", as_of) if as_of is not None else None
    hits = store.related(RelatedQuery("Control", tuple(controls), (Hop("EVIDENCES", "in", "Evidence"),), tenant,
                                      where, (SortKey("evidence_id"),)))
    page = EvidencePage()
    for hit in hits:
        control = hit.pop("_from")
        hit.pop("_edge", None)
        page.rows.append(hit)
        page.control_of[hit["uid"]] = control
    uids = [r["uid"] for r in page.rows]
    for start in range(0, len(uids), LOOKUP_CHUNK):
        chunk = tuple(uids[start:start + LOOKUP_CHUNK])
        for hit in store.related(RelatedQuery("Evidence", chunk, (Hop("CONCERNS", "out", "OutsourcingArrangement"),),
                                              tenant)):
            page.arrangement_of[hit["_from"]] = hit["uid"]
    return page


def pages(store: Store, tenant: str, control_uids: Sequence[str], counts: Mapping[str, int],
          as_of: dt.date | None = None, page: int = PAGE) -> Iterator[EvidencePage]:
    """Every evidence item of the controls (collected on or before `as_of` when given), about `page` at a time.
    `counts` (control uid -> items) only sizes the chunks."""
    for chunk in _chunks(control_uids, counts, page):
        yield _read(store, tenant, chunk, as_of)


def first(store: Store, tenant: str, control_uids: Sequence[str], counts: Mapping[str, int], as_of: dt.date,
          cap: int) -> tuple[EvidencePage, frozenset[str]]:
    """Evidence collected on or before `as_of` of the first controls, whole controls at a time, until at least
    `cap` items; also the control uids whose evidence was read."""
    result = EvidencePage()
    read: set[str] = set()
    for chunk in _chunks(control_uids, counts, min(cap, PAGE)):
        if len(result.rows) >= cap:
            break
        result.extend(_read(store, tenant, chunk, as_of))
        read.update(chunk)
    return result, frozenset(read)
