"""A small regulation and register builders for trace tests, written straight through the store port."""

from __future__ import annotations

import datetime as dt
from typing import Any

from regtrace.graph.port import Link, Row, Store, Writer
from regtrace.graph.schema import node_uid, store_schema
from regtrace.loaders.provision import Provision
from regtrace.trace.model import TraceRow

from regtrace.regulation_graph import Semantics, build_regulation_graph, write_regulation

SEED = "TEST-RULES"


def _p(
    pid: str,
    parent: str | None,
    level: str,
    modalities: list[str],
    effective: str | None,
    conditions: list[str] | None = None,
    frequency: int | None = None,
) -> Provision:
    return Provision(
        id=pid,
        parent=parent,
        level=level,
        label=f"label {pid}",
        text=f"text of {pid}",  # type: ignore[arg-type]
        modalities=modalities,
        effective_modality=effective,  # type: ignore[arg-type]
        conditions=conditions or [],
        applies_when=" and ".join(conditions) if conditions else None,
        frequency_months=frequency,
    )


MATERIAL_OFFSHORE = ["material", "natural_person_data", "offshore"]
PROVISIONS = [
    _p("A6", None, "article", ["shall"], "shall"),
    _p("A6.P1", "A6", "paragraph", ["shall"], "shall"),
    _p("A6.P1.I1", "A6.P1", "item", [], "shall"),
    _p("A6.P1.I7", "A6.P1", "item", [], "shall", MATERIAL_OFFSHORE),
    _p("A7", None, "article", ["shall"], "shall"),
    _p("A7.P1", "A7", "paragraph", ["shall"], "shall"),
    _p("A7.P1.I1", "A7.P1", "item", ["shall"], "shall"),
    _p("A7.P1.I2", "A7.P1", "item", ["shall"], "shall", ["internet_access"]),
    _p("A8", None, "article", ["shall"], "shall"),
    _p("A8.P1", "A8", "paragraph", ["shall"], "shall", frequency=12),
    _p("A9", None, "article", ["shall"], "shall"),
    _p("A9.P1", "A9", "paragraph", ["shall"], "shall"),
    _p("A9.P1.I1", "A9.P1", "item", [], "shall"),
    _p("A9.P1.I1.S1", "A9.P1.I1", "subitem", ["shall"], "shall", MATERIAL_OFFSHORE, 12),
    _p("A9.P1.I2", "A9.P1", "item", ["may"], "may"),
]
SEMANTICS = Semantics(
    non_normative=frozenset(),
    arrangement_articles=frozenset({5, 6, 7, 9, 10}),
    rules={"A6.P1.I1": "contract_clause", "A6.P1.I7": "contract_clause", "A9.P1.I1.S1": "audit_frequency"},
)
INSTRUMENTS = [{"instrument_id": SEED, "title": "test rules", "status": "in_force"}]


def write_test_regulation(store: Store) -> None:
    schema = store_schema().nodes["Instrument"]
    instruments = [{**{n: None for n in schema.names if n != "uid"}, **i} for i in INSTRUMENTS]
    graph = build_regulation_graph(SEED, PROVISIONS, instruments, {}, {}, SEMANTICS)
    write_regulation(store, graph)


def node(label: str, tenant: str, **props: Any) -> Row:
    """A full node row for a tenant-scoped label: unspecified properties are None."""
    schema = store_schema().nodes[label]
    row: Row = {name: None for name in schema.names}
    row.update(props, tenant=tenant, uid=node_uid(tenant, props[schema.key]))
    return row


