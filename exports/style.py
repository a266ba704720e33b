"""Words and colours every export format shares: one palette per status, zh-TW with English beside."""

from __future__ import annotations

import unicodedata

from regtrace import labels

# Fill colours (hex RGB, no '#'), light enough for black text.
STATUS_FILL = {
    "covered": "C6EFCE",
    "stale": "FFEB9C",
    "unevidenced": "F8CBAD",
    "gap": "FFC7CE",
    "not_applicable": "EDEDED",
}
# Stronger colours for charts (same hues).
STATUS_CHART = {
    "covered": "#2E9E4F",
    "stale": "#E0B100",
    "unevidenced": "#E07B39",
    "gap": "#D13B40",
    "not_applicable": "#BDBDBD",
}
STATUS_ORDER = ("covered", "stale", "unevidenced", "gap", "not_applicable")
STATUS_SHORT = {"covered": "✓", "stale": labels.STATUS["stale"][0], "unevidenced": labels.STATUS["unevidenced"][0],
                "gap": labels.STATUS["gap"][0], "not_applicable": "—"}  # matrix cells: a mark, or the word

CERT_STATUS = labels.CERT_STATUS  # the ontology's words (rt:CertificationStatus)
CERT_FILL = {"valid": "C6EFCE", "expiring": "FFEB9C", "expired": "FFC7CE", "not_yet_valid": "EDEDED"}
FINDING_STATE = labels.FINDING_STATE  # rt:FindingState
FINDING_FILL = {"open": "FFEB9C", "overdue": "FFC7CE", "closed": "C6EFCE"}
CLAUSE_FILL = {"yes": "C6EFCE", "no": "FFC7CE", "na": "EDEDED"}
LEVEL = {"article": ("條", "article"), "paragraph": ("項", "paragraph"), "item": ("款", "item"),
         "subitem": ("目", "sub-item"), "point": ("點", "point")}
INSTRUMENT_STATUS = labels.INSTRUMENT_STATUS  # rt:InstrumentStatus
FALLS_ON = {"arrangement": ("各委外事項", "each arrangement"), "company": ("全公司", "company")}
RULE = {"contract_clause": ("契約條款", "contract clause"), "audit_frequency": ("查核頻率", "audit frequency"),
        "control_evidence": ("控制措施及佐證", "control and evidence")}


def status(value: str) -> str:
    return labels.status(value)


def legend(value: str) -> str:
    """'✓ = 已涵蓋 covered', or just '缺口 gap' where the short mark is the word itself."""
    short, full = STATUS_SHORT[value], labels.status(value)
    return full if full.startswith(short) else f"{short} = {full}"


def pair(words: dict[str, tuple[str, str]], value: str | None) -> str:
    """'已廢止 abolished' for a coded value; the value itself when it has no words."""
    if value is None:
        return ""
    return labels.both(words[value]) if value in words else value


def article_label(article: int | str) -> str:
    """第6條 Art. 6 (Arabic digits keep chart axes short)."""
    return f"第{article}條 Art. {article}"


def display_width(text: str) -> int:
    """Columns a string takes in a spreadsheet or a monospace view: wide (CJK) characters count double."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def truncate(text: str, width: int) -> str:
    """`text` cut to at most `width` display columns, with an ellipsis when cut."""
    if display_width(text) <= width:
        return text
    out, used = [], 0
    for ch in text:
        used += display_width(ch)
        if used > width - 1:
            break
        out.append(ch)
    return "".join(out).rstrip() + "…"
