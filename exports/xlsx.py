"""The traceability matrix as an XLSX workbook (openpyxl, write-only so large tenants stream).

Sheets: cover; scope (arrangements in and out of scope, registers with row counts and SHA-256); method (the
trace rules, the report's text); coverage per article, CSP and arrangement; provisions; obligation × subject
status matrix; full trace; obligation → control → evidence; CSP certifications; contracts × required clauses;
audits and findings. Headers are zh-TW with English beside; header rows are frozen, tables have auto-filters,
columns are as wide as their content (CJK characters count double). Every sheet prints landscape on A4, fit to
the page's width, with its header row repeated on each page and the confidentiality marking in the footer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.properties import PageSetupProperties
from regtrace.trace import COMPANY

from regtrace import labels

from . import cover, method, scope, style
from .data import REQUIRED_CLAUSES, EvidenceLine, ExportData, key_of

# A text cell starting with one of these is a formula (or becomes one when edited or saved as CSV) in Excel,
# LibreOffice and Google Sheets: `=cmd|' /C calc'!A0`, `=HYPERLINK(…)`, `+1+1`, `@SUM(…)`, a leading tab or CR.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
MAX_WIDTH = 60
WIDTH_SAMPLE = 5_000  # rows looked at to size a column
HEADER_FILL = "1F4E78"


@dataclass(frozen=True)
class Styled:
    """A value with an optional fill (hex RGB) and weight."""

    value: Any
    fill: str | None = None
    bold: bool = False


Value = Any  # a plain value or a Styled


def _text(value: Value) -> str:
    v = value.value if isinstance(value, Styled) else value
    if v is None:
        return ""
    return v.isoformat() if isinstance(v, dt.date) else str(v)


def _widths(headers: Sequence[str], rows: Sequence[Sequence[Value]], wrap: frozenset[int]) -> list[float]:
    widths = [style.display_width(h) + 2 for h in headers]
    for row in rows[:WIDTH_SAMPLE]:
        for i, v in enumerate(row):
            if i < len(widths):
                widths[i] = max(widths[i], style.display_width(_text(v)) + 2)
    return [min(w, MAX_WIDTH) if i not in wrap else MAX_WIDTH for i, w in enumerate(widths)]


def text_safe_cell(ws: WriteOnlyWorksheet, value: Any) -> Cell:
    """The one place a cell is made: text is always written as text, never as a live formula.

    openpyxl turns a string starting with '=' into a formula; a string starting with '+', '-', '@', a tab or a
    carriage return is one the moment a user edits the cell or the sheet goes through CSV. Such text is
    stored as an inline string with Excel's quote prefix (the cell shows the text exactly, the formula bar an
    apostrophe before it). Numbers, dates and booleans keep their types: -3 stays a number.
    """
    c = WriteOnlyCell(ws, value=value)
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        c.data_type = "s"
        c.quotePrefix = True
    return c


class _Writer:
    """Writes sheets of a write-only workbook."""

    def __init__(self, footer: str = "") -> None:
        self.wb = Workbook(write_only=True)
        self._fills: dict[str, PatternFill] = {}
        self.footer = footer

    def fill(self, colour: str) -> PatternFill:
        if colour not in self._fills:
            self._fills[colour] = PatternFill("solid", start_color=colour, end_color=colour)
        return self._fills[colour]

    def cell(self, ws: WriteOnlyWorksheet, value: Value, wrap: bool = False) -> Cell:
        v = value.value if isinstance(value, Styled) else value
        c = text_safe_cell(ws, v)
        if isinstance(value, Styled):
            if value.fill:
                c.fill = self.fill(value.fill)
            if value.bold:
                c.font = Font(bold=True)
        if isinstance(v, dt.date):
            c.number_format = "yyyy-mm-dd"
        if wrap:
            c.alignment = Alignment(wrap_text=True, vertical="top")
        return c

    def table(self, title: str, headers: Sequence[str], rows: Sequence[Sequence[Value]], *,
              above: Iterable[Sequence[Value]] = (), freeze_col: int = 1, wrap: Iterable[int] = ()) -> None:
        """A sheet: optional rows above the table, then a frozen, filtered header row and the rows."""
        ws = self.wb.create_sheet(title)
        wrap_cols = frozenset(wrap)
        for i, w in enumerate(_widths(headers, rows, wrap_cols), start=1):
            ws.column_dimensions[get_column_letter(i)].width = w
        above = list(above)
        header_row = len(above) + 1
        self.print_setup(ws, header_row)
        ws.freeze_panes = f"{get_column_letter(freeze_col + 1)}{header_row + 1}"  # before any row is written
        for row in above:
            ws.append([self.cell(ws, v) for v in row])
        last = get_column_letter(max(len(headers), 1))
        ws.auto_filter.ref = f"A{header_row}:{last}{header_row + max(len(rows), 1)}"
        head = []
        for h in headers:
            c = text_safe_cell(ws, h)
            c.font = Font(bold=True, color="FFFFFF")
            c.fill = self.fill(HEADER_FILL)
            c.alignment = Alignment(wrap_text=True, vertical="center")
            head.append(c)
        ws.append(head)
        for row in rows:
            ws.append([self.cell(ws, v, i in wrap_cols) for i, v in enumerate(row)])

    def print_setup(self, ws: WriteOnlyWorksheet, header_row: int) -> None:
        """Landscape A4, as wide as one page (as many pages down as it takes), the header row on every page,
        the confidentiality marking and page numbers in the footer."""
        sheet: Any = ws  # a write-only sheet has these of a worksheet; its stubs do not say so
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = "9"  # A4
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.print_title_rows = f"{header_row}:{header_row}"
        footer = ws.oddFooter
        if footer is not None:
            footer.left.text = self.footer.replace("&", "&&")  # '&' starts a code in a footer
            footer.left.size = 8
            footer.right.text = "&P / &N"
            footer.right.size = 8

    def save(self, path: Path) -> None:
        self.wb.save(path)


def _status(value: str) -> Styled:
    return Styled(labels.status(value), style.STATUS_FILL[value])


def _join(values: Iterable[Any]) -> str:
    return "; ".join(str(v) for v in values)


def _cover(w: _Writer, d: ExportData) -> None:
    m = d.meta
    total = d.overall
    pct = "—" if total.percent is None else f"{total.percent:.1f}%"
    rows: list[list[Value]] = [
        ["會員公司 Company (tenant)", m.company_name],
        ["基準日 As of", m.as_of],
        ["基準日（民國）As of (ROC)", cover.roc_date(m.as_of)],
        ["法規版本 Regulation version", cover.regulation_version(d)],
        ["產出時間 Generated at (UTC)", m.generated_at.isoformat()],
        ["產出時間（臺北）Generated (Asia/Taipei)", cover.taipei_time(m.generated_at)],
        ["機密等級 Confidentiality", Styled(cover.confidentiality(d), "FFC7CE")],
        ["產出工具 Generator", f"{m.generator} {m.version}"],
        ["資料來源 Store", m.store],
        ["適用義務涵蓋率 Coverage of applicable obligations", f"{pct} ({total.covered}/{total.applicable})"],
        ["委外事項 Arrangements in effect", len(d.active)],
        ["缺少金管會事前核准 Arrangements without the FSC's prior approval", d.approvals_missing],
    ]
    rows += [[Styled(f"狀態 Status: {labels.status(s)}", style.STATUS_FILL[s]), total.counts.get(s, 0)]
             for s in style.STATUS_ORDER]
    rows.append(["佐證資料 Evidence items", d.evidence_total])
    if d.evidence_lines_total > len(d.evidence_lines):
        rows.append(["注意 Note", f"佐證工作表僅列前 {len(d.evidence_lines):,} 列（共 {d.evidence_lines_total:,} 列）；"
                                  f"完整佐證見 Turtle / JSON-LD 匯出。The evidence sheet lists the first "
                                  f"{len(d.evidence_lines):,} of {d.evidence_lines_total:,} rows; the Turtle and "
                                  "JSON-LD exports hold every item."])
    for r in d.stale_references:
        rows.append([Styled("⚠ 引用已失效法規 Stale reference", "FFC7CE"),
                     f"{r.label} ({r.provision_id}) 引用「{r.title}」（{style.pair(style.INSTRUMENT_STATUS, r.status)} "
                     f"{r.abolished_on or ''}）" + (f"，由「{r.successor_title}」取代" if r.successor_title else "")])
    title = [[Styled("保險業作業委外使用雲端服務自律規範 追溯矩陣 Traceability matrix", bold=True)], []]
    w.table("封面 Cover", ["項目 Item", "內容 Value"], rows, above=title, wrap=[1])


def _scope(w: _Writer, d: ExportData) -> None:
    """The report's scope section as rows: arrangements in scope, out of scope (and why), registers loaded."""
    rows: list[list[Value]] = []
    for a in scope.arrangements(d):
        fill = "C6EFCE" if a.in_scope else "EDEDED"
        rows.append([Styled("納入 in scope" if a.in_scope else "未納入 out of scope", fill), "委外事項 arrangement",
                     a.arrangement_id, a.name, a.csp, a.start_date, a.end_date, "是 yes" if a.material else "否 no",
                     a.why, None, ""])
    for r in scope.registers(d):
        rows.append([Styled("已載入 loaded", "C6EFCE"), "登記檔 register", r.register, r.label, "", None, None, "",
                     "", r.rows, r.sha256])
    w.table("範圍 Scope", ["範圍 Scope", "類別 Kind", "代碼 Id", "名稱 Name", "雲端服務業者 CSP", "開始日 Start",
                          "結束日 End", "重大性 Material", "原因 Why", "列數 Rows", "SHA-256"], rows,
            above=[[Styled(f"基準日 As of {d.meta.as_of.isoformat()}；登記檔之 SHA-256 係就載入資料庫之各列計算（見報告"
                           "「範圍」）。The registers' SHA-256 is over their rows as loaded (see the report's Scope).",
                           bold=True)], []], freeze_col=3, wrap=[8])


