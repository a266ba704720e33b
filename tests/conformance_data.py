"""Inputs and observations for the store conformance suite: the same data into every store, the same
questions to every store, answers as type-tagged JSON so `1 == True` or a date and its ISO string never pass
for each other."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from regtrace.graph.filters import And, Compare, Hop, NodeQuery, Not, Or, Related, RelatedQuery, SortKey
from regtrace.graph.port import Link, Store
from regtrace.graph.schema import node_uid, store_schema
from regtrace.trace import gaps, trace
from regtrace.trace.coverage import GROUPS, coverage, overall
from trace_fixtures import MATERIAL_OFFSHORE, Registers, node

from regtrace.seed import install_seed

DATES = (dt.date(2025, 6, 30), dt.date(2026, 11, 29), dt.date(2027, 12, 31))
TENANTS = ("t1", "t2")


def t1_registers() -> Registers:
    """One insurer with something of every kind: nulls, empty and full lists, dates on both sides of DATES."""
    reg = Registers("t1")
    reg.csp("CSP1")
    reg.csp("CSP2")
    reg.arrangement("ARR1", MATERIAL_OFFSHORE, start=dt.date(2021, 3, 1))
    reg.arrangement("ARR2", ["internet_access", "customer_data"], csp="CSP2")
    reg.arrangement("ARR3", ["self_managed", "hybrid_cloud"], end=dt.date(2026, 12, 31))
    reg.arrangement("ARR4", [], start=dt.date(2027, 1, 1))
    reg.control("C1", ["A4.P1.I1", "A7.P1.I1.S2", "A8.P1.I1"], frequency=6)
    reg.control("C2", ["A7.P1.I1.S2", "A7.P1.I2.S3"], applies_to=["ARR2", "ARR1"])
    reg.control("C3", ["A5.P1.I1", "A9.P1.I2"], applies_to=["ARR3"], frequency=24)
    reg.control("C4", ["A11.P1"], applies_to=[])
    reg.evidence("E1", "C1", dt.date(2026, 6, 1), "ARR1")
    reg.evidence("E2", "C1", dt.date(2026, 9, 1))
    reg.evidence("E3", "C2", dt.date(2025, 1, 15), "ARR2", valid_until=dt.date(2026, 1, 15))
    reg.evidence("E4", "C2", dt.date(2026, 10, 1), "ARR2", valid_until=dt.date(2026, 11, 29))
    reg.evidence("E5", "C3", dt.date(2026, 2, 2), "ARR3")
    reg.evidence("E6", "C1", dt.date(2026, 6, 1), "ARR1")  # same day as E1: the id breaks the tie
    reg.contract("K1", "ARR1", ["A6.P1.I1", "A6.P1.I2", "A6.P1.I7"], dt.date(2024, 1, 1))
    reg.contract("K2", "ARR2", ["A6.P1.I1"], dt.date(2023, 5, 5), dt.date(2026, 11, 29))
    reg.audit("AU1", "ARR1", "general", dt.date(2026, 3, 3))
    reg.audit("AU2", "ARR1", "project", dt.date(2025, 10, 10))
    reg.audit("AU3", "ARR3", "general", dt.date(2024, 4, 4))
    reg.nodes.setdefault("Certification", []).extend([
        node("Certification", "t1", certification_id="CERT1", standard="ISO/IEC 27001", scope="全部 all",
             issuer="BSI", valid_from=dt.date(2024, 1, 1), valid_until=dt.date(2027, 1, 1)),
        node("Certification", "t1", certification_id="CERT2", standard="CSA STAR", valid_until=dt.date(2026, 1, 1)),
    ])
    reg.links.setdefault(("HELD_BY", "Certification", "CloudServiceProvider"), []).extend([
        Link(node_uid("t1", "CERT1"), node_uid("t1", "CSP1")), Link(node_uid("t1", "CERT2"), node_uid("t1", "CSP2"))])
    reg.nodes.setdefault("Finding", []).append(
        node("Finding", "t1", finding_id="F1", severity="high", status="open", due_on=dt.date(2026, 12, 1)))
    reg.links.setdefault(("RAISED_IN", "Finding", "Audit"), []).append(
        Link(node_uid("t1", "F1"), node_uid("t1", "AU1")))
    reg.nodes["Finding"].append(node("Finding", "t1", finding_id="F2", title="契約缺資料刪除條款", severity="medium",
                                     status="closed", due_on=dt.date(2026, 6, 30), closed_on=dt.date(2026, 7, 2)))
    reg.links[("RAISED_IN", "Finding", "Audit")].append(Link(node_uid("t1", "F2"), node_uid("t1", "AU3")))
    reg.links[("CITES", "Finding", "Obligation")] = [
        Link(node_uid("t1", "F2"), "A6.P1.I2"), Link(node_uid("t1", "F2"), "A10.P1.I6.S2"),
        Link(node_uid("t1", "F2"), "A6.P1.I4")]
    reg.nodes["Company"] = [node("Company", "t1", legal_name="範例人壽保險股份有限公司台灣分公司",
                                 legal_name_en="Example Life Insurance, Taiwan Branch", foreign_branch=True,
                                 multi_cloud=False)]
    reg.nodes["System"] = [
        node("System", "t1", system_id="S2", name="核心", criticality="high", material=True, natural_person_data=True,
             data_locations=["TW", "SG"]),
        node("System", "t1", system_id="S1", name="報表", data_locations=[]),
        node("System", "t1", system_id="S3", name="行銷", material=False),
        node("System", "t1", system_id="S4", name="內部網站", criticality="low"),
    ]
    reg.links[("RUNS_UNDER", "System", "OutsourcingArrangement")] = [
        Link(node_uid("t1", "S2"), node_uid("t1", "ARR1")), Link(node_uid("t1", "S1"), node_uid("t1", "ARR1")),
        Link(node_uid("t1", "S3"), node_uid("t1", "ARR2")), Link(node_uid("t1", "S4"), node_uid("t1", "ARR2"))]
    reg.nodes["Approval"] = [
        node("Approval", "t1", approval_id="AP2", kind="board_resolution", reference="第5屆第3次董事會",
             decided_on=dt.date(2025, 3, 1)),
        node("Approval", "t1", approval_id="AP1", kind="fsc_approval", reference="金管保綜字第1140000001號",
             decided_on=dt.date(2021, 2, 1), valid_until=dt.date(2031, 1, 31)),
    ]
    reg.links[("AUTHORISES", "Approval", "OutsourcingArrangement")] = [
        Link(node_uid("t1", "AP1"), node_uid("t1", "ARR1"))]
    reg.links[("SUPPORTS", "Approval", "Obligation")] = [
        Link(node_uid("t1", "AP2"), "A4.P1.I1"), Link(node_uid("t1", "AP1"), "A9.P1.I1.S1"),
        Link(node_uid("t1", "AP1"), "A6.P1.I7")]
    return reg


def t2_registers() -> Registers:
    """A second insurer reusing t1's ids: nothing of it may show in t1's answers."""
    reg = Registers("t2")
    reg.csp("CSP1")
    reg.arrangement("ARR1", ["material"])
    reg.control("C1", ["A4.P1.I1", "A8.P1.I1"])
    reg.evidence("E1", "C1", dt.date(2026, 10, 10), "ARR1")
    return reg


def install(store: Store) -> None:
    """The real seed and both insurers."""
    install_seed(store)
    t1_registers().write(store)
    t2_registers().write(store)


def node_queries() -> list[NodeQuery]:
    """Filtered, sorted and paged reads that exercise every operator, null ordering and every quantifier."""
    applies = Hop("APPLIES_TO", "in", "Control", wildcard="applies_to_all")
    evidenced = Hop("EVIDENCES", "in", "Evidence")
    return [
        NodeQuery("Provision", None, Compare("article", "eq", 7), (SortKey("ordinal", True),), 2, 5),
        NodeQuery("Provision", None, And((Compare("level", "in", ("item", "subitem")),
                                          Compare("text", "contains", "雲端"))), (SortKey("label"),)),
        NodeQuery("Provision", None, None, (SortKey("frequency_months", True), SortKey("effective_modality")), 0, 20),
        NodeQuery("Provision", None, Compare("frequency_months", "is_null", False)),
        NodeQuery("Provision", None, Or((Compare("provision_id", "starts_with", "A6.P1"),
                                         Compare("provision_id", "ends_with", ".N2"))), (SortKey("provision_id"),)),
        NodeQuery("Obligation", None, Compare("conditions", "includes", "offshore"), (SortKey("ordinal"),)),
        NodeQuery("Obligation", None, Not(Compare("frequency_months", "is_null", True))),
        NodeQuery("Obligation", None, And(()), (SortKey("falls_on", True), SortKey("article")), 10, 10),
        NodeQuery("Obligation", None, Or(()), ()),
        NodeQuery("Instrument", None, Compare("abolished_on", "lte", dt.date(2026, 6, 1))),
        NodeQuery("Instrument", None, Compare("promulgated_on", "eq", None), (SortKey("promulgated_on"),)),
        NodeQuery("Evidence", "t1", Compare("collected_on", "lte", dt.date(2026, 6, 1)),
                  (SortKey("valid_until", True),)),
        NodeQuery("Evidence", "t1", None, (SortKey("valid_until"), SortKey("collected_on", True)), 1, 3),
        NodeQuery("Evidence", "t2", None),
        NodeQuery("OutsourcingArrangement", "t1", Related((applies,), "some", Compare("control_id", "eq", "C2"))),
        NodeQuery("OutsourcingArrangement", "t1", Related((applies,), "none", Compare("control_id", "eq", "C3"))),
        NodeQuery("OutsourcingArrangement", "t1", Related((applies,), "all", Compare("frequency_months", "gte", 6))),
        NodeQuery("OutsourcingArrangement", "t1", Related((applies, evidenced), "some", None), (SortKey("name"),)),
        NodeQuery("OutsourcingArrangement", "t1", Compare("start_date", "gt", dt.date(2020, 1, 1)),
                  (SortKey("end_date"),)),
        NodeQuery("Control", "t1", Related((Hop("EVIDENCES", "in", "Evidence"),), "none", None)),
        NodeQuery("Control", "t1", Related((Hop("EVIDENCES", "in", "Evidence"),), "all",
                                           Compare("collected_on", "gte", dt.date(2026, 1, 1)))),
        NodeQuery("Control", "t1", Related((Hop("SATISFIES", "out", "Obligation"),), "some",
                                           Compare("falls_on", "eq", "company")), (SortKey("frequency_months"),)),
        NodeQuery("Provision", None, Related((Hop("REFERENCES", "out", "Instrument"),), "some",
                                             Compare("status", "eq", "abolished"))),
        NodeQuery("Certification", "t1", Compare("scope", "is_null", True)),
    ]


def related_queries() -> list[RelatedQuery]:
    """Paths of one and two hops, wildcards, edge properties, out-then-in, unknown uids."""
    t1 = ("t1/ARR1", "t1/ARR2", "t1/ARR3", "t1/ARR4", "t1/NOPE")
    return [
        RelatedQuery("Provision", ("A1.P1", "A6.P1", "A7"), (Hop("REFERENCES", "out", "Instrument"),), None),
        RelatedQuery("OutsourcingArrangement", t1, (Hop("APPLIES_TO", "in", "Control", wildcard="applies_to_all"),),
                     "t1", None, (SortKey("name", True),)),
        RelatedQuery("Control", ("t1/C1", "t1/C2"), (Hop("SATISFIES", "out", "Obligation"),
                                                     Hop("IMPOSES", "in", "Provision")), "t1",
                     Compare("article", "gte", 7), (SortKey("ordinal"),)),
        RelatedQuery("Control", ("t1/C1", "t1/C2", "t1/C3"), (Hop("APPLIES_TO", "out", "OutsourcingArrangement"),
                                                              Hop("APPLIES_TO", "in", "Control")), "t1"),
        RelatedQuery("Provision", ("A7", "A7.P1"), (Hop("CHILD_OF", "in", "Provision"),), None, None,
                     (SortKey("ordinal", True),)),
        RelatedQuery("OutsourcingArrangement", ("t1/ARR1", "t2/ARR1"), (Hop("PROVIDED_BY", "out",
                                                                            "CloudServiceProvider"),), "t2"),
        RelatedQuery("Evidence", (), (Hop("EVIDENCES", "out", "Control"),), "t1"),
    ]


def observe(store: Store) -> dict[str, Any]:
    """Everything the port answers about the installed data, keyed by question."""
    schema = store_schema()
    seen: dict[str, Any] = {"tenants": store.tenants()}
    for label, ns in schema.nodes.items():
        seen[f"nodes {label}"] = store.nodes(label)
        seen[f"count {label}"] = store.count(label)
        for tenant in TENANTS:
            seen[f"nodes {label} {tenant}"] = store.nodes(label, tenant) if ns.tenant_scoped else None
            seen[f"count {label} {tenant}"] = store.count(label, tenant)
    for rel in schema.relationships:
        seen[f"links {rel.type}"] = store.links(rel.type)
        seen[f"links {rel.type} t1"] = store.links(rel.type, "t1")
    for tenant in TENANTS:
        seen[f"control_links {tenant}"] = [{**r, "applies_to": sorted(r["applies_to"] or [])}
                                           for r in store.control_links(tenant)]
        seen[f"audits_between {tenant}"] = store.audits_between(tenant, dt.date(2025, 1, 1), dt.date(2026, 3, 3))
        seen[f"company {tenant}"] = store.company(tenant)
        seen[f"systems {tenant}"] = store.systems_describing_materiality(tenant)
        seen[f"findings {tenant}"] = store.findings(tenant)
        seen[f"approvals {tenant}"] = store.approvals(tenant)
        for day in DATES:
            seen[f"evidence_summary {tenant} {day}"] = store.evidence_summary(tenant, day)
            seen[f"contract_clauses {tenant} {day}"] = store.contract_clauses(tenant, day)
            seen.update(trace_views(store, tenant, day))
    for i, query in enumerate(node_queries()):
        seen[f"find {i}"] = store.find(query)
        seen[f"count_matching {i}"] = store.count_matching(query.label, query.tenant, query.where)
    for i, rq in enumerate(related_queries()):
        rows = store.related(rq)
        # Per source, in the store's order: the port promises the order of each source's nodes only.
        seen[f"related {i}"] = {s: [r for r in rows if r["_from"] == s] for s in sorted({r["_from"] for r in rows})}
    seen["nodes_by_uid"] = sorted(store.nodes_by_uid("Evidence", ["t1/E2", "t1/E1", "t2/E1", "x"], "t1"),
                                  key=lambda r: str(r["uid"]))
    return seen


def trace_views(store: Store, tenant: str, day: dt.date) -> dict[str, Any]:
    rows = trace(store, tenant, day)
    arrangements = store.nodes("OutsourcingArrangement", tenant)
    material = {r["arrangement_id"]: bool(r["material"]) for r in arrangements}
    csp_of = {r["source"].split("/", 1)[1]: r["target"].split("/", 1)[1]
              for r in store.links("PROVIDED_BY", tenant)}
    key = f"{tenant} {day}"
    return {
        f"trace {key}": [r.to_json() for r in rows],
        f"trace ARR1 {key}": [r.to_json() for r in trace(store, tenant, day, "ARR1")],
        f"gaps {key}": [r.to_json() for r in gaps(rows, material)],
        f"coverage {key}": {g: [c.to_json() for c in coverage(rows, g, csp_of)] for g in GROUPS},
        f"overall {key}": overall(rows).to_json(),
    }


def typed(value: Any) -> Any:
    """JSON-able with every scalar tagged by its Python type."""
    if isinstance(value, dict):
        return {str(k): typed(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [typed(v) for v in value]
    if value is None:
        return None
    return f"{type(value).__name__}:{value.isoformat() if isinstance(value, dt.date) else value}"


def canonical(value: Any) -> str:
    return json.dumps(typed(value), ensure_ascii=False, sort_keys=True)