class Registers:
    """Collects register nodes and links for one tenant, then writes them in one transaction."""

    def __init__(self, tenant: str = "t1") -> None:
        self.tenant = tenant
        self.nodes: dict[str, list[Row]] = {}
        self.links: dict[tuple[str, str, str], list[Link]] = {}

    def _add(self, label: str, **props: Any) -> str:
        row = node(label, self.tenant, **props)
        self.nodes.setdefault(label, []).append(row)
        return str(row["uid"])

    def _link(self, rel: str, source: str, target: str, s: str, t: str) -> None:
        self.links.setdefault((rel, source, target), []).append(Link(s, t))

    def csp(self, csp_id: str = "CSP1") -> str:
        return self._add("CloudServiceProvider", csp_id=csp_id, name=csp_id)

    def arrangement(
        self,
        aid: str,
        facts: list[str] | None = None,
        csp: str = "CSP1",
        start: dt.date = dt.date(2020, 1, 1),
        end: dt.date | None = None,
    ) -> str:
        facts = facts or []
        uid = self._add(
            "OutsourcingArrangement",
            arrangement_id=aid,
            name=aid,
            service_model="SaaS",
            start_date=start,
            end_date=end,
            facts=facts,
            data_locations=[],
            **{
                f: f in facts
                for f in (
                    "material",
                    "offshore",
                    "natural_person_data",
                    "customer_data",
                    "hybrid_cloud",
                    "internet_access",
                    "vm_or_container_images",
                    "subcontracting",
                    "foreign_branch",
                )
            },
        )
        self._link("PROVIDED_BY", "OutsourcingArrangement", "CloudServiceProvider", uid, node_uid(self.tenant, csp))
        return uid

    def control(
        self, cid: str, satisfies: list[str], applies_to: list[str] | None = None, frequency: int | None = None
    ) -> str:
        uid = self._add(
            "Control", control_id=cid, name=cid, frequency_months=frequency, applies_to_all=applies_to is None
        )
        for o in satisfies:
            self._link("SATISFIES", "Control", "Obligation", uid, o)
        for a in applies_to or []:
            self._link("APPLIES_TO", "Control", "OutsourcingArrangement", uid, node_uid(self.tenant, a))
        return uid

    def evidence(
        self,
        eid: str,
        control: str,
        collected: dt.date,
        arrangement: str | None = None,
        valid_until: dt.date | None = None,
    ) -> str:
        uid = self._add("Evidence", evidence_id=eid, title=eid, collected_on=collected, valid_until=valid_until)
        self._link("EVIDENCES", "Evidence", "Control", uid, node_uid(self.tenant, control))
        if arrangement:
            self._link("CONCERNS", "Evidence", "OutsourcingArrangement", uid, node_uid(self.tenant, arrangement))
        return uid

    def contract(
        self, kid: str, arrangement: str, clauses: list[str], signed: dt.date, expires: dt.date | None = None
    ) -> str:
        uid = self._add("Contract", contract_id=kid, signed_on=signed, expires_on=expires)
        self._link("GOVERNS", "Contract", "OutsourcingArrangement", uid, node_uid(self.tenant, arrangement))
        for o in clauses:
            self._link("COVERS_CLAUSE", "Contract", "Obligation", uid, o)
        return uid

    def audit(self, audit_id: str, arrangement: str, kind: str, performed: dt.date, independent: bool = True) -> str:
        uid = self._add("Audit", audit_id=audit_id, kind=kind, performed_on=performed, auditor="x",
                        independent=independent)
        self._link("AUDITS", "Audit", "OutsourcingArrangement", uid, node_uid(self.tenant, arrangement))
        return uid

    def finding(self, fid: str, audit: str, status: str, due: dt.date | None, closed: dt.date | None = None,
                severity: str = "high", cites: list[str] | None = None) -> str:
        uid = self._add("Finding", finding_id=fid, severity=severity, status=status, due_on=due, closed_on=closed)
        self._link("RAISED_IN", "Finding", "Audit", uid, node_uid(self.tenant, audit))
        for o in cites or []:
            self._link("CITES", "Finding", "Obligation", uid, o)
        return uid

    def company(self, foreign_branch: bool = False, multi_cloud: bool = False) -> str:
        return self._add("Company", legal_name="測試人壽", foreign_branch=foreign_branch, multi_cloud=multi_cloud)

    def system(self, sid: str, arrangement: str, material: bool | None = None, npd: bool | None = None,
               locations: list[str] | None = None) -> str:
        uid = self._add("System", system_id=sid, name=sid, material=material, natural_person_data=npd,
                        data_locations=locations)
        self._link("RUNS_UNDER", "System", "OutsourcingArrangement", uid, node_uid(self.tenant, arrangement))
        return uid

    def approval(self, aid: str, supports: list[str], decided: dt.date, valid_until: dt.date | None = None,
                 arrangement: str | None = None, kind: str = "board_resolution") -> str:
        uid = self._add("Approval", approval_id=aid, kind=kind, reference="ref", decided_on=decided,
                        valid_until=valid_until)
        for o in supports:
            self._link("SUPPORTS", "Approval", "Obligation", uid, o)
        if arrangement:
            self._link("AUTHORISES", "Approval", "OutsourcingArrangement", uid, node_uid(self.tenant, arrangement))
        return uid

    def certification(self, cid: str, standard: str, valid_until: dt.date, csp: str = "CSP1",
                      valid_from: dt.date | None = dt.date(2024, 1, 1), scope: list[str] | None = None) -> str:
        """A CSP's certificate; scope None is `*` (every arrangement), [] is a blank scope_arrangements."""
        uid = self._add("Certification", certification_id=cid, standard=standard, valid_from=valid_from,
                        valid_until=valid_until, scope_arrangements_all=scope is None)
        self._link("HELD_BY", "Certification", "CloudServiceProvider", uid, node_uid(self.tenant, csp))
        for a in scope or []:
            self._link("SCOPE_COVERS", "Certification", "OutsourcingArrangement", uid, node_uid(self.tenant, a))
        return uid

    def create(self, w: Writer) -> None:
        """Create every node and link (in a unit)."""
        for label, rows in self.nodes.items():
            w.create_nodes(label, rows)
        for (rel, _source, _target), links in self.links.items():
            w.link(rel, links)

    def write(self, store: Store) -> None:
        def unit(w: Writer) -> None:
            w.delete_tenant(self.tenant)
            self.create(w)

        store.write(unit)


def row(rows: list[TraceRow], provision: str, subject: str) -> TraceRow:
    """The one row of a provision for a subject (a test fails unless there is exactly one)."""
    found = [r for r in rows if r.provision == provision and r.subject == subject]
    assert len(found) == 1, f"{provision}/{subject}: {found}"
    return found[0]
