"""The regulation as graph rows: instruments, provisions, actors and the obligations derived from them.

An obligation is an obligation-bearing leaf provision (effective modality shall, must_not or should), or a
curated lead-in (a parent whose own words impose a duty), outside the non-normative articles. It falls on each
arrangement when its article is one of the arrangement articles or its conditions use arrangement facts, else
on the company as a whole; the curation may say it falls on both.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from regtrace.crosswalk.targets import TargetIndex, is_target, target_index
from regtrace.graph.port import Link, Row, Store, Writer
from regtrace.loaders.provision import OBLIGATION_MODALITIES, Provision
from regtrace.trace.conditions import COMPANY_ONLY_FACTS
from regtrace.versions import SEED_LABEL, VersionBook, node_key


@dataclass(frozen=True)
class RegulationGraph:
    """Everything the store holds of the regulation, as node rows and links."""

    instruments: list[Row]
    provisions: list[Row]
    obligations: list[Row]
    actors: list[Row]
    links: dict[tuple[str, str, str], list[Link]]
    versions: list[Row] = field(default_factory=list)  # the InstrumentVersion row of the text (none: unversioned)


@dataclass(frozen=True)
class Semantics:
    """The curated choices that turn provisions into obligations."""

    non_normative: frozenset[str]
    arrangement_articles: frozenset[int]
    rules: Mapping[str, str]  # provision id -> contract_clause | audit_frequency
    lead_ins: Mapping[str, str] = field(default_factory=dict)  # provision id -> the modality of its own duty
    falls_on: Mapping[str, str] = field(default_factory=dict)  # provision id -> arrangement | company | both
    shall_when: Mapping[str, str] = field(default_factory=dict)  # provision id -> condition for binding as shall


def _path(p: Provision, by_id: Mapping[str, Provision]) -> list[str]:
    path = [p.id]
    while (parent := by_id[path[0]].parent) is not None:
        path.insert(0, parent)
    return path


def _frequency(path: Sequence[str], by_id: Mapping[str, Provision]) -> int | None:
    for pid in reversed(path):
        if by_id[pid].frequency_months is not None:
            return by_id[pid].frequency_months
    return None


def obligation_rows(provisions: Sequence[Provision], semantics: Semantics) -> list[Row]:
    """The obligations: one per obligation-bearing leaf provision and one per curated lead-in."""
    by_id = {p.id: p for p in provisions}
    parents = {p.parent for p in provisions if p.parent}
    rows = []
    for ordinal, p in enumerate(provisions):
        path = _path(p, by_id)
        lead_in = p.id in semantics.lead_ins
        if not lead_in and (p.id in parents or p.effective_modality not in OBLIGATION_MODALITIES):
            continue
        if any(pid in semantics.non_normative for pid in path):
            continue
        on_arrangement = p.article in semantics.arrangement_articles or bool(set(p.conditions) - COMPANY_ONLY_FACTS)
        rows.append(
            {
                "uid": p.id,
                "obligation_id": p.id,
                "modality": semantics.lead_ins[p.id] if lead_in else p.effective_modality,
                "falls_on": semantics.falls_on.get(p.id, "arrangement" if on_arrangement else "company"),
                "rule": semantics.rules.get(p.id, "control_evidence"),
                "conditions": sorted(p.conditions),
                "applies_when": p.applies_when,
                "shall_when": semantics.shall_when.get(p.id),
                "lead_in": lead_in,
                "frequency_months": _frequency(path, by_id),
                "article": p.article,
                "ordinal": ordinal,
            }
        )
    return rows


def build_regulation_graph(
    instrument_id: str,
    provisions: Sequence[Provision],
    instruments: Iterable[Mapping[str, Any]],
    actors: Mapping[str, str],
    instrument_ids_by_title: Mapping[str, str],
    semantics: Semantics,
    version: Row | None = None,
    *,
    first: bool = True,
) -> RegulationGraph:
    """Rows and links for the store; `instruments` are rows of the Instrument label without uid. With `version`
    (an InstrumentVersion row), every provision and obligation carries its label and belongs to it; the keys of
    a version other than the `first` are `<id>@<label>` (regtrace.versions)."""
    by_id = {p.id: p for p in provisions}
    label = version["version"] if version else None

    def key(item_id: str) -> str:
        return item_id if first or label is None else node_key(item_id, label, first)
    instrument_rows = [
        {"uid": i["instrument_id"], **{k: v for k, v in i.items() if k != "superseded_by"}} for i in instruments
    ]
    links: dict[tuple[str, str, str], list[Link]] = {
        ("SUPERSEDED_BY", "Instrument", "Instrument"): [
            Link(i["instrument_id"], i["superseded_by"]) for i in instruments if i.get("superseded_by")
        ],
        ("PART_OF", "Provision", "Instrument"): [Link(key(p.id), instrument_id) for p in provisions],
        ("CHILD_OF", "Provision", "Provision"): [Link(key(p.id), key(p.parent)) for p in provisions if p.parent],
        ("MENTIONS", "Provision", "Actor"): [Link(key(p.id), a) for p in provisions for a in p.actors if a in actors],
        ("REFERENCES", "Provision", "Instrument"): [
            Link(key(p.id), instrument_ids_by_title[r.instrument],
                 {"articles": list(r.articles), "points": list(r.points)})
            for p in provisions
            for r in p.references
            if r.instrument in instrument_ids_by_title
        ],
    }
    provision_rows = [
        {
            "uid": key(p.id),
            "provision_id": p.id,
            "level": p.level,
            "label": p.label,
            "text": p.text,
            "ordinal": i,
            "article": p.article,
            "modalities": list(p.modalities),
            "effective_modality": p.effective_modality,
            "conditions": sorted(p.conditions),
            "frequency_months": p.frequency_months,
            "actors": list(p.actors),
            "path": _path(p, by_id),
            "csp_meetable": None,  # curated for the seed only (regtrace.crosswalk.shipped)
            "csp_meetable_quote": None,
            "version": label,
        }
        for i, p in enumerate(provisions)
    ]
    obligations = obligation_rows(provisions, semantics)
    for o in obligations:
        o["uid"], o["version"] = key(o["obligation_id"]), label
    links[("IMPOSES", "Provision", "Obligation")] = [Link(o["uid"], o["uid"]) for o in obligations]
    versions: list[Row] = []
    if version is not None:
        versions = [{**version, "uid": version["version_id"]}]
        links[("VERSION_OF", "InstrumentVersion", "Instrument")] = [Link(version["version_id"], instrument_id)]
        links[("IN_VERSION", "Provision", "InstrumentVersion")] = [Link(str(r["uid"]), version["version_id"])
                                                                   for r in provision_rows]
    actor_rows = [{"uid": a, "actor_id": a, "name": name} for a, name in actors.items()]
    return RegulationGraph(instrument_rows, provision_rows, obligations, actor_rows, links, versions)


def write_regulation(store: Store, graph: RegulationGraph) -> None:
    """Write the regulation in one transaction; provisions or obligations of the same version no longer in it
    are removed (other versions are never touched)."""
    def same_version(row: Row) -> bool:
        return not graph.versions or (row.get("version") or SEED_LABEL) == graph.versions[0]["version"]

    stale = {
        label: sorted({r["uid"] for r in store.nodes(label) if same_version(r)} - {r["uid"] for r in rows})
        for label, rows in (("Provision", graph.provisions), ("Obligation", graph.obligations))
    }

    def unit(w: Writer) -> None:
        for label, uids in stale.items():
            if uids:
                w.delete_nodes(label, uids)
        write_regulation_rows(w, graph)

    store.write(unit)


def write_regulation_rows(w: Writer, graph: RegulationGraph) -> None:
    """The regulation graph's nodes and links, inside a caller's write."""
    if graph.versions:
        w.upsert_nodes("InstrumentVersion", graph.versions)
    w.upsert_nodes("Instrument", graph.instruments)
    w.upsert_nodes("Actor", graph.actors)
    w.upsert_nodes("Provision", graph.provisions)
    w.upsert_nodes("Obligation", graph.obligations)
    for (rel_type, _source, _target), links in graph.links.items():
        if links:
            w.link(rel_type, links)


class ObligationsUnder(Mapping[str, list[str]]):
    """Each provision id of one version mapped to the store keys of the obligations at or below it, in that
    version and, through the identity links, in every other stored version; remembers the ids looked up (the
    ones a register names) and which of them were renumbered between versions."""

    def __init__(self, under: dict[str, list[str]], version: str | None,
                 renumbered: dict[str, list[tuple[str, str]]] | None = None,
                 targets: TargetIndex | None = None) -> None:
        self._under = under
        self.version = version
        self.renumbered = renumbered or {}  # id -> [(other version, its id there)]
        self.named: set[str] = set()
        self.targets = targets  # the store's target control ids (a control's satisfies may name them)

    @property
    def by_provision(self) -> Mapping[str, list[str]]:
        """The provision ids and their obligations, read without counting the ids as named (a digest of the
        rules a load validates under reads them all: loaders/register_digests.py)."""
        return MappingProxyType(self._under)

    def __getitem__(self, key: str) -> list[str]:
        if self.targets is not None and is_target(key):
            return self._covered(key)
        self.named.add(key)
        return self._under[key]

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str) and self.targets is not None and is_target(key):
            return bool(self._covered(key))
        if isinstance(key, str):
            self.named.add(key)
        return key in self._under

    def _covered(self, ref: str) -> list[str]:
        """The obligations at or below each provision the target control id covers (README "Registers")."""
        assert self.targets is not None
        found: dict[str, None] = {}
        for pid in self.targets.covers.get(ref, ()):
            self.named.add(pid)
            found.update(dict.fromkeys(self._under.get(pid, ())))
        if not found:
            raise KeyError(ref)
        return list(found)

    def __iter__(self) -> Iterator[str]:
        return iter(self._under)

    def __len__(self) -> int:
        return len(self._under)

    def renumbering_warnings(self) -> list[str]:
        """One line per id a register named whose provision has another id in another stored version."""
        return [f"條次異動 renumbered: {pid} of version {self.version} is {old} in version {other}; the registers "
                f"are read in version {self.version}'s numbering (choose another with --regulation-version)"
                for pid in sorted(self.named) if pid in self.renumbered
                for other, old in self.renumbered[pid]]


def obligations_under(store: Store, version: str | None = None, on: dt.date | None = None) -> ObligationsUnder:
    """Each provision id mapped to the obligations at or below it (for register validation and loading), in the
    numbering of `version` (a label), else of the version in force `on` (default today); the keys include every
    other version's counterparts, so a trace as of any date finds the mapping."""
    book = VersionBook.read(store)
    if book.single and version is None:
        return ObligationsUnder(obligations_under_rows(book.provisions, book.obligations), book.first_label,
                                targets=target_index(store))
    chosen = book.by_label(version) if version else book.in_force(on or dt.date.today())
    provisions, obligations = book.provisions_of(chosen.label), book.obligations_of(chosen.label)
    under = obligations_under_rows(provisions, obligations)
    uid_of = {o["obligation_id"]: o["uid"] for o in obligations}
    counterparts = book.counterparts([p["uid"] for p in provisions])
    obligation_uids = {o["uid"] for o in book.obligations}
    by_uid = {p["uid"]: p for p in book.provisions}
    keyed = {pid: sorted({u for oid in oids for u in counterparts[uid_of[oid]] if u in obligation_uids})
             for pid, oids in under.items()}
    renumbered: dict[str, list[tuple[str, str]]] = {}
    for p in provisions:
        for uid in sorted(counterparts[p["uid"]]):
            other = by_uid.get(uid)
            if other is not None and other["provision_id"] != p["provision_id"]:
                renumbered.setdefault(p["provision_id"], []).append((book.label_of(other), other["provision_id"]))
    return ObligationsUnder(keyed, chosen.label, renumbered, target_index(store))


def obligations_under_graph(graph: RegulationGraph) -> dict[str, list[str]]:
    """obligations_under for a regulation graph not (or not yet) in a store, e.g. the bundled seed."""
    return obligations_under_rows(graph.provisions, graph.obligations)


def obligations_under_rows(provisions: Iterable[Row], obligation_rows: Iterable[Row]) -> dict[str, list[str]]:
    obligations = {r["obligation_id"] for r in obligation_rows}
    under: dict[str, list[str]] = {}
    for p in provisions:
        under.setdefault(p["provision_id"], [])
        if p["provision_id"] in obligations:
            for pid in p["path"]:
                under.setdefault(pid, []).append(p["provision_id"])
    return under
