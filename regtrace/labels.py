"""Words users read, zh-TW first with English beside: statuses, states, severities, modalities, facts, levels.

Every status, state and severity word comes from the ontology's SKOS schemes (ontology/regtrace.ttl), so the
CLI, the dashboard (api/dashboard_ui/i18n.js, generated from `VOCABULARY`) and every export say the same word
for the same thing; tests/test_vocabulary.py checks that no other word for them is written anywhere.
"""

from __future__ import annotations

from regtrace.trace.vocabulary import scheme


def _words(name: str) -> dict[str, tuple[str, str]]:
    return {w.word: (w.zh, w.en) for w in scheme(name)}


STATUS = _words("TraceStatus")  # the trace's status words, worst first (rt:TraceStatus)
CAUSE = _words("CauseKind")  # why a row is not covered (rt:CauseKind)
SEVERITY = _words("Severity")  # an audit finding's severity, most severe first (rt:Severity)
CERT_STATUS = _words("CertificationStatus")  # a CSP certification on the date (rt:CertificationStatus)
FINDING_STATE = _words("FindingState")  # an audit finding's remediation on the date (rt:FindingState)
INSTRUMENT_STATUS = _words("InstrumentStatus")  # a cited instrument on the date (rt:InstrumentStatus)
CONTRACT_STATE = _words("ContractState")  # a contract on the date (rt:ContractState)
# Each vocabulary under the name the dashboard's strings use (i18n.js keys "status.gap", "severity.high", …).
VOCABULARY: dict[str, dict[str, tuple[str, str]]] = {
    "status": STATUS, "cause": CAUSE, "severity": SEVERITY, "cert": CERT_STATUS, "finding": FINDING_STATE,
    "instrument": INSTRUMENT_STATUS, "contract": CONTRACT_STATE,
}
CRITICAL = ("gap", "critical", "expired", "overdue")  # words styled as critical wherever they are shown
MODALITY = {
    "shall": ("應", "shall"),
    "must_not": ("不得", "must not"),
    "should": ("宜", "should"),
    "may": ("得", "may"),
}
FACT = {
    "material": ("重大性委外", "material"),
    "offshore": ("境外處理", "offshore"),
    "natural_person_data": ("涉及自然人客戶資料", "natural-person data"),
    "customer_data": ("涉及客戶資料", "customer data"),
    "self_managed": ("自行管理之雲端環境（IaaS/PaaS）", "self-managed (IaaS/PaaS)"),
    "hybrid_cloud": ("雲地混合", "hybrid cloud"),
    "internet_access": ("開放網際網路存取", "internet access"),
    "vm_or_container_images": ("虛擬機或容器映像檔", "VM or container images"),
    "subcontracting": ("複委託", "subcontracting"),
    "foreign_branch": ("外國保險業在臺分支機構", "foreign branch"),
    "material_npd_offshore_system": ("涉及自然人客戶資料之重大性系統委託境外處理",
                                     "a material system with natural-person data processed offshore"),
    "contract_incomplete": ("契約內容未符第六條第一項", "the contract lacks an item of Art. 6 ¶1"),
    "third_party_audit": ("委託獨立第三人查核", "audited by an independent third party"),
    "multi_cloud": ("採多雲策略", "multi-cloud"),
}
SUBJECT_COMPANY = ("全公司", "company")
DELETED = ("刪除", "deleted")  # a provision an amendment kept as （刪除）


def both(pair: tuple[str, str]) -> str:
    """'缺口 gap': the zh-TW word with the English beside it."""
    return f"{pair[0]} {pair[1]}"


def status(value: str) -> str:
    return both(STATUS[value])


def word(vocabulary: str, value: str | None) -> str:
    """'已到期 expired' for ("cert", "expired"); the value itself when the vocabulary has no such word."""
    if value is None:
        return ""
    words = VOCABULARY[vocabulary]
    return both(words[value]) if value in words else value


def severity(value: str) -> str:
    return word("severity", value)


def modality(value: str | None) -> str:
    return both(MODALITY[value]) if value else "—"


def fact(value: str) -> str:
    return both(FACT[value]) if value in FACT else value


ACTOR = {
    "member_company": ("各會員公司", "member company"),
    "board": ("董（理）事會", "board"),
    "dedicated_unit": ("專責單位", "dedicated unit"),
    "csp": ("雲端服務業者", "cloud service provider"),
    "foreign_branch": ("外國保險業在臺分支機構", "Taiwan branch of a foreign insurer"),
    "independent_third_party": ("獨立第三人", "independent third party"),
    "competent_authority": ("主管機關", "competent authority"),
    "association": ("公會", "insurance association"),
}
