"""Everything the exports show, gathered from the store once, so every format renders the same data.

`gather(store, tenant, as_of)` reads the regulation, the tenant's registers and the trace into an
`ExportData`. Evidence is the one register that may be huge (a million items): the tables hold at most
`evidence_cap` items (the documents say so), while the RDF export streams all of it from the store page by
page through `ExportData.evidence_pages()`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from regtrace.crosswalk.views import CrosswalkView, crosswalk_views
from regtrace.graph.port import Row, Store
from regtrace.graph.schema import node_uid, store_schema
from regtrace.ontology.model import load_ontology
from regtrace.trace import COMPANY, TraceInputs, TraceRow, evaluate, gaps
from regtrace.trace import gather as trace_inputs
from regtrace.trace.coverage import Coverage, coverage, overall
from regtrace.trace.due_diligence import CertificationState, FindingStateRow, certifications, findings
from regtrace.trace.rules import in_effect

from regtrace import __version__
from regtrace.approvals import ApprovalCheck, fsc_approvals, missing_count
from regtrace.company import company_name as read_company_name
from regtrace.instruments import instrument_status

from . import checks, evidence
from .evidence import EvidencePage

__all__ = ["EvidenceLine", "EvidencePage", "ExportData", "Meta", "Reference", "gather", "key_of"]

GENERATOR = "regtrace"
EVIDENCE_CAP = 100_000  # evidence items (and obligation → control → evidence lines) in the tables
REQUIRED_CLAUSES = "A6.P1"  # the contract contents every arrangement's contract must list (Art. 6 para. 1)
NOT_EXPORTED = frozenset({"ApiToken", "ChangeLogEntry",  # API bookkeeping, not the regulation or registers
                          "MappingReview",  # every tenant's review queue (regtrace review), not one tenant's graph
                          # crosswalks: shown per mapping set (crosswalks), not as the tenant's graph
                          "Framework", "FrameworkControl", "MappingSet", "Mapping",
                          "EvidenceGroup",  # derived from the evidence rows for the trace, not data of its own
                          "RegisterLoad"})  # what the registers were loaded from: a reload's bookkeeping
EVIDENCE_LINKS = frozenset({"EVIDENCES", "CONCERNS"})


@dataclass(frozen=True)
class Meta:
    """Where an export comes from: tenant, date, generator and store."""

    tenant: str
    as_of: dt.date
    generated_at: dt.datetime
    store: str
    generator: str = GENERATOR
    version: str = __version__
    company: str | None = None  # the legal name (zh-TW, English beside it) from the company register
    regulation_version: str | None = None  # the version of the regulation traced (in force on as_of)
    regulation_effective_from: dt.date | None = None  # its first day in force (None: the text states none)

    @property
    def company_name(self) -> str:
        """What the exports call the member company: its legal name with the tenant id, or the tenant id."""
        return f"{self.company} ({self.tenant})" if self.company else self.tenant


@dataclass(frozen=True)
class Reference:
    """A provision's reference to another instrument, with that instrument's status on the as-of date."""

    provision_id: str
    label: str
    instrument_id: str
    title: str
    status: str
    abolished_on: dt.date | None
    articles: tuple[int, ...]
    points: tuple[int, ...]
    successor_id: str | None
    successor_title: str | None

    @property
    def in_force(self) -> bool:
        return self.status == "in_force"


@dataclass(frozen=True)
class EvidenceLine:
    """One row of obligation → control → evidence (evidence fields None when the control has none)."""

    obligation_id: str
    label: str
    control_id: str
    control_name: str
    evidence_id: str | None = None
    arrangement_id: str | None = None
    collected_on: dt.date | None = None
    valid_until: dt.date | None = None
    title: str | None = None
    uri: str | None = None
    sha256: str | None = None


@dataclass
class ExportData:
    """One tenant's regulation, registers and trace as of a date."""

    meta: Meta
    nodes: dict[str, list[Row]]  # label -> rows (Evidence: at most evidence_cap of them)
    links: dict[tuple[str, str, str], list[Row]]  # (type, source, target) -> {source, target, **props}
    trace: list[TraceRow]
    gaps: list[TraceRow]
    overall: Coverage
    by_article: list[Coverage]
    by_arrangement: list[Coverage]
    by_csp: list[Coverage]
    references: list[Reference]
    certifications: list[CertificationState]
    findings: list[FindingStateRow]
    evidence_total: int  # every evidence item of the tenant
    evidence_as_of: int  # those collected on or before as_of (the tables' evidence)
    evidence_lines: list[EvidenceLine]  # at most evidence_cap of them
    evidence_lines_total: int
    active: frozenset[str]  # arrangements in effect on as_of
    approvals: list[ApprovalCheck] = field(default_factory=list)  # the FSC's prior approval, per arrangement
    bdd: checks.BddReport | None = None  # the executable obligations' outcomes (HTML/PDF only)
    crosswalks: list[CrosswalkView] = field(default_factory=list)  # the store's mapping sets (shared by tenants)
    evidence_pages: Callable[[], Iterator[EvidencePage]] = field(default=lambda: iter(()), repr=False)
    _cache: dict[tuple[str, ...], Any] = field(default_factory=dict, init=False, repr=False)

    @property
    def approvals_missing(self) -> int:
        """Arrangements in effect that need the FSC's prior approval and have none on record."""
        return missing_count(self.approvals)

    # ---- lookups the renderers share (computed once)

    def by_key(self, label: str) -> dict[str, Row]:
        """Register id (or regulation id) -> row, for one label."""
        if (label,) not in self._cache:
            key = store_schema().nodes[label].key
            self._cache[(label,)] = {r[key]: r for r in self.nodes.get(label, [])}
        result: dict[str, Row] = self._cache[(label,)]
        return result

    def targets(self, rel: str, source: str, target: str) -> dict[str, list[str]]:
        """Source uid -> target uids of one relationship type."""
        if (rel, source, target) not in self._cache:
            found: dict[str, list[str]] = {}
            for r in self.links.get((rel, source, target), []):
                found.setdefault(r["source"], []).append(r["target"])
            self._cache[(rel, source, target)] = found
        result: dict[str, list[str]] = self._cache[(rel, source, target)]
        return result

    def label(self, provision_id: str) -> str:
        """第六條第一項第一款 for A6.P1.I1."""
        return str(self.by_key("Provision")[provision_id]["label"])

    @property
    def provisions(self) -> list[Row]:
        return self.nodes["Provision"]

    @property
    def obligations(self) -> dict[str, Row]:
        return self.by_key("Obligation")

    @property
    def csp_of(self) -> dict[str, str | None]:
        """Arrangement id -> CSP id."""
        return {key_of(s): key_of(t[0]) for s, t in self.targets("PROVIDED_BY", "OutsourcingArrangement",
                                                                  "CloudServiceProvider").items()}

    @property
    def stale_references(self) -> list[Reference]:
        return [r for r in self.references if not r.in_force]

    def subject_name(self, subject: str) -> str:
        if subject == COMPANY:
            return "全公司 company"
        row = self.by_key("OutsourcingArrangement").get(subject)
        return f"{subject} {row['name']}" if row else subject