def _method(w: _Writer, d: ExportData) -> None:
    """The trace rules, one per row: the same text as the report's method section and the README."""
    rows = [[i, r.title or "—", r.text] for i, r in enumerate(method.rules(), start=1)]
    w.table("方法 Method", ["#", "規則 Rule", "內容 Text"], rows,
            above=[[Styled(f"追溯規則（基準日 D = {d.meta.as_of.isoformat()}）The trace rules as of D", bold=True)],
                   []],
            wrap=[2])


def _coverage(w: _Writer, d: ExportData) -> None:
    csps = d.by_key("CloudServiceProvider")
    kinds = (("article", "條 article", d.by_article), ("csp", "雲端服務業者 CSP", d.by_csp),
             ("arrangement", "委外事項 arrangement", d.by_arrangement))
    rows = []
    for _, kind, groups in kinds:
        for c in groups:
            name = (style.article_label(c.key) if c.group_by == "article" else csps[c.key]["name"]
                    if c.group_by == "csp" and c.key in csps else d.subject_name(c.key))
            rows.append([kind, c.key, name, *(c.counts.get(s, 0) for s in style.STATUS_ORDER), c.applicable,
                         Styled(c.percent, _percent_fill(c.percent))])
    w.table("涵蓋率 Coverage", ["依 By", "代碼 Key", "名稱 Name", *(labels.status(s) for s in style.STATUS_ORDER),
                              "適用 Applicable", "涵蓋率 % covered"], rows, freeze_col=3)


