"""What the board sees on a date, in one place for the CLI's board summary and the dashboard's board view
(GraphQL `boardView`): coverage of applicable obligations, counts of the CSP certificates expired and expiring,
the overdue audit findings by severity, the expired contracts, the arrangements lacking the FSC's prior approval,
the arrangements by name (those started by the date; in effect or ended), and the top risks in words.

A board member sees no evidence and no control: the risks name an arrangement, a contract, a finding or a
certificate, never an evidence item or a control id.

Top risks, worst first:
1. an arrangement in effect that needs the FSC's prior approval and has none on record (regtrace approvals);
2. an expired certificate of a CSP the insurer uses (regtrace.trace.due_diligence, expired on the date);
3. the obligations not covered, grouped by root cause (the trace rows' `cause`): one risk per expired contract
   and per overdue finding, one per other cause kind (lapsed evidence, a missing control, no contract, ...)
   naming the arrangements it touches; ordered by the worst status among its rows, then those touching a
   material arrangement (or the company) first, then the number of obligations it leaves open.
`TOP_RISKS` risks are kept.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from regtrace.approvals import ApprovalCheck, fsc_approvals
from regtrace.graph.port import Store
from regtrace.trace import TraceRow, gaps
from regtrace.trace.coverage import Coverage, overall
from regtrace.trace.due_diligence import EXPIRING_DAYS, CertificationState, FindingStateRow, certifications, findings
from regtrace.trace.inputs import arrangements
from regtrace.trace.model import COMPANY, RANK, Cause
from regtrace.trace.vocabulary import cause_labels

TOP_RISKS = 10


@cache
def severities() -> tuple[str, ...]:
    """Finding severities, worst first, as the ontology's shape lists them (critical, high, medium, low)."""
    from regtrace.ontology.model import load_ontology

    return load_ontology().classes["Finding"].field("severity").allowed


@dataclass(frozen=True)
class BoardReads:
    """What the board view needs from the store beside the trace rows."""

    certifications: list[CertificationState]
    findings: list[FindingStateRow]
    approvals: list[ApprovalCheck]
    csp_names: dict[str, str]
    arrangement_names: dict[str, str]  # every arrangement started by the date (those ended too)


def board_reads(store: Store, tenant: str, as_of: dt.date) -> BoardReads:
    csps = {r["csp_id"]: r["name"] for r in store.nodes("CloudServiceProvider", tenant)}
    started = {a.arrangement_id: a.name for a in arrangements(store, tenant, as_of)}
    return BoardReads(certifications(store, tenant, as_of, EXPIRING_DAYS), findings(store, tenant, as_of),
                      fsc_approvals(store, tenant, as_of), csps, started)


@dataclass(frozen=True)
class Risk:
    """One risk in words (zh-TW and English), with what it is about and how many obligations it leaves open."""

    kind: str  # a cause kind of the trace, or fsc_approval_missing, certificate_expired
    subject: str | None  # the one arrangement id (or company) it concerns; None for several, or a certificate
    obligations: int
    zh: str
    en: str

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class BoardView:
    as_of: dt.date
    coverage: Coverage
    certificates_expired: int
    certificates_expiring: int
    overdue_findings: dict[str, int]  # severity -> count, every severity, worst first
    expired_contracts: tuple[str, ...]  # contract ids an arrangement in effect relies on, expired on the date
    approvals_needing: int
    approvals_missing: tuple[str, ...]  # arrangement ids
    arrangements: tuple[tuple[str, str, bool], ...]  # (id, name, in effect) of those started by the date, by id
    risks: tuple[Risk, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "coverage": self.coverage.to_json(),
            "certificates_expired": self.certificates_expired,
            "certificates_expiring": self.certificates_expiring,
            "overdue_findings": [{"severity": s, "count": n} for s, n in self.overdue_findings.items()],
            "expired_contracts": len(self.expired_contracts),
            "approvals_needing": self.approvals_needing,
            "approvals_missing": len(self.approvals_missing),
            "arrangements": [{"arrangement_id": a, "name": n, "in_effect": e} for a, n, e in self.arrangements],
            "risks": [r.to_json() for r in self.risks],
        }


def _who(subject: str, names: dict[str, str]) -> tuple[str, str]:
    if subject == COMPANY:
        return "全公司", "the company"
    name = names.get(subject)
    return (f"{subject} {name}", f"{subject} {name}") if name else (subject, subject)


def _detail(c: Cause) -> dict[str, Any]:
    return dict(c.details)


def _group_key(c: Cause) -> tuple[str, str]:
    """One root cause: its kind and the contract or finding it names (an expired contract, an overdue finding
    are one risk each); the other kinds (a missing control, lapsed evidence, ...) are one risk per kind."""
    d = _detail(c)
    return c.kind, str(d.get("contract") or d.get("finding") or "")


SUBJECTS_NAMED = 3


def _subjects_words(subjects: list[str], names: dict[str, str]) -> tuple[str, str]:
    shown = [_who(s, names) for s in subjects[:SUBJECTS_NAMED]]
    zh, en = "、".join(z for z, _ in shown), ", ".join(e for _, e in shown)
    if len(subjects) > SUBJECTS_NAMED:
        return f"{zh} 等 {len(subjects)} 個主體", f"{en} and {len(subjects) - SUBJECTS_NAMED} more"
    return zh, en