def key_of(uid: str) -> str:
    """The register id of a tenant-scoped uid ('tenant/id' -> 'id')."""
    return uid.split("/", 1)[1] if "/" in uid else uid


def gather(store: Store, tenant: str, as_of: dt.date, *, generated_at: dt.datetime | None = None,
           evidence_cap: int = EVIDENCE_CAP, bdd: bool = False) -> ExportData:
    """Read everything the exports show for one tenant as of a date; with `bdd`, also run the executable
    obligations (which only the report shows: see checks.py)."""
    onto = load_ontology()
    labels = [c for c in onto.classes.values() if c.name not in NOT_EXPORTED]
    nodes = {c.name: store.nodes(c.name, tenant if c.tenant_scoped else None) for c in labels if c.name != "Evidence"}
    nodes["Provision"].sort(key=lambda r: r["ordinal"])  # document order
    links = {
        (r.type, r.source, r.target): store.links(r.type, tenant if onto.classes[r.source].tenant_scoped else None)
        for r in onto.relations if r.type not in EVIDENCE_LINKS and r.source not in NOT_EXPORTED
    }
    named = read_company_name(store, tenant)
    inputs = trace_inputs(store, tenant, as_of)
    _one_version(nodes, links, inputs)
    rows = evaluate(inputs)
    counts = {node_uid(tenant, cid): sum(a.count for a in per.values()) for cid, per in inputs.evidence.items()}
    controls = _control_order(nodes["Control"], links[("SATISFIES", "Control", "Obligation")], inputs.obligations)
    table, read = evidence.first(store, tenant, controls, counts, as_of, evidence_cap)
    nodes["Evidence"] = table.rows
    links[("EVIDENCES", "Evidence", "Control")] = [{"source": s, "target": t} for s, t in table.control_of.items()]
    links[("CONCERNS", "Evidence", "OutsourcingArrangement")] = [
        {"source": s, "target": t} for s, t in table.arrangement_of.items()]
    material = {r["arrangement_id"]: bool(r["material"]) for r in nodes["OutsourcingArrangement"]}
    data = ExportData(
        meta=Meta(tenant, as_of, generated_at or dt.datetime.now(dt.UTC).replace(microsecond=0), store.uri,
                  company=named.display if named.legal_name else None,
                  regulation_version=(inputs.version or {}).get("version"),
                  regulation_effective_from=_date((inputs.version or {}).get("effective_from"))),
        nodes=nodes, links=links, trace=rows, gaps=gaps(rows, material), overall=overall(rows),
        by_article=[], by_arrangement=[], by_csp=[], references=[],
        certifications=certifications(store, tenant, as_of), findings=findings(store, tenant, as_of),
        evidence_total=store.count("Evidence", tenant), evidence_as_of=sum(counts.values()),
        evidence_lines=[], evidence_lines_total=0,
        active=frozenset(a.arrangement_id for a in inputs.arrangements if in_effect(a, as_of)),
        crosswalks=crosswalk_views(store),
        evidence_pages=lambda: evidence.pages(store, tenant, controls, counts),
        approvals=fsc_approvals(store, tenant, as_of),
    )
    csp_of = data.csp_of
    data.by_article = coverage(rows, "article", csp_of)
    data.by_arrangement = coverage(rows, "arrangement", csp_of)
    data.by_csp = coverage(rows, "csp", csp_of)
    data.references = _references(data)
    data.evidence_lines, data.evidence_lines_total = _evidence_lines(data, counts, read, evidence_cap)
    if bdd:
        data.bdd = checks.run(store, tenant, as_of, sum(1 for r in rows if r.obligation))
    return data


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _one_version(nodes: dict[str, list[Row]], links: dict[tuple[str, str, str], list[Row]],
                 inputs: TraceInputs) -> None:
    """Keep the regulation version traced (in force on as_of) and key its provisions and obligations by id, as
    a store with one version does; the other versions' provisions and the links to them are left out."""
    keys = {r["uid"]: r["provision_id"] for r in inputs.provisions}
    keys.update({r["uid"]: r["obligation_id"] for r in inputs.obligations.values()})
    regulation = ("Provision", "Obligation")
    for label in regulation:
        nodes[label] = [{**r, "uid": keys[r["uid"]]} for r in nodes.get(label, []) if r["uid"] in keys]
    for (rel, source, target), rows in links.items():
        if source in regulation or target in regulation:
            links[(rel, source, target)] = [
                {**r, "source": keys.get(r["source"], r["source"]), "target": keys.get(r["target"], r["target"])}
                for r in rows if (source not in regulation or r["source"] in keys)
                and (target not in regulation or r["target"] in keys)]


