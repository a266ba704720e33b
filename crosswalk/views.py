"""Each mapping set as the exports show it: provenance, the mappings in document order and the gap (the
obligations the set does not map, with the curated reason where the set ships with regtrace)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from regtrace.graph.port import Store

from .shipped import shipped_sets
from .store_io import set_mappings, set_summaries


@dataclass(frozen=True)
class CrosswalkView:
    summary: dict[str, Any]  # set_summaries' row
    mappings: list[dict[str, Any]]  # set_mappings' rows
    unmapped: list[tuple[str, str | None]]  # obligation id, reason (curated sets only)

    @property
    def set_id(self) -> str:
        return str(self.summary["mapping_set_id"])


def crosswalk_views(store: Store) -> list[CrosswalkView]:
    """Every mapping set of the store, ordered by id."""
    from regtrace.versions import VersionBook

    book = VersionBook.read(store)  # the mapping sets name the first version's provisions (the seed's numbering)
    obligations = sorted(book.obligations_of(book.first_label), key=lambda o: o["ordinal"])
    reasons = {s.id: {u.source: u.reason for u in s.unmapped} for s in shipped_sets()}
    views = []
    for summary in set_summaries(store):
        rows = set_mappings(store, summary["mapping_set_id"])
        mapped = {r["source"] for r in rows}
        why = reasons.get(summary["mapping_set_id"], {}) if summary["origin"] == "shipped" else {}
        unmapped = [(o["obligation_id"], why.get(o["obligation_id"])) for o in obligations
                    if o["obligation_id"] not in mapped]
        views.append(CrosswalkView(summary, rows, unmapped))
    return views
