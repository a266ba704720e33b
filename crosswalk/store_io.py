"""Mapping sets in a store: written all or nothing, shared by every tenant of the store, read back with counts.

Node keys: a Framework by its id (ISO27001), a FrameworkControl by FRAMEWORK:ID, a MappingSet by its id and a
Mapping by SET/PROVISION/FRAMEWORK:ID. Writing a set replaces every mapping it had before (in the same write).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from collections.abc import Mapping as MappingType
from pathlib import Path
from typing import Any

from regtrace.graph.port import Link, Row, Store, Writer

from regtrace.errors import CurationError, NotFoundError

from .importing import Context, SetOptions, read_mapping_file
from .model import SEPARATOR, Framework, MappingSet
from .shipped import check_set, shipped_frameworks, shipped_sets


def mapping_uid(set_id: str, provision: str, control_ref: str) -> str:
    return f"{set_id}/{provision}/{control_ref}"


def _framework_row(f: Framework) -> Row:
    return {"uid": f.id, "framework_id": f.id, "title": f.title, "version": f.version, "publisher": f.publisher,
            "note": f.note}


def _control_rows(f: Framework) -> list[Row]:
    return [{"uid": f.ref(c.code), "control_ref": f.ref(c.code), "code": c.code, "title": c.title,
             "title_en": c.title_en} for c in f.controls]


def _set_row(s: MappingSet) -> Row:
    return {"uid": s.id, "mapping_set_id": s.id, "title": s.title, "version": s.version, "method": s.method,
            "status": s.status, "origin": s.origin, "made_by": s.made_by, "reviewed_by": s.reviewed_by,
            "made_on": s.made_on, "note": s.note}


def write_sets(store: Store, sets: Sequence[MappingSet], frameworks: Iterable[Framework]) -> None:
    """Write the frameworks' catalogs and the sets in one transaction; each set's earlier mappings go."""
    frameworks = list(frameworks)
    by_set: dict[str, list[str]] = {}
    for link in store.links("IN_SET"):
        by_set.setdefault(link["target"], []).append(link["source"])
    stale = sorted(uid for s in sets for uid in by_set.get(s.id, []))

    def unit(w: Writer) -> None:
        if stale:
            w.delete_nodes("Mapping", stale)
        if frameworks:
            w.upsert_nodes("Framework", [_framework_row(f) for f in frameworks])
            w.upsert_nodes("FrameworkControl", [r for f in frameworks for r in _control_rows(f)])
            w.link("IN_FRAMEWORK", [Link(f.ref(c.code), f.id) for f in frameworks for c in f.controls])
        for s in sets:
            w.upsert_nodes("MappingSet", [_set_row(s)])
            w.link("SOURCE_INSTRUMENT", [Link(s.id, s.source)])
            w.link("TARGET_FRAMEWORK", [Link(s.id, s.framework)])
            refs = [f"{s.framework}{SEPARATOR}{m.target}" for m in s.mappings]
            uids = [mapping_uid(s.id, m.source, ref) for m, ref in zip(s.mappings, refs, strict=True)]
            rows = [{"uid": uid, "mapping_id": uid,
                     "relationship": m.relationship, "rationale_type": m.rationale_type, "rationale": m.rationale,
                     "strength": m.strength, "confidence": m.confidence, "reviewed_by": m.reviewed_by}
                    for m, uid in zip(s.mappings, uids, strict=True)]
            if not rows:
                continue
            w.create_nodes("Mapping", rows)
            w.create_links("IN_SET", [Link(uid, s.id) for uid in uids])
            w.create_links("MAPS_PROVISION", [Link(uid, m.source) for uid, m in zip(uids, s.mappings, strict=True)])
            w.create_links("MAPS_CONTROL", [Link(uid, ref) for uid, ref in zip(uids, refs, strict=True)])

    store.write(unit)


def install_shipped(store: Store) -> None:
    """The curated sets of ontology/crosswalks/, checked against the store's regulation, written (idempotent)."""
    provisions = frozenset(r["provision_id"] for r in store.nodes("Provision"))
    frameworks = {f.id: f for f in shipped_frameworks()}
    sets = shipped_sets()
    for s in sets:
        check_set(s, provisions, frameworks)
        if not store.nodes_by_uid("Instrument", [s.source], None):
            raise CurationError(f"mapping set {s.id}: source instrument {s.source} is not in the store")
    write_sets(store, sets, frameworks.values())


def needs_shipped(store: Store) -> bool:
    """Whether a store holds the regulation but none of the shipped frameworks (made before crosswalks)."""
    return store.count("Framework") == 0 and store.count("Provision") > 0