def _references(data: ExportData) -> list[Reference]:
    instruments = data.by_key("Instrument")
    successor = {s: t[0] for s, t in data.targets("SUPERSEDED_BY", "Instrument", "Instrument").items()}
    provisions = data.by_key("Provision")
    result = []
    for r in data.links[("REFERENCES", "Provision", "Instrument")]:
        i = instruments[r["target"]]
        nxt = successor.get(r["target"])
        result.append(Reference(
            r["source"], provisions[r["source"]]["label"], r["target"], i["title"],
            instrument_status(i, data.meta.as_of), i["abolished_on"],
            tuple(r.get("articles") or ()), tuple(r.get("points") or ()), nxt,
            instruments[nxt]["title"] if nxt else None))
    order = {p["provision_id"]: p["ordinal"] for p in data.provisions}
    return sorted(result, key=lambda x: (order[x.provision_id], x.instrument_id))


def _control_order(controls: list[Row], satisfies: list[Row], obligations: dict[str, Row]) -> list[str]:
    """Control uids in the order of the first obligation each satisfies (then by id)."""
    first: dict[str, int] = {}
    for r in satisfies:
        ordinal = obligations[r["target"]]["ordinal"] if r["target"] in obligations else 1 << 30
        first[r["source"]] = min(first.get(r["source"], ordinal), ordinal)
    return sorted((c["uid"] for c in controls), key=lambda uid: (first.get(uid, 1 << 30), uid))