def _percent_fill(percent: float | None) -> str | None:
    if percent is None:
        return None
    return style.STATUS_FILL["covered"] if percent >= 90 else style.STATUS_FILL["stale"] if percent >= 60 else \
        style.STATUS_FILL["gap"]


def _provisions(w: _Writer, d: ExportData) -> None:
    refs: dict[str, list[str]] = {}
    for r in d.references:
        where = "".join(f" 第{p}點" for p in r.points) + "".join(f" 第{a}條" for a in r.articles)
        refs.setdefault(r.provision_id, []).append(
            f"「{r.title}」{where.strip()} — {style.pair(style.INSTRUMENT_STATUS, r.status)}"
            + (f" {r.abolished_on}" if r.abolished_on else "")
            + (f" → 「{r.successor_title}」" if r.successor_title else ""))
    obligations = d.obligations
    rows = []
    for p in d.provisions:
        o = obligations.get(p["provision_id"])
        stale = any(not r.in_force for r in d.references if r.provision_id == p["provision_id"])
        rows.append([
            p["label"], p["provision_id"], style.pair(style.LEVEL, p["level"]), p["text"],
            _join(labels.modality(m) for m in p["modalities"] or ()), labels.modality(p["effective_modality"]),
            _join(labels.fact(f) for f in p["conditions"] or ()),
            f"{style.pair(style.FALLS_ON, o['falls_on'])} · {style.pair(style.RULE, o['rule'])}" if o else "",
            Styled("\n".join(refs.get(p["provision_id"], [])), "FFC7CE" if stale else None),
        ])
    w.table("條文 Provisions", ["條次 Citation", "條文代碼 Id", "層級 Level", "條文內容 Text", "規範用語 Modalities",
                               "實質規範效力 Effective modality", "適用條件 Conditions", "義務 Obligation",
                               "引用法規及其狀態 Referenced instruments"], rows, freeze_col=2, wrap=[3, 8])


