"""A small insurer for the export tests, on the bundled seed regulation.

When the example insurer (examples/insurer) and the register loader exist, `load_example` uses them; until
then `write_small_insurer` writes an equivalent small register set straight through the store port: two
CSPs, certifications (valid, expiring, expired), three arrangements (one ended), contracts, controls with
fresh and stale evidence, audits and findings in every remediation state.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
from pathlib import Path
from typing import Any

from regtrace.graph.port import Link, Row, Store, Writer
from regtrace.graph.schema import node_uid, store_schema

EXAMPLE_FOLDER = Path(__file__).resolve().parent.parent / "examples" / "insurer"
TENANT = "example-life"
AS_OF = dt.date(2026, 11, 29)
FACTS = ("material", "offshore", "natural_person_data", "customer_data", "hybrid_cloud", "internet_access",
         "vm_or_container_images", "subcontracting", "foreign_branch")


def real_example_available() -> bool:
    """True when the example insurer's folder and the register loader both exist."""
    return EXAMPLE_FOLDER.is_dir() and importlib.util.find_spec("regtrace.loaders.registers") is not None


def load_example(store: Store, tenant: str = TENANT) -> str:
    """Load the example insurer (the real one when it exists); returns the data source's name."""
    if real_example_available():
        from regtrace.loaders.registers import load_registers  # type: ignore[import-not-found,unused-ignore]

        from regtrace.regulation_graph import obligations_under

        load_registers(store, EXAMPLE_FOLDER, tenant, obligations_under(store))
        return "example-insurer"
    write_small_insurer(store, tenant)
    return "small-insurer"


class _Builder:
    def __init__(self, tenant: str, under: dict[str, list[str]]) -> None:
        self.tenant = tenant
        self.under = under
        self.nodes: dict[str, list[Row]] = {}
        self.links: dict[tuple[str, str, str], list[Link]] = {}

    def add(self, label: str, **props: Any) -> str:
        schema = store_schema().nodes[label]
        row: Row = {name: None for name in schema.names}
        row.update(props, tenant=self.tenant, uid=node_uid(self.tenant, props[schema.key]))
        self.nodes.setdefault(label, []).append(row)
        return str(row["uid"])

    def link(self, rel: str, source_label: str, target_label: str, source: str, target: str) -> None:
        self.links.setdefault((rel, source_label, target_label), []).append(Link(source, target))

    def obligations(self, provision_ids: list[str]) -> list[str]:
        """The obligations at or below the given provisions (as the register loader expands them)."""
        return sorted({o for pid in provision_ids for o in self.under[pid]})

    def uid(self, key: str) -> str:
        return node_uid(self.tenant, key)

    def write(self, store: Store) -> None:
        def unit(w: Writer) -> None:
            w.delete_tenant(self.tenant)
            for label, rows in self.nodes.items():
                w.create_nodes(label, rows)
            for (rel, _source, _target), links in self.links.items():
                w.link(rel, links)

        store.write(unit)


def _arrangement(b: _Builder, aid: str, name: str, csp: str, model: str, facts: list[str],
                 start: dt.date, end: dt.date | None = None, locations: tuple[str, ...] = ("TW",)) -> None:
    derived = sorted({*facts, *(["self_managed"] if model in ("IaaS", "PaaS") else [])})
    uid = b.add("OutsourcingArrangement", arrangement_id=aid, name=name, service_model=model, start_date=start,
                end_date=end, facts=derived, data_locations=list(locations), **{f: f in facts for f in FACTS})
    b.link("PROVIDED_BY", "OutsourcingArrangement", "CloudServiceProvider", uid, b.uid(csp))


def _control(b: _Builder, cid: str, name: str, owner: str, satisfies: list[str], applies_to: list[str] | None,
             frequency: int | None = None) -> None:
    uid = b.add("Control", control_id=cid, name=name, owner=owner, frequency_months=frequency,
                applies_to_all=applies_to is None)
    for o in b.obligations(satisfies):
        b.link("SATISFIES", "Control", "Obligation", uid, o)
    for a in applies_to or []:
        b.link("APPLIES_TO", "Control", "OutsourcingArrangement", uid, b.uid(a))


def _evidence(b: _Builder, eid: str, control: str, collected: dt.date, title: str, arrangement: str | None = None,
              valid_until: dt.date | None = None) -> None:
    digest = hashlib.sha256(eid.encode()).hexdigest()
    uid = b.add("Evidence", evidence_id=eid, collected_on=collected, valid_until=valid_until, title=title,
                uri=f"https://evidence.example-life.tw/{eid}.pdf", sha256=digest)
    b.link("EVIDENCES", "Evidence", "Control", uid, b.uid(control))
    if arrangement:
        b.link("CONCERNS", "Evidence", "OutsourcingArrangement", uid, b.uid(arrangement))