def _evidence_lines(data: ExportData, counts: dict[str, int], read: frozenset[str],
                    cap: int) -> tuple[list[EvidenceLine], int]:
    """Obligation → control → evidence collected by the as-of date, in document order (a control without any
    gets one empty line; one whose evidence was left out by the cap, a line saying so): at most `cap` lines,
    and how many there are in all."""
    controls = data.by_key("Control")
    provisions = data.by_key("Provision")
    satisfied_by: dict[str, list[str]] = {}
    for r in data.links[("SATISFIES", "Control", "Obligation")]:
        satisfied_by.setdefault(r["target"], []).append(key_of(r["source"]))
    control_of = data.targets("EVIDENCES", "Evidence", "Control")
    arrangement_of = data.targets("CONCERNS", "Evidence", "OutsourcingArrangement")
    evidence_of: dict[str, list[Row]] = {}
    for e in data.nodes["Evidence"]:
        for control_uid in control_of.get(e["uid"], []):
            evidence_of.setdefault(key_of(control_uid), []).append(e)
    for items in evidence_of.values():
        items.sort(key=lambda e: (e["collected_on"], e["evidence_id"]), reverse=True)
    lines: list[EvidenceLine] = []
    total = 0
    for o in sorted(data.obligations.values(), key=lambda r: r["ordinal"]):
        label = provisions[o["obligation_id"]]["label"]
        for cid in sorted(satisfied_by.get(o["obligation_id"], [])):
            c = controls[cid]
            items = evidence_of.get(cid, [])
            total += max(1, counts.get(c["uid"], 0))
            if len(lines) >= cap:
                continue
            if not items:
                left_out = c["uid"] not in read and counts.get(c["uid"], 0)
                lines.append(EvidenceLine(o["obligation_id"], label, cid, c["name"],
                                          title=f"（未列出 not listed: {left_out:,}）" if left_out else None))
            for e in items[:cap - len(lines)]:
                arr = arrangement_of.get(e["uid"])
                lines.append(EvidenceLine(
                    o["obligation_id"], label, cid, c["name"], e["evidence_id"], key_of(arr[0]) if arr else None,
                    e["collected_on"], e["valid_until"], e["title"], e["uri"], e["sha256"]))
    return lines, total
