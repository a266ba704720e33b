"""What an amended text would change for one member company, before it is adopted: `regtrace impact`.

The amendment (regtrace.amendment: the diff, the amended version built in memory, the matching) is traced
against the tenant's stored registers with the current and the amended obligations (regtrace.trace_against),
and the rows are compared: per change of the diff, the controls, contracts, evidence and arrangements it
touches and the rows whose status would change. Nothing is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from regtrace.amendment import Amendment
from regtrace.graph.filters import Compare, Hop, RelatedQuery
from regtrace.graph.port import Store
from regtrace.graph.schema import node_uid
from regtrace.loaders.regulation_diff import Change, RegulationDiff
from regtrace.tenants import require_tenant
from regtrace.trace import COMPANY, TraceInputs, TraceRow, gather
from regtrace.trace_against import trace_against, with_regulation


@dataclass(frozen=True)
class StatusChange:
    """A trace row whose status would change: None where the row does not exist on that side."""

    provision: str  # the amended text's id, or the current one's when the provision goes
    old_provision: str | None
    subject: str
    old: str | None
    new: str | None

    def to_json(self) -> dict[str, Any]:
        return {"provision": self.provision, "old_provision": self.old_provision, "subject": self.subject,
                "old": self.old, "new": self.new}


@dataclass(frozen=True)
class ChangeImpact:
    """One change of the diff and what of the tenant's it touches."""

    change: Change
    controls: tuple[str, ...]
    contracts: tuple[str, ...]
    evidence: tuple[str, ...]
    arrangements: tuple[str, ...]
    status_changes: tuple[StatusChange, ...]

    def to_json(self) -> dict[str, Any]:
        return {**self.change.to_json(), "controls": list(self.controls), "contracts": list(self.contracts),
                "evidence": list(self.evidence), "arrangements": list(self.arrangements),
                "status_changes": [s.to_json() for s in self.status_changes]}


@dataclass(frozen=True)
class Impact:
    tenant: str
    as_of: dt.date
    amendment: Amendment
    changes: list[ChangeImpact]
    # Rows whose status changes though the diff does not list their provision (roll-ups, rows whose
    # conditions depend on others, e.g. A6.P2 on the contract items).
    other_status_changes: list[StatusChange]

    @property
    def diff(self) -> RegulationDiff:
        return self.amendment.diff

    @property
    def warnings(self) -> list[str]:
        return [*self.diff.warnings, *self.amendment.warnings]

    def to_json(self) -> list[dict[str, Any]]:
        return [c.to_json() for c in self.changes]


def _rows_by_key(rows: Sequence[TraceRow]) -> dict[tuple[str, str], TraceRow]:
    return {(r.provision, r.subject): r for r in rows}


def _status_changes(old_rows: Mapping[tuple[str, str], TraceRow], new_rows: Mapping[tuple[str, str], TraceRow],
                    old_id: str | None, new_id: str | None, order: Mapping[str, int]) -> list[StatusChange]:
    subjects = sorted({s for (p, s) in old_rows if p == old_id} | {s for (p, s) in new_rows if p == new_id},
                      key=lambda s: (s != COMPANY, order.get(s, 0), s))
    found = []
    for subject in subjects:
        before = old_rows.get((old_id or "", subject))
        after = new_rows.get((new_id or "", subject))
        old_status = before.status if before else None
        new_status = after.status if after else None
        if old_status != new_status:
            found.append(StatusChange(new_id or old_id or "", old_id, subject, old_status, new_status))
    return found


def _touching(under: Mapping[str, list[str]], pid: str | None, mapped: Mapping[str, Iterable[str]]) -> set[str]:
    return {x for oid in (under.get(pid, ()) if pid else ()) for x in mapped.get(oid, ())}


def _evidence(store: Store, tenant: str, controls: Iterable[str], as_of: dt.date) -> dict[str, list[str]]:
    """Control id -> its evidence ids collected on or before the date."""
    uids = tuple(node_uid(tenant, c) for c in sorted(set(controls)))
    found: dict[str, list[str]] = {}
    if not uids:
        return found
    query = RelatedQuery("Control", uids, (Hop("EVIDENCES", "in", "Evidence"),), tenant,
                         Compare("collected_on", "lte", as_of))
    for hit in store.related(query):
        found.setdefault(hit["_from"].split("/", 1)[1], []).append(hit["evidence_id"])
    return found


