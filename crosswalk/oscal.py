"""A mapping set as an OSCAL 1.2 mapping collection (the model compliance-trestle 5 reads as
`trestle.oscal.mapping`): provenance (method, matching rationale, status, confidence), one mapping from the
regulation's catalog (oscal-catalog.json) to the framework, a map per provision → control with its
relationship in OSCAL's words, its rationale as remarks, its strength and confidence; and a source gap summary
of the obligations the set does not map. UUIDs are uuid5 of stable names: the same set gives the same file."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections import Counter
from typing import Any

from .model import OSCAL_RELATIONSHIP, SEPARATOR
from .views import CrosswalkView

OSCAL_VERSION = "1.2.0"
NS = "https://w3id.org/regtrace/ontology"
UUID_NS = uuid.UUID("6b7c2f0e-53a4-5d0c-9d8e-7265677472ac")  # regtrace's namespace for uuid5 (as exports/oscal)
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _uuid(*parts: object) -> str:
    return str(uuid.uuid5(UUID_NS, "/".join(str(p) for p in parts)))


def _prop(name: str, value: object) -> dict[str, str]:
    return {"name": name, "ns": NS, "value": str(value).strip()}


def file_name(set_id: str) -> str:
    return f"oscal-mapping-{_SAFE.sub('-', set_id)}.json"


def _set_confidence(view: CrosswalkView) -> str | None:
    """The set's confidence: the most common of its mappings' (ties to the lower one)."""
    counts = Counter(m["confidence"] for m in view.mappings if m["confidence"])
    if not counts:
        return None
    return max(("low", "medium", "high"), key=lambda c: (counts[c], -("low", "medium", "high").index(c)))


def mapping_collection(view: CrosswalkView, *, generated_at: dt.datetime, version: str,
                       catalog_href: str = "oscal-catalog.json") -> dict[str, Any]:
    s = view.summary
    set_id = view.set_id
    rationale_types = Counter(m["rationale_type"] for m in view.mappings)
    provenance: dict[str, Any] = {
        "method": s["method"],
        "matching-rationale": rationale_types.most_common(1)[0][0] if rationale_types else "semantic",
        "status": s["status"],
        "mapping-description": f"{s['title']}. Each map reads \"provision RELATIONSHIP control\" (NIST IR 8477 set "
                               "theory). Origin: " + s["origin"] + ".",
        "props": [_prop("origin", s["origin"]), _prop("version", s["version"])],
    }
    confidence = _set_confidence(view)
    if confidence:
        provenance["confidence-score"] = {"category": confidence}
    parties = [(role, who) for role, who in (("made-by", s["made_by"]), ("reviewed-by", s["reviewed_by"])) if who]
    if parties:
        provenance["props"] += [_prop(role, who) for role, who in parties]
    maps = []
    for m in view.mappings:
        code = m["target"].split(SEPARATOR, 1)[1]
        entry: dict[str, Any] = {
            "uuid": _uuid("map", set_id, m["source"], m["target"]),
            "relationship": OSCAL_RELATIONSHIP[m["relationship"]],
            "matching-rationale": m["rationale_type"],
            "sources": [{"type": "control", "id-ref": m["source"]}],
            "targets": [{"type": "control", "id-ref": code}],
            "remarks": m["rationale"],
        }
        if m["confidence"]:
            entry["confidence-score"] = {"category": m["confidence"]}
        props = [_prop("strength", m["strength"])] if m["strength"] is not None else []
        props += [_prop("reviewed-by", m["reviewed_by"])] if m["reviewed_by"] else []
        if props:
            entry["props"] = props
        maps.append(entry)
    mapping: dict[str, Any] = {
        "uuid": _uuid("mapping", set_id),
        "source-resource": {"type": "catalog", "href": catalog_href,
                            "props": [_prop("instrument", s["source"])]},
        "target-resource": {"type": "catalog", "href": f"#framework-{s['framework']}",
                            "props": [_prop("framework", s["framework"])]},
        "maps": maps,
    }
    if view.unmapped:
        mapping["source-gap-summary"] = {
            "uuid": _uuid("gap", set_id),
            "unmapped-controls": [{"with-ids": [pid for pid, _ in view.unmapped]}],
        }
        reasons = [f"{pid}: {why}" for pid, why in view.unmapped if why]
        if reasons:
            mapping["remarks"] = "Obligations without a counterpart, and why:\n" + "\n".join(reasons)
    return {"mapping-collection": {
        "uuid": _uuid("mapping-collection", set_id, s["version"]),
        "metadata": {
            "title": s["title"], "last-modified": generated_at.isoformat(), "version": s["version"],
            "oscal-version": OSCAL_VERSION,
            "props": [_prop("generator", f"regtrace {version}"), _prop("mapping-set-id", set_id)],
        },
        "provenance": provenance,
        "mappings": [mapping],
    }}