def _matrix(w: _Writer, d: ExportData) -> None:
    subjects = sorted({r.subject for r in d.trace if r.obligation}, key=lambda s: (s != COMPANY, s))
    cells = {(r.provision, r.subject): r.status for r in d.trace if r.obligation}
    rows = []
    for o in sorted(d.obligations.values(), key=lambda r: r["ordinal"]):
        oid = o["obligation_id"]
        rows.append([d.label(oid), oid, labels.modality(o["modality"]),
                     *(Styled(style.STATUS_SHORT[cells[(oid, s)]], style.STATUS_FILL[cells[(oid, s)]])
                       if (oid, s) in cells else "" for s in subjects)])
    legend = [Styled("圖例 Legend", bold=True),
              *(Styled(style.legend(s), style.STATUS_FILL[s]) for s in style.STATUS_ORDER)]
    names = ["全公司 company" if s == COMPANY else s for s in subjects]
    w.table("矩陣 Matrix", ["條次 Citation", "義務 Obligation", "規範效力 Modality", *names], rows,
            above=[legend, []], freeze_col=3)


def _trace(w: _Writer, d: ExportData) -> None:
    rows = [[r.label, r.provision, "義務 obligation" if r.obligation else "彙總 roll-up", labels.modality(r.modality),
             d.subject_name(r.subject), _status(r.status), r.explanation, _join(r.controls),
             _join(r.evidence), _join(r.contracts), _join(r.audits), r.fresh_until] for r in d.trace]
    w.table("追溯 Trace", ["條次 Citation", "條文代碼 Id", "類別 Kind", "規範效力 Modality", "對象 Subject",
                         "狀態 Status", "說明 Reason", "控制措施 Controls", "佐證 Evidence", "契約 Contracts",
                         "查核 Audits", "有效至 Fresh until"], rows, freeze_col=2)


def _missing(e: EvidenceLine) -> Styled:
    """The evidence cell of a control without evidence, or whose evidence the cap left out."""
    return Styled("（無佐證 none）", "FFC7CE") if e.title is None else Styled("（未列出 not listed）", "EDEDED")