@dataclass(frozen=True)
class ImpactReads:
    """What `impact` reads from the store (one job for the API's store queue): the tenant's trace inputs, the
    controls and contracts each change touches and their evidence."""

    tenant: str
    as_of: dt.date
    inputs: TraceInputs
    touched: list[tuple[Change, set[str], set[str]]]  # each change, its control ids and contract ids
    evidence: dict[str, list[str]]  # control id -> evidence ids collected on or before as_of


def _by_obligation(inputs: TraceInputs) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Obligation id -> the control ids satisfying it, and -> the contract ids listing it."""
    controls = {oid: [link["control_id"] for link in links] for oid, links in inputs.controls.items()}
    contracts: dict[str, list[str]] = {}
    for k in inputs.contracts:
        for oid in k.clauses:
            contracts.setdefault(oid, []).append(k.contract_id)
    return controls, contracts


def read_impact(store: Store, tenant: str, amendment: Amendment, as_of: dt.date) -> ImpactReads:
    """The store reads of `impact`; NotFoundError for a tenant without registers or an empty store."""
    tenant = require_tenant(store, tenant)
    inputs = gather(store, tenant, as_of)
    amended_inputs = with_regulation(inputs, amendment.amended.graph, amendment.ids)
    old_under, new_under = amendment.current.under(), amendment.amended.under()
    old_controls, old_contracts = _by_obligation(inputs)
    new_controls, new_contracts = _by_obligation(amended_inputs)
    touched = [(c, _touching(old_under, c.old_id, old_controls) | _touching(new_under, c.new_id, new_controls),
                _touching(old_under, c.old_id, old_contracts) | _touching(new_under, c.new_id, new_contracts))
               for c in amendment.diff.changes]
    evidence = _evidence(store, tenant, {x for _, controls, _ in touched for x in controls}, as_of)
    return ImpactReads(tenant, as_of, inputs, touched, evidence)


def finish_impact(reads: ImpactReads, amendment: Amendment) -> Impact:
    """The impact from its reads: the trace rules run on the current and the amended obligations (pure
    computation, no store)."""
    current = amendment.current
    identity = {oid: oid for oid in current.obligation_ids}
    old_rows = _rows_by_key(trace_against(reads.inputs, current.graph, identity))
    new_rows = _rows_by_key(trace_against(reads.inputs, amendment.amended.graph, amendment.ids))
    order = {a: i for i, a in enumerate(sorted(a.arrangement_id for a in reads.inputs.arrangements))}
    changes = []
    for c, controls, contracts in reads.touched:
        applicable = {s for (p, s), r in old_rows.items() if p == c.old_id and r.status != "not_applicable"}
        applicable |= {s for (p, s), r in new_rows.items() if p == c.new_id and r.status != "not_applicable"}
        changes.append(ChangeImpact(
            c, tuple(sorted(controls)), tuple(sorted(contracts)),
            tuple(sorted({e for x in controls for e in reads.evidence.get(x, ())})),
            tuple(sorted(applicable - {COMPANY})),
            tuple(_status_changes(old_rows, new_rows, c.old_id, c.new_id, order))))
    attributed = {(s.old_provision, s.provision, s.subject) for ci in changes for s in ci.status_changes}
    back = {new_id: old_id for old_id, new_id in amendment.ids.items()}
    others = [s for p in amendment.amended.graph.provisions
              for s in _status_changes(old_rows, new_rows, back.get(p["provision_id"]), p["provision_id"], order)
              if (s.old_provision, s.provision, s.subject) not in attributed]
    return Impact(reads.tenant, reads.as_of, amendment, changes, others)


def impact(store: Store, tenant: str, amendment: Amendment, as_of: dt.date) -> Impact:
    """What adopting the amendment would change for `tenant` as of the date; reads the store, writes nothing."""
    return finish_impact(read_impact(store, tenant, amendment, as_of), amendment)
