"""Which mappings of a store can carry evidence from a control to a provision, and which certificates certify
against which framework (README "Trace semantics", certificates and controls naming target ids).

A mapping can prove its provision when the control demands at least what the provision does — relationship
`equal`, or `subset` (provision subset-of control) — and its set is `reviewed`: a shipped set marked reviewed
in its file, or a set an admin imported with `--status reviewed` (the admin's reviewed assertion). A draft
set never proves anything; superset and intersect mappings never do.
"""

from __future__ import annotations

from collections.abc import Mapping as MappingType

from regtrace.graph.port import Store

from .model import PROVING, SEPARATOR, vocabulary
from .shipped import shipped_frameworks

COUNTING_STATUS = "reviewed"

# (framework id, provision id) -> the control refs (FRAMEWORK:ID) whose evidence can prove that provision.
Proving = MappingType[tuple[str, str], tuple[str, ...]]


def proving_mappings(store: Store) -> dict[tuple[str, str], tuple[str, ...]]:
    """Every equal or subset mapping of a reviewed set, by (framework, provision)."""
    reviewed = {s["uid"] for s in store.nodes("MappingSet") if s["status"] == COUNTING_STATUS}
    if not reviewed:
        return {}
    in_set = {r["source"]: r["target"] for r in store.links("IN_SET")}
    counting = {m["uid"] for m in store.nodes("Mapping")
                if m["relationship"] in PROVING and in_set.get(m["uid"]) in reviewed}
    provision_of = {r["source"]: r["target"] for r in store.links("MAPS_PROVISION")
                    if r["source"] in counting}
    found: dict[tuple[str, str], set[str]] = {}
    for r in store.links("MAPS_CONTROL"):
        if r["source"] in provision_of:
            framework = r["target"].split(SEPARATOR, 1)[0]
            found.setdefault((framework, provision_of[r["source"]]), set()).add(r["target"])
    return {key: tuple(sorted(refs)) for key, refs in found.items()}


def certified_frameworks(store: Store) -> dict[str, str]:
    """Each certifications-register standard -> the framework its certificates certify against: the shipped
    frameworks' `certified_by` (ISO27001, ISO27017, CSA-STAR -> CCM), else a framework of the store whose id is
    the standard's word (an imported SOC2 set); standards with neither are absent."""
    in_store = {f["uid"] for f in store.nodes("Framework")}
    result = {standard: f.id for f in shipped_frameworks() if f.id in in_store for standard in f.certified_by}
    for standard in vocabulary("Certification", "standard"):
        if standard in in_store:
            result.setdefault(standard, standard)
    return result