def set_summaries(store: Store) -> list[dict[str, Any]]:
    """Every mapping set with its provenance, target framework, mapping counts (in all and by relationship)
    and how many provisions it maps, ordered by id."""
    sets = store.nodes("MappingSet")
    target = {r["source"]: r["target"] for r in store.links("TARGET_FRAMEWORK")}
    source = {r["source"]: r["target"] for r in store.links("SOURCE_INSTRUMENT")}
    in_set = {r["source"]: r["target"] for r in store.links("IN_SET")}
    provision_of = {r["source"]: r["target"] for r in store.links("MAPS_PROVISION")}
    relationship = {r["uid"]: r["relationship"] for r in store.nodes("Mapping")}
    counts: dict[str, Counter[str]] = {s["uid"]: Counter() for s in sets}
    provisions: dict[str, set[str]] = {s["uid"]: set() for s in sets}
    for uid, set_id in in_set.items():
        if uid not in provision_of:  # its provision is gone from the regulation (an amended text): not a mapping
            continue
        counts[set_id][relationship[uid]] += 1
        provisions[set_id].add(provision_of[uid])
    result = []
    for s in sorted(sets, key=lambda r: str(r["uid"])):
        c = counts[s["uid"]]
        result.append({
            "mapping_set_id": s["mapping_set_id"], "title": s["title"], "source": source.get(s["uid"]),
            "framework": target.get(s["uid"]), "version": s["version"], "method": s["method"],
            "status": s["status"], "origin": s["origin"], "made_by": s["made_by"], "reviewed_by": s["reviewed_by"],
            "made_on": s["made_on"].isoformat() if s["made_on"] else None,
            "mappings": sum(c.values()), "by_relationship": {k: c[k] for k in sorted(c)},
            "provisions_mapped": len(provisions[s["uid"]])})
    return result


def set_mappings(store: Store, set_id: str) -> list[dict[str, Any]]:
    """The mappings of one set as rows: source (provision id), target (FRAMEWORK:ID), the control's titles,
    relationship, rationale type, rationale, strength, confidence, reviewed_by; in the provisions' order."""
    if not store.nodes_by_uid("MappingSet", [set_id], None):
        raise NotFoundError(f"no mapping set {set_id!r} in the store")
    members = {r["source"] for r in store.links("IN_SET") if r["target"] == set_id}
    provision_of = {r["source"]: r["target"] for r in store.links("MAPS_PROVISION")
                    if r["source"] in members}
    control_of = {r["source"]: r["target"] for r in store.links("MAPS_CONTROL")
                  if r["source"] in members}
    order = {p["provision_id"]: p["ordinal"] for p in store.nodes("Provision")}
    titles = {c["uid"]: c for c in store.nodes_by_uid("FrameworkControl", sorted(set(control_of.values())), None)}
    rows = [{"source": provision_of[m["uid"]], "target": control_of[m["uid"]],
             "control_title": titles[control_of[m["uid"]]]["title"],
             "control_title_en": titles[control_of[m["uid"]]]["title_en"], "relationship": m["relationship"],
             "rationale_type": m["rationale_type"], "rationale": m["rationale"], "strength": m["strength"],
             "confidence": m["confidence"], "reviewed_by": m["reviewed_by"]}
            for m in store.nodes_by_uid("Mapping", sorted(members), None)
            if m["uid"] in provision_of and m["uid"] in control_of]
    return sorted(rows, key=lambda r: (order.get(r["source"], 1 << 30), r["target"]))


def frameworks_in(store: Store) -> MappingType[str, frozenset[str]]:
    """Each framework id in the store with the control ids of its catalog."""
    codes: dict[str, set[str]] = {f["uid"]: set() for f in store.nodes("Framework")}
    for r in store.links("IN_FRAMEWORK"):
        codes.setdefault(r["target"], set()).add(r["source"].split(":", 1)[1])
    return {k: frozenset(v) for k, v in codes.items()}


def import_context(store: Store) -> Context:
    """What an import is validated against in this store."""
    instruments = {r["instrument_id"] for r in store.nodes("Instrument")}
    source = next((s.source for s in shipped_sets() if s.source in instruments), None)
    if source is None:
        raise NotFoundError("the store holds no regulation to map from")
    shipped = {f.id for f in shipped_frameworks()}
    fixed = {k: v for k, v in frameworks_in(store).items() if k in shipped}
    return Context(frozenset(r["provision_id"] for r in store.nodes("Provision")), fixed,
                   frozenset(s.id for s in shipped_sets()), source)


def import_mapping_file(store: Store, path: Path, options: SetOptions) -> dict[str, Any]:
    """Validate the file whole, then write its set in one transaction; returns the set's summary."""
    imported = read_mapping_file(path, import_context(store), options)
    write_sets(store, [imported.mapping_set], [imported.framework] if imported.new_framework else [])
    return next(s for s in set_summaries(store) if s["mapping_set_id"] == imported.mapping_set.id)
