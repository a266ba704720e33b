"""What the trace reads from a store for one tenant and date (`gather`): the regulation, the registers, and the
evidence summarised per control and arrangement (the one register too big to bring into Python whole): from
the summary kept at load time (trace/evidence_groups.py) when it answers for the date, else from the store's
aggregation of the evidence rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

from regtrace.crosswalk.evidence import certified_frameworks, proving_mappings
from regtrace.graph.port import Row, Store
from regtrace.graph.schema import node_key, node_uid

from . import evidence_groups
from .collector import gc_paused
from .model import (
    Approval,
    Arrangement,
    Audit,
    Certification,
    Contract,
    EvidenceSummary,
    Finding,
    System,
    TraceInputs,
)
from .rules import stamp_id
from .versioned import VersionScope

EARLIEST = dt.date(1900, 1, 1)
COMPANY_FACT_COLUMNS = ("foreign_branch", "multi_cloud")


def _ids(value: Any) -> tuple[str, ...]:
    """A list property of provision ids (None or [] -> ())."""
    return tuple(value or ())


def arrangements(store: Store, tenant: str, as_of: dt.date) -> list[Arrangement]:
    """The arrangements started on or before the date (those ended before it too)."""
    csp_of = {r["source"]: r["target"]
              for r in store.links("PROVIDED_BY", tenant)}
    result = []
    for row in store.nodes("OutsourcingArrangement", tenant):
        if row["start_date"] and row["start_date"] > as_of:
            continue
        csp_uid = csp_of.get(row["uid"])
        result.append(Arrangement(row["arrangement_id"], row["name"], node_key(tenant, csp_uid) if csp_uid else None,
                                  frozenset(row["facts"] or ()), bool(row["material"]), row["start_date"],
                                  row["end_date"]))
    return result


def active_arrangements(store: Store, tenant: str, as_of: dt.date) -> list[Arrangement]:
    """Arrangements in effect on the date: started on or before it and not ended before it."""
    return [a for a in arrangements(store, tenant, as_of) if a.end_date is None or a.end_date >= as_of]


def company_facts(store: Store, tenant: str) -> frozenset[str]:
    """The company register's facts that hold (none without a company row)."""
    row = store.company(tenant)
    return frozenset(f for f in COMPANY_FACT_COLUMNS if row is not None and row.get(f) is True)


def systems(store: Store, tenant: str) -> list[System]:
    """The systems that describe materiality: the only ones material_npd_offshore_system looks at (an
    arrangement none of whose systems does is decided by its own flags), read as such by the store."""
    return [System(row["system_id"], row["arrangement_id"], row["material"], row["natural_person_data"],
                   tuple(row["data_locations"]) if row["data_locations"] is not None else None)
            for row in store.systems_describing_materiality(tenant)]


def contracts(store: Store, tenant: str, scope: VersionScope | None = None) -> list[Contract]:
    governs = {r["source"]: node_key(tenant, r["target"])
               for r in store.links("GOVERNS", tenant)}
    clauses: dict[str, set[str]] = {}
    if scope is not None and not scope.single:
        clauses = scope.targets(store, "COVERS_CLAUSE", "Contract", tenant)
    for r in store.links("COVERS_CLAUSE", tenant) if not clauses else ():
        clauses.setdefault(r["source"], set()).add(r["target"])
    return [Contract(row["contract_id"], governs.get(row["uid"], ""), row["signed_on"], row["expires_on"],
                     frozenset(clauses.get(row["uid"], ()))) for row in store.nodes("Contract", tenant)]


def findings(store: Store, tenant: str) -> list[Finding]:
    """Every finding; `provisions` holds the obligations it cites (expanded when loaded; () when blank)."""
    return [Finding(row["finding_id"], row["audit_id"], row["severity"], row["status"], row["due_on"],
                    row["closed_on"], _ids(row["obligations"])) for row in store.findings(tenant)]


def approvals(store: Store, tenant: str) -> list[Approval]:
    """Every approval; `provisions` holds the obligations it supports (expanded when loaded)."""
    return [Approval(row["approval_id"], row["arrangement_id"], row["kind"], row["decided_on"], row["valid_until"],
                     _ids(row["obligations"])) for row in store.approvals(tenant)]