def _evidence(w: _Writer, d: ExportData) -> None:
    rows = [[e.label, e.obligation_id, e.control_id, e.control_name, e.evidence_id or _missing(e),
             e.arrangement_id or ("" if e.evidence_id is None else "（全部 all）"), e.collected_on, e.valid_until,
             e.title, e.uri, e.sha256] for e in d.evidence_lines]
    w.table("佐證 Evidence", ["條次 Citation", "義務 Obligation", "控制代碼 Control", "控制措施 Control name",
                            "佐證代碼 Evidence", "委外事項 Arrangement", "取得日 Collected on", "有效期限 Valid until",
                            "標題 Title", "位置 URI", "SHA-256"], rows, freeze_col=2)


def _certifications(w: _Writer, d: ExportData) -> None:
    csps = d.by_key("CloudServiceProvider")
    certs = d.by_key("Certification")
    rows = [[c.csp_id, csps[c.csp_id]["name"] if c.csp_id in csps else "", c.certification_id, c.standard, c.scope,
             certs[c.certification_id]["issuer"], c.valid_from, c.valid_until, c.days_left,
             Styled(style.pair(style.CERT_STATUS, c.status), style.CERT_FILL[c.status])] for c in d.certifications]
    w.table("驗證 Certifications", ["業者 CSP", "業者名稱 CSP name", "驗證代碼 Certification", "標準 Standard",
                                  "範圍 Scope", "發證機構 Issuer", "生效日 Valid from", "有效期限 Valid until",
                                  "剩餘天數 Days left", "狀態 Status"], rows, freeze_col=3)


def required_clauses(d: ExportData) -> list[str]:
    """The obligations of Art. 6 paragraph 1 (the required contract contents), in document order."""
    prefix = REQUIRED_CLAUSES + "."
    return [o["obligation_id"] for o in sorted(d.obligations.values(), key=lambda r: r["ordinal"])
            if o["obligation_id"].startswith(prefix)]


def clause_state(d: ExportData, contract_uid: str, arrangement_id: str | None, obligation_id: str) -> str:
    """yes (the contract lists it), no, or na (the clause's conditions do not hold for the arrangement)."""
    covered = d.targets("COVERS_CLAUSE", "Contract", "Obligation").get(contract_uid, [])
    if obligation_id in covered:
        return "yes"
    arrangement = d.by_key("OutsourcingArrangement").get(arrangement_id or "")
    needs = set(d.obligations[obligation_id]["conditions"] or ())
    return "na" if arrangement is not None and not needs <= set(arrangement["facts"] or ()) else "no"


def contract_in_force(row: dict[str, Any], as_of: dt.date) -> bool:
    return bool(row["signed_on"] <= as_of and (row["expires_on"] is None or as_of <= row["expires_on"]))


CONTRACT_FILL = {"in_force": "C6EFCE", "expired": "FFC7CE", "not_yet_in_force": "EDEDED"}


def contract_state(row: dict[str, Any], as_of: dt.date) -> str:
    """in_force, expired (expires_on before the date) or not_yet_in_force (signed after it)."""
    if contract_in_force(row, as_of):
        return "in_force"
    return "not_yet_in_force" if row["signed_on"] > as_of else "expired"


def _contracts(w: _Writer, d: ExportData) -> None:
    items = required_clauses(d)
    governs = d.targets("GOVERNS", "Contract", "OutsourcingArrangement")
    marks = {"yes": "✓", "no": "✗", "na": labels.status("not_applicable")}
    rows = []
    for k in d.nodes["Contract"]:
        arr = key_of(governs[k["uid"]][0]) if k["uid"] in governs else None
        state = contract_state(k, d.meta.as_of)
        states = [clause_state(d, k["uid"], arr, o) for o in items]
        rows.append([k["contract_id"], arr, k["signed_on"], k["expires_on"],
                     Styled(labels.word("contract", state), CONTRACT_FILL[state]),
                     *(Styled(marks[s], style.CLAUSE_FILL[s]) for s in states)])
    w.table("契約條款 Contract clauses", ["契約代碼 Contract", "委外事項 Arrangement", "簽約日 Signed on",
                                      "到期日 Expires on", "基準日狀態 On the as-of date",
                                      *(f"{d.label(o)} {o}" for o in items)], rows)


