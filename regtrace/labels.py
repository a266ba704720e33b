"""Words users read, zh-TW first with English beside: statuses, modalities, facts, levels."""

from __future__ import annotations

from regtrace.trace.vocabulary import status_labels

STATUS = status_labels()  # the trace's status words and labels, from the ontology (rt:TraceStatus)
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
