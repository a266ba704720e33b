"""The amendment `regtrace impact` weighs: from the stored version in force on the date traced (README "What an
amendment changes for us") to NEW_TEXT, a text file or a stored version's label.

While the seed is in force this is `regtrace.amendment.amend` (the seed's curation carried by the diff's
matching). Once an adopted version is in force, the current side is that version as the store holds it (its
provisions and obligations, which the trace of that day reads), and the amended side is built as `regtrace adopt`
would write it from that version (its curated reading carried by the same identity rules). The tenant's mappings
are read in the numbering of the version in force (`regtrace.trace.gather`). Nothing is written.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from regtrace.amendment import Amendment, Version, amend, matching, whole_text
from regtrace.graph.port import Link, Row, Store
from regtrace.loaders.curation import load_curation, load_regulation, seed_text
from regtrace.loaders.regulation_diff import diff_regulations, read_side
from regtrace.regulation_graph import RegulationGraph
from regtrace.versions import VersionBook, version_uid
from regtrace.versions_text import stored_texts

_REFERENCES = ("REFERENCES", "Provision", "Instrument")
_SCRATCH = "impact"  # the label the amended version is built under in memory (never written)


def _by_id(graph: RegulationGraph) -> RegulationGraph:
    """The graph's references keyed by provision id, as the trace reads them (a later version's keys are
    `<id>@<label>`)."""
    ids = {p["uid"]: p["provision_id"] for p in graph.provisions}
    links = {**graph.links, _REFERENCES: [dataclasses.replace(link, source=ids.get(link.source, link.source))
                                         for link in graph.links.get(_REFERENCES, ())]}
    return dataclasses.replace(graph, links=links)


def _stored_graph(store: Store, book: VersionBook, label: str) -> RegulationGraph:
    """A stored version's provisions, obligations and references, as the trace of a day it is in force reads them."""
    provisions = book.provisions_of(label)
    keys = {p["uid"] for p in provisions}
    references = [Link(r["source"], r["target"]) for r in store.links("REFERENCES") if r["source"] in keys]
    return _by_id(RegulationGraph(store.nodes("Instrument"), provisions, book.obligations_of(label), [],
                                  {_REFERENCES: references}))


def _from_stored(store: Store, book: VersionBook, label: str, current_text: str, new: Path | str) -> Amendment:
    from regtrace.versions_adopt import successor_graph

    uncurated = load_curation().without_conditions()
    before = load_regulation(current_text, seed=False, curation=uncurated)
    before.source = f"version {label}"
    after = load_regulation(new, seed=False, curation=uncurated)
    diff = diff_regulations(before, after)
    diff.warnings[:0] = [*before.warnings, *after.warnings]
    whole = whole_text(before, after) if after.excerpt else after
    version = book.by_label(label)
    row: Row = {"version_id": version_uid(version.instrument_id, _SCRATCH), "version": _SCRATCH,
                "promulgated_on": None, "effective_from": None, "effective_until": None, "source_sha256": "",
                "source_text": "", "ordinal": version.ordinal + 1, "adopted_at": None}
    amended = _by_id(successor_graph(store, book, label, version.instrument_id, before, whole, diff, row)[3])
    current = Version(before, _stored_graph(store, book, label))
    return Amendment(diff, current, Version(whole, amended), matching(diff, before, whole))


def stored_amendment(store: Store, new_text: str, day: dt.date) -> tuple[str, Amendment]:
    """The label of the version in force on `day` and the amendment from it to NEW_TEXT (a file, or a stored
    version's label); NotFoundError for a name that is neither, or a day no stored version is in force."""
    texts = stored_texts(store)
    read_side(new_text, "NEW_TEXT", texts)  # a clear error naming the file or label before anything is built
    new: Path | str = Path(new_text) if Path(new_text).is_file() else texts[new_text]
    book = VersionBook.read(store)
    version = book.in_force(day)
    current_text = texts[version.label]
    if current_text == seed_text():
        return version.label, amend(new)
    return version.label, _from_stored(store, book, version.label, current_text, new)