def _audits(w: _Writer, d: ExportData) -> None:
    audited = d.targets("AUDITS", "Audit", "OutsourcingArrangement")
    by_audit: dict[str, list[Any]] = {}
    for f in d.findings:
        by_audit.setdefault(f.audit_id, []).append(f)
    rows = []
    for a in sorted(d.nodes["Audit"], key=lambda r: (r["performed_on"], r["audit_id"]), reverse=True):
        arr = key_of(audited[a["uid"]][0]) if a["uid"] in audited else ""
        head = [a["audit_id"], arr, "一般性 general" if a["kind"] == "general" else "專案 project", a["performed_on"],
                a["auditor"], "是 yes" if a["independent"] else "否 no"]
        found = by_audit.get(a["audit_id"], [])
        rows += [[*head, f.finding_id, labels.severity(f.severity), Styled(style.pair(style.FINDING_STATE, f.state),
                                                        style.FINDING_FILL[f.state]), f.due_on, f.closed_on,
                  f.days_overdue or ""] for f in found] or [[*head, "（無缺失 none）", "", "", None, None, ""]]
    w.table("查核 Audits", ["查核代碼 Audit", "委外事項 Arrangement", "類別 Kind", "查核日 Performed on",
                          "查核人 Auditor", "獨立第三人 Independent", "缺失代碼 Finding", "嚴重度 Severity",
                          "改善狀態 Remediation", "改善期限 Due on", "結案日 Closed on", "逾期天數 Days overdue"],
            rows)


def _crosswalks(w: _Writer, d: ExportData) -> None:
    """Every mapping set: each provision → control with relationship and rationale, then the obligations the
    set does not map (with the curated reason)."""
    provisions = d.by_key("Provision")
    rows: list[list[Value]] = []
    for v in d.crosswalks:
        s = v.summary
        head = [s["mapping_set_id"], f"{s['framework']} ({s['status']}, {s['origin']})"]
        for m in v.mappings:
            p = provisions.get(m["source"], {})
            title = " / ".join(t for t in (m["control_title"], m["control_title_en"]) if t)
            rows.append([*head, p.get("label", ""), m["source"], m["target"], title, m["relationship"],
                         m["rationale_type"], m["rationale"], m["strength"], m["confidence"] or "",
                         "是 yes" if p.get("csp_meetable") else "否 no"])
        for pid, why in v.unmapped:
            p = provisions.get(pid, {})
            rows.append([*head, p.get("label", ""), pid, "", "", Styled("（無對應 no counterpart）", "FFEB9C"), "",
                         why or "", None, "", "是 yes" if p.get("csp_meetable") else "否 no"])
    w.table("對照 Crosswalks", ["對照集 Mapping set", "目標框架 Framework", "條次 Citation", "條文代碼 Provision",
                              "控制項 Control", "控制項標題（自撰）Control title (own words)",
                              "關係 Relationship (provision RELATIONSHIP control)", "理由類型 Rationale type",
                              "理由 Rationale", "強度 Strength", "信心 Confidence", "業者可履行 CSP-meetable"],
            rows, freeze_col=4, wrap=[5, 8])


def write_xlsx(d: ExportData, path: Path) -> Path:
    """Write the workbook; returns its path."""
    w = _Writer(cover.confidentiality(d))
    for sheet in (_cover, _scope, _method, _coverage, _provisions, _matrix, _trace, _evidence, _certifications,
                  _contracts, _audits, _crosswalks):
        sheet(w, d)
    w.save(path)
    return path
