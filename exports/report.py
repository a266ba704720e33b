"""The report an examiner accepts: HTML from a Jinja2 template, and the same HTML as PDF through WeasyPrint.

A cover (the company's legal name, the as-of date in the ROC and Gregorian calendars, the regulation's
version, the time generated in Asia/Taipei), a table of contents (with page numbers in the PDF), a summary
(coverage, counts, the top root causes), the scope (arrangements in and out of scope and why, the registers
read with row counts and SHA-256), the method (the trace rules, from the text the README states them in),
coverage charts as % of applicable obligations, the findings grouped by root cause with the rows under each,
certifications and audit findings needing attention, provisions citing instruments no longer in force, the
BDD checks when their runner is installed, the sign-off block (製表 / 覆核 / 核准) and the trace as an appendix.
Every page carries the confidentiality marking. Large tenants get capped lists (the document says so and
where the rest is).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from regtrace.trace import COMPANY, TraceRow
from regtrace.trace.coverage import Coverage
from regtrace.trace.trend import TrendPoint

from regtrace import labels

from . import charts, cover, method, root_causes, scope, style
from .cover import SignOff
from .data import ExportData

TOP_CAUSES = 10  # root causes on the summary page
FINDING_ROWS = 1_000  # obligations listed under the root causes (the appendix and the XLSX have all)
ROWS_PER_CAUSE = 60  # obligations listed under one root cause
WORST_ARRANGEMENTS = 20
LIST_CAP = 40  # certifications needing attention and open findings listed (the XLSX has all)
WORST_CSPS = 20  # CSPs in the chart and table (the XLSX Coverage sheet has every one)
CHART_LABEL_WIDTH = 30  # display columns of a chart's axis label
BDD_FAILURES = 30  # failed checks listed
APPENDIX_CAP = 2_000  # trace rows in the PDF appendix; the XLSX has them all
CJK_FAMILY = charts.CJK_FAMILY


@dataclass(frozen=True)
class Appendix:
    """The trace rows the appendix shows and what it says about the ones it leaves out."""

    rows: list[TraceRow]
    total: int
    note: str | None


def appendix(d: ExportData, cap: int = APPENDIX_CAP) -> Appendix:
    """The whole trace when it fits under `cap`; else the obligations not covered, in document order, up to cap."""
    if len(d.trace) <= cap:
        return Appendix(d.trace, len(d.trace), None)
    open_rows = [r for r in d.trace if r.own_status in ("gap", "unevidenced", "stale")]
    shown = open_rows[:cap]
    note = (f"完整追溯共 {len(d.trace):,} 列，超過本文件上限 {cap:,} 列：本附錄僅列未涵蓋之義務"
            f"（{len(open_rows):,} 列中之前 {len(shown):,} 列）。完整追溯見 XLSX 之「追溯 Trace」工作表。"
            f" The full trace has {len(d.trace):,} rows, more than this document's limit of {cap:,}: this appendix "
            f"lists the obligations not covered (the first {len(shown):,} of {len(open_rows):,}). The XLSX "
            "workbook's Trace sheet has every row.")
    return Appendix(shown, len(d.trace), note)


def _coverage_row(c: Coverage, name: str) -> dict[str, Any]:
    return {"name": name, "counts": [c.counts.get(s, 0) for s in style.STATUS_ORDER], "applicable": c.applicable,
            "percent": "—" if c.percent is None else f"{c.percent:.1f}%"}


def _trace_row(d: ExportData, r: TraceRow, own: bool = False) -> dict[str, Any]:
    """One trace row as every table of the report shows it: the same words, never cut. With `own`, a lead-in
    shows its own duty's status (what a gap is counted by), else the row's status (with the roll-up)."""
    proof = r.evidence or r.contracts or r.audits
    status = (r.own_status or r.status) if own else r.status
    return {"label": r.label, "id": r.provision, "leaf": r.leaf, "subject": d.subject_name(r.subject),
            "status": status, "status_text": labels.status(status), "modality": labels.modality(r.modality),
            "reason": r.explanation, "controls": ", ".join(r.controls), "proof": ", ".join(proof),
            "fresh_until": r.fresh_until.isoformat() if r.fresh_until else ""}


def cause_title(d: ExportData, g: root_causes.RootCause) -> str:
    """What one root cause is, in words: the kind, then what it names (ids, dates, the arrangement's name)."""
    details = []
    for k, v in g.details.items():
        if k == "severity":
            v = labels.severity(str(v))
        elif k == "arrangement":
            v = d.subject_name(str(v))
        elif k == "missing":
            v = "、".join(str(x) for x in v)
        elif isinstance(v, list | tuple):
            v = ", ".join(str(x) for x in v)
        details.append(f"{k} {v.isoformat() if isinstance(v, dt.date) else v}")
    return g.words + (f"（{'；'.join(details)}）" if details else "")


def findings_by_cause(d: ExportData) -> dict[str, Any]:
    """The root-cause groups with the rows under each (capped: the document says where the rest is)."""
    groups = root_causes.group(d.gaps)
    shown, listed = [], 0
    for g in groups:
        rows = g.rows[:max(0, min(ROWS_PER_CAUSE, FINDING_ROWS - listed))]
        listed += len(rows)
        shown.append({"kind": g.kind, "title": cause_title(d, g), "status": g.status,
                      "status_text": labels.status(g.status), "count": len(g.rows),
                      "subjects": [d.subject_name(s) for s in g.subjects],
                      "rows": [_trace_row(d, r, own=True) for r in rows], "more": len(g.rows) - len(rows)})
    return {"groups": shown, "top": shown[:TOP_CAUSES], "total": len(groups), "rows": len(d.gaps)}


def _days(c: Any) -> str:
    """'剩 30 天 30 days left', '已到期 90 天 expired 90 days ago', or when it takes effect: never a negative."""
    if c.status == "expired":
        return f"{labels.CERT_STATUS['expired'][0]} {-c.days_left} 天 expired {-c.days_left} days ago"
    if c.status == "not_yet_valid" and c.valid_from is not None:
        return f"{c.valid_from.isoformat()} 起生效 valid from {c.valid_from.isoformat()}"
    return f"剩 {c.days_left} 天 {c.days_left} days left"


def _scope(d: ExportData) -> dict[str, Any]:
    arrangements = scope.arrangements(d)
    return {"in": [a for a in arrangements if a.in_scope], "out": [a for a in arrangements if not a.in_scope],
            "registers": scope.registers(d)}


SECTIONS = (("summary", "摘要 Summary"), ("scope", "範圍 Scope"), ("method", "方法 Method"),
            ("coverage", "涵蓋情形 Coverage"), ("findings", "發現事項（依根本原因）Findings by root cause"),
            ("attention", "驗證及查核缺失 Certifications and audit findings"),
            ("references", "引用已失效法規之條文 Provisions citing instruments no longer in force"),
            ("bdd", "可執行之義務檢核 Executable obligations (BDD)"), ("signoff", "簽核 Sign-off"),
            ("appendix", "附錄：追溯明細 Appendix: trace"))


def _lowest(groups: list[Coverage], n: int) -> list[Coverage]:
    """All groups in their order when there are at most n; else the n with the lowest coverage."""
    if len(groups) <= n:
        return groups
    return sorted(groups, key=lambda c: (c.percent if c.percent is not None else 101.0, c.key))[:n]


def _arrangement_rows(d: ExportData) -> list[dict[str, Any]]:
    worst = sorted(d.by_arrangement, key=lambda c: (c.percent if c.percent is not None else 101.0, c.key))
    return [_coverage_row(c, d.subject_name(c.key)) for c in worst[:WORST_ARRANGEMENTS]]


def _bdd(d: ExportData) -> dict[str, Any]:
    """The executable obligations' outcomes: counts overall and per article, and the first failures."""
    if d.bdd is None:
        return {"note": "未執行 not run for this export."}
    if not d.bdd.ran:
        return {"note": d.bdd.note}
    from regtrace.bdd_report import OUTCOME_ZH, OUTCOMES

    results = d.bdd.results
    per_article: dict[int | None, Counter[str]] = {}
    for r in results:
        per_article.setdefault(r.article, Counter())[r.outcome] += 1
    provisions = d.by_key("Provision")
    failures = [r for r in results if r.outcome in ("failed", "error")]
    return {
        "note": None, "total": len(results),
        "headers": [f"{OUTCOME_ZH[o]} {o}" for o in OUTCOMES],
        "summary": [sum(c[o] for c in per_article.values()) for o in OUTCOMES],
        "by_article": [{"name": style.article_label(a) if a is not None else "執行檢查 run checks",
                        "counts": [c[o] for o in OUTCOMES]}
                       for a, c in sorted(per_article.items(), key=lambda kv: -1 if kv[0] is None else kv[0])],
        "failures": [{"label": provisions[r.provision]["label"] if r.provision in provisions else r.nodeid,
                      "id": r.provision or "", "subject": d.subject_name(r.subject) if r.subject else "",
                      "status": labels.status(r.status) if r.status in labels.STATUS else r.status or "",
                      "outcome": f"{OUTCOME_ZH[r.outcome]} {r.outcome}",
                      "message": (r.message.splitlines() or [""])[0]} for r in failures[:BDD_FAILURES]],
        "failure_total": len(failures),
    }


def _trend(points: Sequence[TrendPoint] | None) -> dict[str, Any] | None:
    """Coverage at the end of each of the last quarters: the chart, and a table overall and per article."""
    if not points:
        return None
    names = [f"{p.date.isoformat()}" for p in points]
    articles = sorted({int(c.key) for p in points for c in p.articles})

    def pct(c: Coverage | None) -> str:
        return "—" if c is None or c.percent is None else f"{c.percent:.1f}%"

    rows = [{"name": "整體 Overall", "cells": [pct(p.total) for p in points]}]
    for a in articles:
        rows.append({"name": style.article_label(a),
                     "cells": [pct(next((c for c in p.articles if int(c.key) == a), None)) for p in points]})
    return {"chart": charts.trend_line(names, [p.percent for p in points],
                                       "各季末涵蓋率 Coverage at the end of each quarter"),
            "dates": [(cover.roc_date(p.date), p.date.isoformat()) for p in points],
            "counts": [f"{p.covered}/{p.applicable}" for p in points], "rows": rows}


def context(d: ExportData, sign_off: SignOff | None = None,
            trend: Sequence[TrendPoint] | None = None) -> dict[str, Any]:
    """Everything the template shows, as plain values."""
    total = d.overall
    csps = d.by_key("CloudServiceProvider")
    article_names = [style.article_label(c.key) for c in d.by_article]
    shown_csps = _lowest(d.by_csp, WORST_CSPS)
    csp_names = [f"{c.key} {csps[c.key]['name']}" if c.key in csps else c.key for c in shown_csps]
    csp_title = "各雲端服務業者涵蓋情形 Coverage by CSP" + (
        f"（涵蓋率最低之 {len(shown_csps)} 家 lowest {len(shown_csps)} of {len(d.by_csp)}）"
        if len(shown_csps) < len(d.by_csp) else "")
    attention = [c for c in d.certifications if c.status != "valid"]
    open_findings = [f for f in d.findings if f.state != "closed"]
    app = appendix(d)
    provisions = d.by_key("Provision")
    by_cause = findings_by_cause(d)
    return {
        "meta": d.meta,
        "cover": {"company": d.meta.company, "tenant": d.meta.tenant, "as_of_roc": cover.roc_date(d.meta.as_of),
                  "as_of": d.meta.as_of.isoformat(), "regulation": cover.regulation_version(d),
                  "generated": cover.taipei_time(d.meta.generated_at)},
        "confidential": cover.confidentiality(d),
        "sections": SECTIONS,
        "scope": _scope(d),
        "method": method.rules(),
        "causes": by_cause,
        "finding_rows": FINDING_ROWS,
        "sign_off": (sign_off or SignOff()).lines(),
        "trend": _trend(trend),
        "title": "保險業作業委外使用雲端服務自律規範 法遵追溯報告",
        "title_en": "Cloud outsourcing compliance traceability report",
        "percent": "—" if total.percent is None else f"{total.percent:.1f}%",
        "covered": total.covered, "applicable": total.applicable,
        "statuses": [{"key": s, "text": labels.status(s), "count": total.counts.get(s, 0)} for s in style.STATUS_ORDER],
        "status_fill": style.STATUS_FILL,
        "other_fills": {c: c for c in (*style.CERT_FILL.values(), *style.FINDING_FILL.values(), "FFC7CE")},
        "arrangements": len(d.active),
        "approvals_needed": sum(1 for c in d.approvals if c.needs_fsc_approval),
        "approvals_missing": d.approvals_missing,
        "company_rows": sum(1 for r in d.trace if r.obligation and r.subject == COMPANY),
        "gap_total": len(d.gaps),
        "chart_article": charts.coverage_bars(d.by_article, article_names, "各條涵蓋情形 Coverage by article"),
        "chart_csp": charts.coverage_bars(shown_csps, [style.truncate(n, CHART_LABEL_WIDTH) for n in csp_names],
                                          csp_title),
        "csp_title": csp_title,
        "by_article": [_coverage_row(c, n) for c, n in zip(d.by_article, article_names, strict=True)],
        "by_csp": [_coverage_row(c, n) for c, n in zip(shown_csps, csp_names, strict=True)],
        "by_arrangement": _arrangement_rows(d),
        "arrangement_total": len(d.by_arrangement),
        "status_headers": [labels.status(s) for s in style.STATUS_ORDER],
        "certs": [{**c.to_json(), "csp_name": csps[c.csp_id]["name"] if c.csp_id in csps else "",
                   "status_text": labels.word("cert", c.status), "fill": style.CERT_FILL[c.status],
                   "days": _days(c), "critical": c.status in labels.CRITICAL}
                  for c in attention],
        "certs_valid": len(d.certifications) - len(attention),
        "list_cap": LIST_CAP,
        "findings": [{**f.to_json(), "state_text": labels.word("finding", f.state),
                      "severity_text": labels.severity(f.severity), "fill": style.FINDING_FILL[f.state],
                      "critical": f.severity in labels.CRITICAL, "state_critical": f.state in labels.CRITICAL}
                     for f in open_findings],
        "overdue_words": labels.word("finding", "overdue"),
        "findings_closed": len(d.findings) - len(open_findings),
        "stale_refs": [{"label": r.label, "id": r.provision_id, "text": provisions[r.provision_id]["text"],
                        "title": r.title, "status": labels.word("instrument", r.status),
                        "abolished_on": r.abolished_on.isoformat() if r.abolished_on else "",
                        "points": "、".join(f"第{p}點" for p in r.points), "successor": r.successor_title or ""}
                       for r in d.stale_references],
        "bdd": _bdd(d),
        "appendix": [_trace_row(d, r) for r in app.rows],
        "appendix_total": app.total,
        "appendix_note": app.note,
        "evidence_total": d.evidence_total,
        "cjk_family": CJK_FAMILY,
        "cjk_file": charts.CJK_FONT_FILE.as_uri(),
    }


def css_string(value: str) -> Markup:
    """`value` as a quoted CSS string for a page's margin boxes: anything but letters, digits, CJK and plain
    punctuation as a CSS escape, so a name with a quote or a backslash cannot end the string."""
    safe = " ·-_.,:()（）／/"
    body = "".join(ch if ch.isalnum() or ch in safe or ord(ch) > 0x2E7F else f"\\{ord(ch):x} " for ch in value)
    return Markup(f'"{body}"')


def _environment() -> Environment:
    env = Environment(loader=PackageLoader("regtrace.exports", "templates"), autoescape=select_autoescape(["html"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["date"] = lambda v: v.isoformat() if isinstance(v, dt.date) else ("" if v is None else str(v))
    env.filters["css_string"] = css_string
    return env


def render_html(d: ExportData, sign_off: SignOff | None = None, trend: Sequence[TrendPoint] | None = None) -> str:
    """The report as one self-contained HTML document (charts inline); with `trend`, its coverage over time."""
    return _environment().get_template("report.html").render(**context(d, sign_off, trend))


def write_html(d: ExportData, path: Path, sign_off: SignOff | None = None) -> Path:
    path.write_text(render_html(d, sign_off), encoding="utf-8")
    return path


def write_pdf(html: str, path: Path) -> Path:
    """Render the HTML as PDF with WeasyPrint (fonts found through fontconfig, so the CJK font is embedded)."""
    from weasyprint import HTML  # type: ignore[import-untyped]

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    HTML(string=html, base_url=str(path.parent)).write_pdf(path)
    return path


def write_report(d: ExportData, html_path: Path | None, pdf_path: Path | None,
                 sign_off: SignOff | None = None) -> list[Path]:
    """Write the HTML and/or the PDF from one rendering."""
    html = render_html(d, sign_off)
    written: list[Path] = []
    if html_path is not None:
        html_path.write_text(html, encoding="utf-8")
        written.append(html_path)
    if pdf_path is not None:
        written.append(write_pdf(html, pdf_path))
    return written

