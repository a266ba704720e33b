"""The regulation as graph rows: instruments, provisions, actors and the obligations derived from them.

An obligation is an obligation-bearing leaf provision (effective modality shall, must_not or should), or a
curated lead-in (a parent whose own words impose a duty), outside the non-normative articles. It falls on each
arrangement when its article is one of the arrangement articles or its conditions use arrangement facts, else
on the company as a whole; the curation may say it falls on both.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from regtrace.graph.port import Link, Row, Store, Writer
from regtrace.loaders.provision import OBLIGATION_MODALITIES, Provision
from regtrace.trace.conditions import COMPANY_ONLY_FACTS


@dataclass(frozen=True)
class RegulationGraph:
    """Everything the store holds of the regulation, as node rows and links."""

    instruments: list[Row]
    provisions: list[Row]
    obligations: list[Row]
    actors: list[Row]
    links: dict[tuple[str, str, str], list[Link]]


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
) -> RegulationGraph:
    """Rows and links for the store; `instruments` are rows of the Instrument label without uid."""
    by_id = {p.id: p for p in provisions}
    instrument_rows = [
        {"uid": i["instrument_id"], **{k: v for k, v in i.items() if k != "superseded_by"}} for i in instruments
    ]
    links: dict[tuple[str, str, str], list[Link]] = {
        ("SUPERSEDED_BY", "Instrument", "Instrument"): [
            Link(i["instrument_id"], i["superseded_by"]) for i in instruments if i.get("superseded_by")
        ],
        ("PART_OF", "Provision", "Instrument"): [Link(p.id, instrument_id) for p in provisions],
        ("CHILD_OF", "Provision", "Provision"): [Link(p.id, p.parent) for p in provisions if p.parent],
        ("MENTIONS", "Provision", "Actor"): [Link(p.id, a) for p in provisions for a in p.actors if a in actors],
        ("REFERENCES", "Provision", "Instrument"): [
            Link(p.id, instrument_ids_by_title[r.instrument], {"articles": list(r.articles), "points": list(r.points)})
            for p in provisions
            for r in p.references
            if r.instrument in instrument_ids_by_title
        ],
    }
    provision_rows = [
        {
            "uid": p.id,
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
        }
        for i, p in enumerate(provisions)
    ]
    obligations = obligation_rows(provisions, semantics)
    links[("IMPOSES", "Provision", "Obligation")] = [Link(o["obligation_id"], o["obligation_id"]) for o in obligations]
    actor_rows = [{"uid": a, "actor_id": a, "name": name} for a, name in actors.items()]
    return RegulationGraph(instrument_rows, provision_rows, obligations, actor_rows, links)


def write_regulation(store: Store, graph: RegulationGraph) -> None:
    """Write the regulation in one transaction; provisions or obligations no longer in it are removed."""
    stale = {
        label: sorted({r["uid"] for r in store.nodes(label)} - {r["uid"] for r in rows})
        for label, rows in (("Provision", graph.provisions), ("Obligation", graph.obligations))
    }

    def unit(w: Writer) -> None:
        for label, uids in stale.items():
            if uids:
                w.delete_nodes(label, uids)
        w.upsert_nodes("Instrument", graph.instruments)
        w.upsert_nodes("Actor", graph.actors)
        w.upsert_nodes("Provision", graph.provisions)
        w.upsert_nodes("Obligation", graph.obligations)
        for (rel_type, _source, _target), links in graph.links.items():
            if links:
                w.link(rel_type, links)

    store.write(unit)


def obligations_under(store: Store) -> dict[str, list[str]]:
    """Each provision id mapped to the obligation ids at or below it (for register validation)."""
    return obligations_under_rows(store.nodes("Provision"), store.nodes("Obligation"))


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