def _cause_words(c: Cause, subjects: list[str], names: dict[str, str], n: int) -> tuple[str, str]:
    """A root cause in words, without evidence or control ids."""
    zh_label, en_label = cause_labels()[c.kind]
    zh_who, en_who = _subjects_words(subjects, names)
    d = _detail(c)
    if c.kind == "contract_expired":
        on = _iso(d.get("expires_on"))
        return (f"{zh_who}：契約 {d.get('contract')} 已於 {on} 到期，{n} 項義務未涵蓋",
                f"{en_who}: contract {d.get('contract')} expired on {on}; {_obligations(n)} not covered")
    if c.kind == "finding_overdue":
        due = _iso(d.get("due_on"))
        sev = d.get("severity")
        return (f"{zh_who}：查核缺失 {d.get('finding')}（{sev}）逾 {due} 之改善期限未改善，{n} 項義務未涵蓋",
                f"{en_who}: audit finding {d.get('finding')} ({sev}) open past its due date {due}; "
                f"{_obligations(n)} not covered")
    return (f"{zh_label}：{n} 項義務未涵蓋（{zh_who}）", f"{en_label}: {_obligations(n)} not covered ({en_who})")


def _obligations(n: int) -> str:
    return "1 obligation" if n == 1 else f"{n} obligations"


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _trace_risks(rows: list[TraceRow], material: dict[str, bool], names: dict[str, str]) -> list[Risk]:
    """The open obligations (regtrace.trace.gaps, worst first) grouped by root cause; `obligations` counts
    (provision, subject) pairs."""
    groups: dict[tuple[str, str], list[TraceRow]] = {}
    first: dict[tuple[str, str], Cause] = {}
    for row in gaps(rows, material):
        for c in row.cause:
            key = _group_key(c)
            groups.setdefault(key, []).append(row)
            first.setdefault(key, c)

    def subjects(key: tuple[str, str]) -> list[str]:
        return list(dict.fromkeys(r.subject for r in groups[key]))  # in gaps' order: worst, material first

    def order(key: tuple[str, str]) -> tuple[int, bool, int, str, str]:
        members = groups[key]
        worst = min(RANK[r.own_status or r.status] for r in members)
        touches_material = any(material.get(r.subject, r.subject == COMPANY) for r in members)
        return (worst, not touches_material, -len(members), *key)

    risks = []
    for key in sorted(groups, key=order):
        who = subjects(key)
        n = len({(r.provision, r.subject) for r in groups[key]})
        zh, en = _cause_words(first[key], who, names, n)
        risks.append(Risk(key[0], who[0] if len(who) == 1 else None, n, zh, en))
    return risks


def board_view(rows: list[TraceRow], material: dict[str, bool], reads: BoardReads, as_of: dt.date) -> BoardView:
    """The board's view of a tenant's trace on a date (rows: regtrace.trace.trace for that date)."""
    names = reads.arrangement_names
    in_effect = {a.arrangement for a in reads.approvals}  # fsc_approvals lists every arrangement in effect
    overdue = Counter(f.severity for f in reads.findings if f.state == "overdue")
    expired_contracts = sorted({str(_detail(c)["contract"]) for r in rows if r.obligation for c in r.cause
                                if c.kind == "contract_expired"})
    missing = [a for a in reads.approvals if not a.ok]
    expired_certs = [c for c in reads.certifications if c.status == "expired"]
    risks = [Risk("fsc_approval_missing", a.arrangement, 0,
                  f"{_who(a.arrangement, names)[0]}：須經金管會事前核准，查無核准紀錄",
                  f"{_who(a.arrangement, names)[1]}: needs the FSC's prior approval; none on record")
             for a in missing]
    for c in expired_certs:
        csp = f"{c.csp_id} {reads.csp_names[c.csp_id]}" if c.csp_id in reads.csp_names else c.csp_id
        risks.append(Risk("certificate_expired", None, 0,
                          f"雲端服務業者 {csp} 之 {c.standard} 驗證（{c.certification_id}）已於 "
                          f"{c.valid_until.isoformat()} 到期",
                          f"CSP {csp}: {c.standard} certification {c.certification_id} expired on "
                          f"{c.valid_until.isoformat()}"))
    risks += _trace_risks(rows, material, names)
    return BoardView(
        as_of=as_of,
        coverage=overall(rows),
        certificates_expired=len(expired_certs),
        certificates_expiring=sum(1 for c in reads.certifications if c.status == "expiring"),
        overdue_findings={s: overdue.get(s, 0) for s in (*severities(), *sorted(set(overdue) - set(severities())))},
        expired_contracts=tuple(expired_contracts),
        approvals_needing=sum(1 for a in reads.approvals if a.needs_fsc_approval),
        approvals_missing=tuple(a.arrangement for a in missing),
        arrangements=tuple((a, n, a in in_effect) for a, n in sorted(names.items())),
        risks=tuple(risks[:TOP_RISKS]),
    )