def write_small_insurer(store: Store, tenant: str = TENANT) -> None:
    """Write the small insurer's registers for `tenant` (replacing what the tenant had)."""
    from regtrace.regulation_graph import obligations_under

    b = _Builder(tenant, obligations_under(store))
    d = dt.date
    for csp, name, country in (("AWS", "Amazon Web Services 台灣", "US"), ("CHT", "中華電信 Hicloud", "TW")):
        b.add("CloudServiceProvider", csp_id=csp, name=name, country=country)
    for cid, csp, std, until in (("C-AWS-27001", "AWS", "ISO27001", d(2027, 6, 30)),
                                 ("C-AWS-SOC2", "AWS", "SOC2", d(2027, 1, 15)),
                                 ("C-CHT-27001", "CHT", "ISO27001", d(2026, 10, 31)),
                                 ("C-CHT-27017", "CHT", "ISO27017", d(2028, 3, 31))):
        uid = b.add("Certification", certification_id=cid, standard=std, scope="雲端基礎設施 cloud infrastructure",
                    issuer="BSI", valid_from=d(2024, 1, 1), valid_until=until)
        b.link("HELD_BY", "Certification", "CloudServiceProvider", uid, b.uid(csp))
    _arrangement(b, "ARR-CORE", "核心保單系統 Core policy admin", "AWS", "IaaS",
                 ["material", "offshore", "natural_person_data", "customer_data", "internet_access",
                  "vm_or_container_images", "hybrid_cloud"], d(2024, 1, 1), locations=("JP", "SG"))
    _arrangement(b, "ARR-MAIL", "電子郵件 Email (SaaS)", "CHT", "SaaS", ["customer_data"], d(2025, 3, 1))
    _arrangement(b, "ARR-OLD", "舊版文件管理 Legacy DMS", "CHT", "SaaS", [], d(2020, 1, 1), d(2025, 12, 31))
    for sid, name, arr, crit in (("SYS-POL", "保單管理系統", "ARR-CORE", "high"),
                                 ("SYS-MAIL", "郵件系統", "ARR-MAIL", "low")):
        uid = b.add("System", system_id=sid, name=name, criticality=crit)
        b.link("RUNS_UNDER", "System", "OutsourcingArrangement", uid, b.uid(arr))
    clauses_core = ["A6.P1.I1", "A6.P1.I2", "A6.P1.I3", "A6.P1.I4", "A6.P1.I5", "A6.P1.I7"]
    clauses_mail = ["A6.P1.I1", "A6.P1.I2", "A6.P1.I3", "A6.P1.I4", "A6.P1.I5", "A6.P1.I6"]
    for kid, arr, signed, expires, clauses in (
            ("K-CORE-2024", "ARR-CORE", d(2024, 1, 1), d(2027, 12, 31), clauses_core),
            ("K-MAIL-2025", "ARR-MAIL", d(2025, 3, 1), d(2026, 11, 28), clauses_mail)):
        uid = b.add("Contract", contract_id=kid, signed_on=signed, expires_on=expires)
        b.link("GOVERNS", "Contract", "OutsourcingArrangement", uid, b.uid(arr))
        for o in b.obligations(clauses):
            b.link("COVERS_CLAUSE", "Contract", "Obligation", uid, o)
    _control(b, "CTL-BOARD", "董事會核定雲端政策 Board approves cloud policy", "法令遵循部", ["A4.P1"], None)
    _control(b, "CTL-DD", "雲端服務業者盡職調查 CSP due diligence", "資訊安全部",
             ["A5.P1"], None, 12)
    _control(b, "CTL-ENC", "資料加密與金鑰管理 Encryption and key management", "資訊安全部",
             ["A7.P1.I3"], ["ARR-CORE"], 6)
    _control(b, "CTL-TRAIN", "雲端教育訓練 Cloud training", "人力資源部", ["A8.P1"], None)
    _control(b, "CTL-BCP", "營運持續演練 BCP exercise", "專責單位", ["A10.P1.I1", "A10.P1.I2"],
             ["ARR-CORE", "ARR-MAIL"])
    _evidence(b, "EV-BOARD-2026", "CTL-BOARD", d(2026, 3, 20), "董事會議事錄 Board minutes 2026-03")
    _evidence(b, "EV-DD-2026", "CTL-DD", d(2026, 5, 2), "盡職調查報告 Due diligence report 2026")
    _evidence(b, "EV-TRAIN-2025", "CTL-TRAIN", d(2025, 6, 30), "教育訓練簽到表 Training attendance 2025")
    _evidence(b, "EV-ENC-2025", "CTL-ENC", d(2025, 12, 1), "金鑰輪替紀錄 Key rotation log", "ARR-CORE")
    _evidence(b, "EV-BCP-2026", "CTL-BCP", d(2026, 6, 15), "演練報告 BCP exercise report", "ARR-CORE",
              valid_until=d(2027, 6, 14))
    for aid, arr, kind, performed, auditor, independent in (
            ("AUD-G-2026", "ARR-CORE", "general", d(2026, 4, 10), "KPMG 安侯建業", True),
            ("AUD-P-2026", "ARR-CORE", "project", d(2026, 9, 1), "內部稽核室", False),
            ("AUD-G-2024", "ARR-MAIL", "general", d(2025, 6, 1), "Deloitte 勤業眾信", True)):
        uid = b.add("Audit", audit_id=aid, kind=kind, performed_on=performed, auditor=auditor, independent=independent)
        b.link("AUDITS", "Audit", "OutsourcingArrangement", uid, b.uid(arr))
    for fid, audit, severity, status, due, closed in (
            ("F-001", "AUD-G-2026", "high", "open", d(2026, 10, 31), None),
            ("F-002", "AUD-P-2026", "medium", "open", d(2027, 1, 31), None),
            ("F-003", "AUD-G-2024", "low", "closed", d(2025, 9, 30), d(2025, 9, 1))):
        uid = b.add("Finding", finding_id=fid, severity=severity, status=status, due_on=due, closed_on=closed)
        b.link("RAISED_IN", "Finding", "Audit", uid, b.uid(audit))
    b.write(store)