def certifications(store: Store, tenant: str) -> list[Certification]:
    """Every certification with its CSP and the arrangements its scope covers (`*`: scope_arrangements_all)."""
    held = {r["source"]: node_key(tenant, r["target"])
            for r in store.links("HELD_BY", tenant)}
    scope: dict[str, set[str]] = {}
    for r in store.links("SCOPE_COVERS", tenant):
        scope.setdefault(r["source"], set()).add(node_key(tenant, r["target"]))
    return [Certification(row["certification_id"], held.get(row["uid"], ""), row["standard"], row["valid_from"],
                          row["valid_until"], bool(row["scope_arrangements_all"]),
                          frozenset(scope.get(row["uid"], ())))
            for row in store.nodes("Certification", tenant)]


def gather(store: Store, tenant: str, as_of: dt.date, version: str | None = None) -> TraceInputs:
    """Ask the store for everything the rules need, of the regulation version in force on `as_of` (or of the
    stored version labelled `version`: what a trace would be against it). The cyclic collector is paused while
    the reads make their tens of thousands of acyclic rows (in a server holding earlier traces, its collections
    over them took 0.4 of a 1M tenant's 0.95 s of reads from Neo4j)."""
    with gc_paused():
        return _gather(store, tenant, as_of, version)


def _gather(store: Store, tenant: str, as_of: dt.date, version: str | None) -> TraceInputs:
    scope = VersionScope.read(store, as_of, version)
    inputs = TraceInputs(
        as_of=as_of,
        provisions=scope.provisions,
        obligations={r["obligation_id"]: r for r in scope.obligations},
        arrangements=arrangements(store, tenant, as_of),
        company_facts=company_facts(store, tenant),
        systems=systems(store, tenant),
        contracts=contracts(store, tenant, scope),
        audits=[Audit(r["audit_id"], r["arrangement_id"], r["kind"], r["performed_on"], bool(r["independent"]))
                for r in store.audits_between(tenant, EARLIEST, as_of)],
        findings=findings(store, tenant),
        approvals=approvals(store, tenant),
        instruments={r["instrument_id"]: r for r in store.nodes("Instrument")},
        version=scope.version.to_json() if scope.version else None,
        certifications=certifications(store, tenant),
        certified_frameworks=certified_frameworks(store),
        proving=proving_mappings(store),
    )
    if not scope.single:
        scope.restrict(store, tenant, inputs)
    for r in store.links("SUPERSEDED_BY"):
        inputs.successors[r["source"]] = r["target"]
    for r in store.links("REFERENCES"):
        if (pid := scope.provision_id(r["source"])) is not None:
            inputs.references[pid] = tuple(sorted({*inputs.references.get(pid, ()), r["target"]}))
    for link in scope.control_links(store, tenant):
        inputs.controls.setdefault(link["obligation_id"], []).append(link)
    groups = store.evidence_groups(tenant)
    summarised = evidence_groups.summaries_on(groups, as_of)
    if summarised is not None and sum(g["evidence_count"] for g in groups) == store.count("Evidence", tenant):
        inputs.evidence, inputs.evidence_valid_until = summarised
        return inputs
    # A date before some group's newest evidence (a trace of the past), or a store written before the groups
    # were kept: the store aggregates the evidence rows.
    for row in store.evidence_summary(tenant, as_of):
        per_control = inputs.evidence.setdefault(row["control_id"], {})
        per_control.setdefault(row["arrangement_id"], EvidenceSummary()).add(row)
    inputs.evidence_valid_until = _valid_until(store, tenant, inputs)
    return inputs


def _valid_until(store: Store, tenant: str, inputs: TraceInputs) -> dict[str, dt.date | None]:
    """valid_until of each newest evidence item that is past it (to say when it stopped being fresh)."""
    expired = sorted({stamp_id(s.latest) for per in inputs.evidence.values() for s in per.values()
                      if s.latest is not None and s.latest != s.latest_unexpired})
    rows: list[Row] = []
    for start in range(0, len(expired), 1000):
        rows += store.nodes_by_uid("Evidence", [node_uid(tenant, e) for e in expired[start:start + 1000]], tenant)
    return {r["evidence_id"]: r["valid_until"] for r in rows}
